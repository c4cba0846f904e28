/**
 * Every path of tinyoauth that touches DynamoDB, driven over HTTP through the gateway the way clients,
 * browsers and resource servers use it. Each step checks its answer, so a flow that took a wrong turn
 * fails here rather than leaving some action silently unexercised.
 */
import { expect } from 'vitest';
import { hiddenFields, unescapeHtml } from '../../fakes/browser.ts';
import { pkce } from '../../fakes/events.ts';
import { uniqueName } from '../../fakes/runtime.ts';
import { basicAuth, bearer, browser, type Reply, send } from './http.ts';

const PASSWORD = 'correct horse battery';
const WRONG = 'not the password';
const REDIRECT = 'https://app.example.com/callback';

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

export function flows(baseUrl: string) {
  const call = (method: string, path: string, input: Parameters<typeof send>[3] = {}) =>
    send(baseUrl, method, path, input);
  const login = (username: string, password: string) =>
    call('POST', '/login', { json: { username, password } });

  async function register(): Promise<string> {
    const username = uniqueName();
    expectReply(await call('POST', '/register', { json: { username, password: PASSWORD } }), 201);
    return username;
  }

  async function session(username: string): Promise<string> {
    const reply = await login(username, PASSWORD);
    expectReply(reply, 200);
    return reply.json().token as string;
  }

  /** Wrong password, a lockout reached and refused, and a success that clears earlier failures. */
  async function logins(): Promise<void> {
    const locked = await register();
    for (let failure = 1; failure <= MAX_FAILURES; failure++)
      expectReply(await login(locked, WRONG), 401, 'invalid_credentials');
    expectReply(await login(locked, PASSWORD), 429, 'too_many_attempts');

    const recovering = await register();
    expectReply(await login(recovering, WRONG), 401, 'invalid_credentials');
    await session(recovering);
  }

  /** Registers a client that may use every grant, lists it and rotates its secret. */
  async function client(owner: string): Promise<Client> {
    const created = await call('POST', '/client', {
      headers: bearer(owner),
      json: {
        client_name: 'IAM check',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        scope: 'read write',
      },
    });
    expectReply(created, 201);
    const id = created.json().client_id as string;
    expectReply(await call('GET', '/client', { headers: bearer(owner) }), 200);
    const rotated = await call('POST', `/client/${encodeURIComponent(id)}/secret`, {
      headers: bearer(owner),
    });
    expectReply(rotated, 200);
    return { id, secret: rotated.json().client_secret as string };
  }

  const authorizeQuery = (c: Client, challenge: string) => ({
    response_type: 'code',
    client_id: c.id,
    redirect_uri: REDIRECT,
    scope: 'read',
    state: 'xyz',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });

  /** An API caller's authorization (the bearer session approves), and the code's redemption. */
  async function codeGrant(c: Client, user: string) {
    const { verifier, challenge } = pkce();
    const authorized = await call('GET', '/authorize', {
      query: authorizeQuery(c, challenge),
      headers: bearer(user),
    });
    expectReply(authorized, 302);
    const form = {
      grant_type: 'authorization_code',
      code: authorized.location?.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    };
    const redeem = () => call('POST', '/token', { form, headers: basicAuth(c.id, c.secret) });
    const tokens = await redeem();
    expectReply(tokens, 200);
    return { redeem, tokens: tokens.json() as { access_token: string; refresh_token: string } };
  }

  const token = (c: Client, form: Record<string, string>) =>
    call('POST', '/token', { form, headers: basicAuth(c.id, c.secret) });
  const refresh = (c: Client, refreshToken: string) =>
    token(c, { grant_type: 'refresh_token', refresh_token: refreshToken });
  const clientCall = (c: Client, path: string, value: string) =>
    call('POST', path, { form: { token: value }, headers: basicAuth(c.id, c.secret) });

  /** Every grant, replays of a code and a refresh token, introspection, the authorizer, revocation. */
  async function tokens(c: Client, user: string): Promise<void> {
    const replayed = await codeGrant(c, user);
    expectReply(await replayed.redeem(), 400, 'invalid_grant');

    const { tokens } = await codeGrant(c, user);
    const refreshed = await refresh(c, tokens.refresh_token);
    expectReply(refreshed, 200);
    expectReply(await refresh(c, tokens.refresh_token), 400, 'invalid_grant');

    expectReply(await token(c, { grant_type: 'client_credentials', scope: 'read' }), 200);

    const live = (await codeGrant(c, user)).tokens;
    for (const value of [live.access_token, live.refresh_token]) {
      const introspected = await clientCall(c, '/introspect', value);
      expectReply(introspected, 200);
      expect(introspected.json().active).toBe(true);
    }
    expectReply(await call('GET', '/protected/hello', { headers: bearer(live.access_token) }), 200);
    expectReply(await clientCall(c, '/revoke', live.access_token), 200);
    expectReply(await clientCall(c, '/revoke', live.refresh_token), 200);
  }

  /**
   * A browser: the sign-in page (two failures, then the password), consent approved, consent remembered,
   * sign-up of a name that has failed logins before it exists, and sign-out.
   */
  async function browserFlows(c: Client): Promise<void> {
    const b = browser(baseUrl);
    const query = authorizeQuery(c, pkce().challenge);
    const signInPage = await b.request('GET', '/authorize', { query });
    expectReply(signInPage, 200);
    const username = await register();
    let page = signInPage;
    for (let failure = 1; failure < MAX_FAILURES; failure++) {
      page = await b.submit(page, '/signin', { username, password: WRONG });
      expectReply(page, 401);
    }
    const signedIn = await b.submit(page, '/signin', { username, password: PASSWORD });
    expectReply(signedIn, 303);
    const consent = await b.follow(signedIn);
    expect(hiddenFields(consent.text).some(([name]) => name === 'csrf')).toBe(true);
    expectReply(await b.submit(consent, '/authorize', { decision: 'approve' }), 303);
    expectReply(await b.request('GET', '/authorize', { query }), 302);
    expectReply(await b.request('GET', '/signin'), 200);

    const signUpLink = /href="([^"]*\/signup\?[^"]*)"/.exec(signInPage.text)?.[1] ?? '';
    const newcomer = uniqueName();
    expectReply(await login(newcomer, WRONG), 401, 'invalid_credentials');
    const newcomerBrowser = browser(baseUrl);
    const signUpUrl = new URL(unescapeHtml(signUpLink));
    const signUpPage = await newcomerBrowser.request('GET', `/signup${signUpUrl.search}`);
    expectReply(signUpPage, 200);
    const fields = { username: newcomer, password: PASSWORD, password_again: PASSWORD };
    expectReply(await newcomerBrowser.submit(signUpPage, '/signup', fields), 303);

    const signOutPage = await b.request('GET', '/signout');
    expectReply(signOutPage, 200);
    expectReply(await b.submit(signOutPage, '/signout'), 200);
    expect(b.jar.value('tinyoauth_session')).toBeUndefined();
  }

  /** Everything, in an order that keeps each step's preconditions: logout and deletion come last. */
  return async function driveEveryFlow(): Promise<void> {
    await logins();
    const owner = await session(await register());
    const c = await client(owner);
    const user = await session(await register());
    await tokens(c, user);
    await browserFlows(c);
    expectReply(await call('GET', '/.well-known/jwks.json'), 200);
    expectReply(await call('GET', '/.well-known/oauth-authorization-server'), 200);
    expectReply(await call('POST', '/logout', { headers: bearer(user) }), 200);
    expectReply(await call('DELETE', `/client/${encodeURIComponent(c.id)}`, { headers: bearer(owner) }), 204);
  };
}
