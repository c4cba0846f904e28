/**
 * The account-security paths of tinyoauth that touch DynamoDB (issue 15), driven over HTTP like
 * flows.ts: verification and reset links followed from the local outbox, TOTP enrolment and the
 * second sign-in step (JSON and page), the user's sessions, and account deletion with an owned client,
 * its grants and consents, through the JSON API and through the account page.
 */
import { expect } from 'vitest';
import { hiddenFields } from '../../fakes/browser.ts';
import { pkce } from '../../fakes/events.ts';
import { lastToken } from '../../fakes/outbox.ts';
import { uniqueName } from '../../fakes/runtime.ts';
import { totpCode } from '../../fakes/totp.ts';
import { bearer, browser, type Reply, type Send, send } from './http.ts';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';
const REDIRECT = 'https://app.example.com/callback';

export interface AccountFlowHooks {
  /** Where the gateway's functions write mail. */
  outbox: string;
  /** The gateway's clock, which TOTP codes are computed at. */
  now(): number;
  /** Moves the gateway's clock on, to the next TOTP time step. */
  advance(seconds: number): void;
}

function expectReply(reply: Reply, status: number, error?: string): void {
  expect({ status: reply.status, error: error && reply.json().error }, reply.text.slice(0, 300)).toEqual({
    status,
    error,
  });
}

const fieldsOf = (page: Reply) => Object.fromEntries(hiddenFields(page.text));

class AccountFlows {
  constructor(
    private readonly baseUrl: string,
    private readonly hooks: AccountFlowHooks,
  ) {}

  async all(): Promise<void> {
    await this.api();
    await this.pages();
  }

  private call(method: string, path: string, input: Send = {}) {
    return send(this.baseUrl, method, path, input);
  }

  private async login(username: string, password = PASSWORD): Promise<string> {
    const reply = await this.call('POST', '/login', { json: { username, password } });
    expectReply(reply, 200);
    return reply.json().token as string;
  }

  private token(to: string, path: string) {
    return lastToken(this.hooks.outbox, to, path);
  }

  /**
   * A client the user owns, and a code grant to it that the user approved on the consent page of a
   * browser signed in as them (so there is a consent to delete too).
   */
  private async ownedClientWithGrant(session: string, b: ReturnType<typeof browser>): Promise<void> {
    const created = await this.call('POST', '/client', {
      headers: bearer(session),
      json: { client_name: 'Owned', redirect_uris: [REDIRECT], scope: 'read' },
    });
    expectReply(created, 201);
    const c = created.json() as { client_id: string; client_secret: string };
    const { verifier, challenge } = pkce();
    const query = {
      response_type: 'code',
      client_id: c.client_id,
      redirect_uri: REDIRECT,
      scope: 'read',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const consent = await b.request('GET', '/authorize', { query });
    expectReply(consent, 200);
    const authorized = await b.submit(consent, '/authorize', { decision: 'approve' });
    expectReply(authorized, 303);
    const code = authorized.location?.searchParams.get('code') ?? '';
    const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier };
    const basic = `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;
    expectReply(await this.call('POST', '/token', { form, headers: { authorization: basic } }), 200);
  }

  /** Everything through the JSON API, on one account from sign-up to deletion. */
  private async api(): Promise<void> {
    const username = uniqueName();
    const first = `${username}@example.com`;
    const json = { username, password: PASSWORD, email: first };
    expectReply(await this.call('POST', '/register', { json }), 201);
    const verify = async (to: string) =>
      expectReply(
        await this.call('POST', '/email/verify', { json: { token: await this.token(to, '/verify_email') } }),
        200,
      );
    await verify(first);

    const session = await this.login(username);
    const second = `${username}.new@example.com`;
    const changed = await this.call('PATCH', '/account/profile', {
      headers: bearer(session),
      json: { email: second },
    });
    expectReply(changed, 200);
    const resent = await this.call('POST', '/account/email/verification', { headers: bearer(session) });
    expectReply(resent, 202);
    await verify(second);

    for (const json of [{ email: second }, { username }]) {
      expectReply(await this.call('POST', '/password/forgot', { json }), 202);
    }
    const reset = { token: await this.token(second, '/reset_password'), password: NEW_PASSWORD };
    expectReply(await this.call('POST', '/password/reset', { json: reset }), 200);

    await this.apiSecurity(username);
  }

  /** Password change, TOTP and the MFA step, the user's sessions, and deletion, through the JSON API. */
  private async apiSecurity(username: string): Promise<void> {
    let session = await this.login(username, NEW_PASSWORD);
    const other = await this.login(username, NEW_PASSWORD);
    const change = { current_password: NEW_PASSWORD, new_password: PASSWORD };
    expectReply(
      await this.call('POST', '/account/password', { headers: bearer(session), json: change }),
      200,
    );

    const enrolled = await this.call('POST', '/account/totp', { headers: bearer(session) });
    expectReply(enrolled, 201);
    const code = totpCode(enrolled.json().secret as string, this.hooks.now());
    const confirmed = await this.call('POST', '/account/totp/confirm', {
      headers: bearer(session),
      json: { code },
    });
    expectReply(confirmed, 200);
    const [recoveryCode] = confirmed.json().recovery_codes as string[];
    this.secrets.set(username, enrolled.json().secret as string);

    const step = await this.call('POST', '/login', { json: { username, password: PASSWORD } });
    expectReply(step, 403, 'mfa_required');
    const mfaToken = step.json().mfa_token as string;
    const completed = await this.call('POST', '/login', {
      json: { mfa_token: mfaToken, recovery_code: recoveryCode },
    });
    expectReply(completed, 200);
    session = completed.json().token as string;

    // The session that changed the password stays; `other` ended with the change.
    expectReply(
      await this.call('GET', '/account/sessions', { headers: bearer(other) }),
      401,
      'invalid_token',
    );
    this.hooks.advance(30);
    const spare = await this.signInWithTotp(username);
    const listed = await this.call('GET', '/account/sessions', { headers: bearer(session) });
    expectReply(listed, 200);
    const spareId = JSON.parse(Buffer.from(spare.split('.')[1] ?? '', 'base64url').toString()).jti as string;
    expect((listed.json().sessions as { session_id: string }[]).map((s) => s.session_id)).toContain(spareId);
    const ended = await this.call('DELETE', `/account/sessions/${spareId}`, { headers: bearer(session) });
    expectReply(ended, 200);

    const off = await this.call('DELETE', '/account/totp', {
      headers: bearer(session),
      json: { password: PASSWORD },
    });
    expectReply(off, 200);
    const b = browser(this.baseUrl);
    const signIn = await b.request('GET', '/signin');
    expectReply(await b.submit(signIn, '/signin', { username, password: PASSWORD }), 303);
    await this.ownedClientWithGrant(session, b);
    const deleted = await this.call('POST', '/account/delete', {
      headers: bearer(session),
      json: { password: PASSWORD },
    });
    expectReply(deleted, 200);
  }

  /** A sign-in with the recovery code spent, so a second session needs a code from the next step. */
  private async signInWithTotp(username: string): Promise<string> {
    const step = await this.call('POST', '/login', { json: { username, password: PASSWORD } });
    expectReply(step, 403, 'mfa_required');
    const enrolled = this.secrets.get(username);
    if (!enrolled) throw new Error(`No TOTP secret kept for ${username}`);
    const completed = await this.call('POST', '/login', {
      json: { mfa_token: step.json().mfa_token, code: totpCode(enrolled, this.hooks.now()) },
    });
    expectReply(completed, 200);
    return completed.json().token as string;
  }

  private readonly secrets = new Map<string, string>();

  /** Everything through the pages, with a browser: sign-up to deletion. */
  private async pages(): Promise<void> {
    const b = browser(this.baseUrl);
    const username = uniqueName();
    const email = `${username}@example.com`;
    const signUp = await b.request('GET', '/signup');
    expectReply(signUp, 200);
    const fields = { username, password: PASSWORD, password_again: PASSWORD, email };
    expectReply(await b.submit(signUp, '/signup', fields), 303);

    const verifyPage = await b.request(
      'GET',
      `/verify_email?token=${await this.token(email, '/verify_email')}`,
    );
    expectReply(verifyPage, 200);
    expectReply(await b.submit(verifyPage, '/verify_email'), 200);

    const forgot = await b.request('GET', '/forgot_password');
    expectReply(forgot, 200);
    expectReply(await b.submit(forgot, '/forgot_password', { identifier: email }), 200);
    const resetPage = await b.request(
      'GET',
      `/reset_password?token=${await this.token(email, '/reset_password')}`,
    );
    expectReply(resetPage, 200);
    expectReply(await b.submit(resetPage, '/reset_password', { password: NEW_PASSWORD }), 200);

    await this.accountPage(b, username);
  }

  /** Every form of the account page, a sign-in with a recovery code in between, and deletion. */
  private async accountPage(b: ReturnType<typeof browser>, username: string): Promise<void> {
    const signIn = await b.request('GET', '/signin');
    expectReply(await b.submit(signIn, '/signin', { username, password: NEW_PASSWORD }), 303);
    let account = await b.request('GET', '/account');
    expectReply(account, 200);
    const act = async (action: string, extra: Record<string, string> = {}, status = 303) => {
      const reply = await b.request('POST', '/account', {
        form: { csrf: fieldsOf(account).csrf ?? '', action, ...extra },
      });
      expectReply(reply, status);
      account = await b.request('GET', '/account');
      return reply;
    };
    await act('profile', { email: `${username}.2@example.com`, name: 'Page User' });
    await act('resend_verification');
    await act('change_password', { current_password: NEW_PASSWORD, new_password: PASSWORD });
    this.hooks.advance(30);
    await act('totp_start');
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(account.text)?.[1] ?? '';
    const codes = await act('totp_confirm', { code: totpCode(secret, this.hooks.now()) }, 200);
    const recoveryCode = /<li>([a-z2-7-]+)<\/li>/.exec(codes.text)?.[1] ?? '';

    // A second browser: password, then the code step, with a recovery code.
    const other = browser(this.baseUrl);
    const otherSignIn = await other.request('GET', '/signin');
    const step = await other.submit(otherSignIn, '/signin', { username, password: PASSWORD });
    expectReply(step, 200);
    const { csrf, mfa_token } = fieldsOf(step);
    const signedIn = await other.request('POST', '/signin', {
      form: { csrf: csrf ?? '', mfa_token: mfa_token ?? '', recovery_code: recoveryCode },
    });
    expectReply(signedIn, 303);

    account = await b.request('GET', '/account');
    const otherSession = /name="session_id" value="([^"]+)"/.exec(account.text)?.[1] ?? '';
    await act('end_session', { session_id: otherSession });
    await act('totp_disable', { totp_password: PASSWORD });
    const session = b.jar.value('tinyoauth_session') ?? '';
    await this.ownedClientWithGrant(session, b);
    account = await b.request('GET', '/account');
    await act('delete_account', { delete_password: PASSWORD }, 200);
  }
}

/** Drives every account-security flow through the gateway at `baseUrl`. */
export const driveAccountFlows = (baseUrl: string, hooks: AccountFlowHooks): Promise<void> =>
  new AccountFlows(baseUrl, hooks).all();
