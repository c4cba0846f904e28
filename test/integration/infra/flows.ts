/**
 * Every path of tinyoauth that touches DynamoDB, driven over HTTP the way clients, browsers and resource
 * servers use it; each step checks its answer, so a wrong turn fails here instead of going unexercised.
 */
import { expect } from 'vitest';
import { unescapeHtml } from '../../fakes/browser.ts';
import { pkce } from '../../fakes/events.ts';
import { uniqueName } from '../../fakes/runtime.ts';
import { basicAuth, bearer, browser, type Reply, type Send, send } from './http.ts';
import { resourceServerFlows } from './resource-flows.ts';

const PASSWORD = 'correct horse battery';
const WRONG = 'not the password';
const REDIRECT = 'https://app.example.com/callback';
const AFTER_LOGOUT = 'https://app.example.com/signed-out';

/** Failed logins that lock an account; the gateway's configuration must agree. */
export const MAX_FAILURES = 3;

interface Client {
  id: string;
  secret: string;
}

function expectReply(reply: Reply, status: number, error?: string): void {
  expect({ status: reply.status, error: error && reply.json().error }, reply.text.slice(0, 300)).toEqual({
    status,
    error,
  });
}

const authorizeQuery = (c: Client, challenge: string, scope = 'read') => ({
  response_type: 'code',
  client_id: c.id,
  redirect_uri: REDIRECT,
  scope,
  state: 'xyz',
  code_challenge: challenge,
  code_challenge_method: 'S256',
});

/**
 * What the flows cannot do over HTTP: put the data in the state an earlier version left it in, and see
 * whether concurrent requests really raced.
 */
export interface FlowHooks {
  /** Removes the client count from a user item, as a user registered before clients were counted has none. */
  forgetClientCount(username: string): Promise<void>;
  /** How many refreshes so far read their token again after losing a race to a concurrent one. */
  refreshRereads(): number;
}

class Flows {
  constructor(
    private readonly baseUrl: string,
    private readonly hooks: FlowHooks,
  ) {}

  /** Everything, in an order that keeps each step's preconditions: logout and deletion come last. */
  async all(): Promise<void> {
    await this.logins();
    await this.uncountedOwner();
    const owner = await this.session(await this.register());
    const c = await this.client(owner);
    const user = await this.session(await this.register());
    await this.tokens(c, user);
    await this.openId(c, user);
    await this.browser(c);
    for (const path of ['/jwks.json', '/oauth-authorization-server', '/openid-configuration']) {
      expectReply(await this.call('GET', `/.well-known${path}`), 200);
    }
    await resourceServerFlows(this.baseUrl, (await this.codeGrant(c, user)).tokens.access_token, owner);
    expectReply(await this.call('POST', '/logout', { headers: bearer(user) }), 200);
    const deleted = await this.call('DELETE', `/client/${encodeURIComponent(c.id)}`, {
      headers: bearer(owner),
    });
    expectReply(deleted, 204);
  }

  private call(method: string, path: string, input: Send = {}) {
    return send(this.baseUrl, method, path, input);
  }

  private login(username: string, password: string) {
    return this.call('POST', '/login', { json: { username, password } });
  }

  private async register(): Promise<string> {
    const username = uniqueName();
    expectReply(await this.call('POST', '/register', { json: { username, password: PASSWORD } }), 201);
    return username;
  }

  private async session(username: string): Promise<string> {
    const reply = await this.login(username, PASSWORD);
    expectReply(reply, 200);
    return reply.json().token as string;
  }

  /** Wrong password, a lockout reached and refused, and a success that clears earlier failures. */
  private async logins(): Promise<void> {
    const locked = await this.register();
    for (let failure = 1; failure <= MAX_FAILURES; failure++)
      expectReply(await this.login(locked, WRONG), 401, 'invalid_credentials');
    expectReply(await this.login(locked, PASSWORD), 429, 'too_many_attempts');

    const recovering = await this.register();
    expectReply(await this.login(recovering, WRONG), 401, 'invalid_credentials');
    await this.session(recovering);
  }

  /** An owner whose clients were not counted yet: the first registration counts them from the index. */
  private async uncountedOwner(): Promise<void> {
    const username = await this.register();
    const session = await this.session(username);
    await this.hooks.forgetClientCount(username);
    const created = await this.call('POST', '/client', {
      headers: bearer(session),
      json: { client_name: 'Counted late', redirect_uris: [REDIRECT] },
    });
    expectReply(created, 201);
  }

  /** Registers a client that may use every grant, lists it and rotates its secret. */
  private async client(owner: string): Promise<Client> {
    const created = await this.call('POST', '/client', {
      headers: bearer(owner),
      json: {
        client_name: 'IAM check',
        redirect_uris: [REDIRECT],
        post_logout_redirect_uris: [AFTER_LOGOUT],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        scope: 'read write openid profile email',
      },
    });
    expectReply(created, 201);
    const id = created.json().client_id as string;
    expectReply(await this.call('GET', '/client', { headers: bearer(owner) }), 200);
    const path = `/client/${encodeURIComponent(id)}/secret`;
    const rotated = await this.call('POST', path, { headers: bearer(owner) });
    expectReply(rotated, 200);
    return { id, secret: rotated.json().client_secret as string };
  }

  /** An API caller's authorization (the bearer session approves), and the code's redemption. */
  private async codeGrant(c: Client, user: string, scope = 'read') {
    const { verifier, challenge } = pkce();
    const query = authorizeQuery(c, challenge, scope);
    const authorized = await this.call('GET', '/authorize', { query, headers: bearer(user) });
    expectReply(authorized, 302);
    const redeem = () =>
      this.token(c, {
        grant_type: 'authorization_code',
        code: authorized.location?.searchParams.get('code') ?? '',
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      });
    const tokens = await redeem();
    expectReply(tokens, 200);
    return {
      redeem,
      tokens: tokens.json() as { access_token: string; refresh_token: string; id_token?: string },
    };
  }

  private token(c: Client, form: Record<string, string>) {
    return this.call('POST', '/token', { form, headers: basicAuth(c.id, c.secret) });
  }

  private refresh(c: Client, refreshToken: string) {
    return this.token(c, { grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  /**
   * One token refreshed by ten requests at once, until one of them lost the race and read the token
   * again (a burst may run in order on a busy machine). Every answer holds the same successor.
   */
  private async refreshRace(c: Client, user: string): Promise<void> {
    for (let burst = 1; this.hooks.refreshRereads() === 0; burst++) {
      if (burst > 10) throw new Error('Ten bursts of concurrent refreshes, and no refresh lost a race');
      const raced = (await this.codeGrant(c, user)).tokens.refresh_token;
      // Connections opened first, so that the refreshes reach the gateway together.
      await Promise.all(Array.from({ length: 10 }, () => this.call('GET', '/.well-known/jwks.json')));
      const answers = await Promise.all(Array.from({ length: 10 }, () => this.refresh(c, raced)));
      for (const answer of answers) expectReply(answer, 200);
      expect(new Set(answers.map((answer) => answer.json().refresh_token)).size).toBe(1);
    }
  }

  /** POST /introspect or /revoke of `token`, authenticated as the client. */
  private aboutToken(c: Client, path: '/introspect' | '/revoke', token: string) {
    return this.call('POST', path, { form: { token }, headers: basicAuth(c.id, c.secret) });
  }

  /**
   * Every grant, replays of a code and a refresh token, concurrent refreshes, introspection, the
   * authorizer, revocation.
   */
  private async tokens(c: Client, user: string): Promise<void> {
    const replayed = await this.codeGrant(c, user);
    expectReply(await replayed.redeem(), 400, 'invalid_grant');

    const { tokens } = await this.codeGrant(c, user);
    const rotated = await this.refresh(c, tokens.refresh_token);
    expectReply(rotated, 200);
    // Presented again within the reuse window, its successor unused: the same successor again.
    expectReply(await this.refresh(c, tokens.refresh_token), 200);
    expectReply(await this.refresh(c, rotated.json().refresh_token as string), 200);
    // Presented once its successor was used: reuse, which revokes the grant.
    expectReply(await this.refresh(c, tokens.refresh_token), 400, 'invalid_grant');

    await this.refreshRace(c, user);
    expectReply(await this.token(c, { grant_type: 'client_credentials', scope: 'read' }), 200);

    const live = (await this.codeGrant(c, user)).tokens;
    for (const token of [live.access_token, live.refresh_token]) {
      const introspected = await this.aboutToken(c, '/introspect', token);
      expectReply(introspected, 200);
      expect(introspected.json().active).toBe(true);
    }
    expectReply(await this.call('GET', '/protected/hello', { headers: bearer(live.access_token) }), 200);
    expectReply(await this.aboutToken(c, '/revoke', live.access_token), 200);
    expectReply(await this.aboutToken(c, '/revoke', live.refresh_token), 200);
  }

  /** OpenID Connect: an ID token with profile claims, userinfo from a browser's script, the profile API. */
  private async openId(c: Client, user: string): Promise<void> {
    const { tokens } = await this.codeGrant(c, user, 'openid profile email');
    expect(tokens.id_token).toBeTruthy();
    const headers = { ...bearer(tokens.access_token), origin: new URL(REDIRECT).origin };
    const info = await this.call('GET', '/userinfo', { headers });
    expectReply(info, 200);
    expectReply(
      await this.call('OPTIONS', '/userinfo', { headers: { origin: 'https://app.example.com' } }),
      204,
    );
    expectReply(await this.call('GET', '/account/profile', { headers: bearer(user) }), 200);
    const changed = await this.call('PATCH', '/account/profile', {
      headers: bearer(user),
      json: { name: 'IAM Check' },
    });
    expectReply(changed, 200);
  }

  /** The account page, and an app's logout request confirmed on its page. */
  private async accountAndLogout(b: ReturnType<typeof browser>, c: Client): Promise<void> {
    const account = await b.request('GET', '/account');
    expectReply(account, 200);
    expectReply(await b.submit(account, '/account', { action: 'profile', email: 'page@example.com' }), 303);
    const query = { client_id: c.id, post_logout_redirect_uri: AFTER_LOGOUT, state: 'bye' };
    const confirm = await b.request('GET', '/end_session', { query });
    expectReply(confirm, 200);
    const ended = await b.submit(confirm, '/end_session');
    expectReply(ended, 303);
    expect(ended.location?.toString()).toBe(`${AFTER_LOGOUT}?state=bye`);
  }

  /**
   * A browser: the sign-in page (failures, then the password), consent approved, consent remembered,
   * the signed-in page, sign-up of a name that failed to log in before it existed, and sign-out.
   */
  private async browser(c: Client): Promise<void> {
    const b = browser(this.baseUrl);
    const query = authorizeQuery(c, pkce().challenge);
    const signInPage = await b.request('GET', '/authorize', { query });
    expectReply(signInPage, 200);
    const username = await this.register();
    let page = signInPage;
    for (let failure = 1; failure < MAX_FAILURES; failure++) {
      page = await b.submit(page, '/signin', { username, password: WRONG });
      expectReply(page, 401);
    }
    const signedIn = await b.submit(page, '/signin', { username, password: PASSWORD });
    expectReply(signedIn, 303);
    const consent = await b.follow(signedIn);
    expectReply(consent, 200);
    expectReply(await b.submit(consent, '/authorize', { decision: 'approve' }), 303);
    expectReply(await b.request('GET', '/authorize', { query }), 302);
    expectReply(await b.request('GET', '/signin'), 200);

    const signUpLink = /href="([^"]*\/signup\?[^"]*)"/.exec(signInPage.text)?.[1] ?? '';
    const newcomer = uniqueName();
    expectReply(await this.login(newcomer, WRONG), 401, 'invalid_credentials');
    const other = browser(this.baseUrl);
    const signUpPage = await other.request('GET', `/signup${new URL(unescapeHtml(signUpLink)).search}`);
    expectReply(signUpPage, 200);
    const fields = { username: newcomer, password: PASSWORD, password_again: PASSWORD };
    expectReply(await other.submit(signUpPage, '/signup', fields), 303);
    await this.accountAndLogout(other, c);

    const signOutPage = await b.request('GET', '/signout');
    expectReply(signOutPage, 200);
    expectReply(await b.submit(signOutPage, '/signout'), 200);
    expect(b.jar.value('tinyoauth_session')).toBeUndefined();
  }
}

/** Drives every flow through the gateway at `baseUrl`; rejects at the first step that answers wrongly. */
export const driveEveryFlow = (baseUrl: string, hooks: FlowHooks): Promise<void> =>
  new Flows(baseUrl, hooks).all();
