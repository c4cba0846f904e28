/**
 * The browser side of OpenID Connect through the handlers, against DynamoDB Local: `max_age` forcing a
 * fresh sign-in, sign-up with a name and an email address, the account page and its JSON API, and
 * RP-initiated logout at /end_session with and without a hint.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiHandler } from '#adapters/http/handler';
import type { ApiResult } from '#adapters/http/responses';
import {
  accountProfileEndpoint,
  authorizeEndpoint,
  endSessionEndpoint,
  registerEndpoint,
  signUpEndpoint,
  tokenEndpoint,
} from '#app/endpoints';
import { accountPageEndpoint, signInEndpoint } from '#app/passkey-endpoints';
import { accounts as accountsOf, sessions as sessionsOf } from '#app/services';
import { tableName } from '#contract/tables';
import type { ClientRecord } from '#core/clients/records';
import { InvalidToken } from '#core/errors';
import { sha256 } from '#core/secrets';
import { CookieJar, hiddenFields } from '../../../fakes/browser.ts';
import { apiEvent, basic, pkce } from '../../../fakes/events.ts';
import { storeItem, testRuntime, uniqueName } from '../../../fakes/runtime.ts';

const REDIRECT = 'https://app.example.com/callback';
const AFTER_LOGOUT = 'https://app.example.com/goodbye';
const PASSWORD = 'correct horse battery';
const HTML_ACCEPT = 'text/html,application/xhtml+xml';
const SECRET = 'client secret';

const location = (result: ApiResult) => new URL(String(result.headers?.Location));
const heading = (result: ApiResult) => /<h1>(.*?)<\/h1>/.exec(result.body)?.[1];

type Env = Awaited<ReturnType<typeof setup>>;
type Browser = ReturnType<typeof newBrowser>;

/** One browser: its cookies, and requests made the way a browser makes them. */
function newBrowser(handlers: Record<string, ApiHandler>) {
  const jar = new CookieJar();
  async function request(
    method: string,
    path: string,
    input: { query?: Record<string, string>; form?: Record<string, string> } = {},
  ) {
    const cookie = jar.header(path);
    const headers: Record<string, string> = {
      accept: HTML_ACCEPT,
      ...(cookie ? { cookie } : {}),
      ...(method === 'POST' ? { origin: 'null', 'sec-fetch-site': 'same-origin' } : {}),
    };
    const result = await handlers[path]!(apiEvent({ method, path, headers, ...input }));
    jar.store((result.multiValueHeaders?.['Set-Cookie'] ?? []) as string[]);
    return result;
  }
  const follow = (result: ApiResult) => {
    const url = location(result);
    return request('GET', url.pathname, { query: Object.fromEntries(url.searchParams) });
  };
  const submit = (page: ApiResult, path: string, fields: Record<string, string> = {}) =>
    request('POST', path, { form: { ...Object.fromEntries(hiddenFields(page.body)), ...fields } });
  return { jar, request, follow, submit };
}

async function setup() {
  const runtime = await testRuntime();
  const accounts = accountsOf(runtime);
  const handlers: Record<string, ApiHandler> = {
    '/authorize': authorizeEndpoint(runtime),
    '/signin': signInEndpoint(runtime),
    '/signup': signUpEndpoint(runtime),
    '/end_session': endSessionEndpoint(runtime),
    '/account': accountPageEndpoint(runtime),
    '/account/profile': accountProfileEndpoint(runtime),
    '/register': registerEndpoint(runtime),
    '/token': tokenEndpoint(runtime),
  };
  const client: ClientRecord = {
    clientId: uniqueName('client'),
    owner: 'owner',
    clientName: 'Photo Printer',
    redirectUris: [REDIRECT],
    postLogoutRedirectUris: [AFTER_LOGOUT],
    grantTypes: ['authorization_code'],
    tokenEndpointAuthMethod: 'client_secret_basic',
    scope: 'read openid profile email',
    secretHash: sha256(SECRET),
    clientIdIssuedAt: 0,
  };
  await storeItem(runtime.db, tableName(runtime.config.tablePrefix, 'clients'), { ...client });

  const browser = () => newBrowser(handlers);

  async function signedIn(b: Browser) {
    const username = uniqueName();
    await accounts.register(username, PASSWORD);
    const page = await b.request('GET', '/signin');
    expect((await b.submit(page, '/signin', { username, password: PASSWORD })).statusCode).toBe(303);
    return username;
  }

  /** A browser's code flow for `openid` (consent approved) and its ID token, as the client redeems it. */
  async function idToken(b: Browser, query: Record<string, string> = {}) {
    const { verifier, challenge } = pkce();
    const params = {
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...query,
    };
    let answer = await b.request('GET', '/authorize', { query: params });
    if (answer.statusCode === 200) answer = await b.submit(answer, '/authorize', { decision: 'approve' });
    const code = location(answer).searchParams.get('code') as string;
    const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier };
    const tokens = await handlers['/token']!(
      apiEvent({ path: '/token', form, headers: { authorization: basic(client.clientId, SECRET) } }),
    );
    return JSON.parse(tokens.body).id_token as string;
  }

  return { runtime, accounts, sessions: sessionsOf(runtime), handlers, client, browser, signedIn, idToken };
}

describe('max_age and a browser', () => {
  it('shows the sign-in page when the sign-in is older than max_age, and continues without it after', async () => {
    const env = await setup();
    const b = env.browser();
    const username = await env.signedIn(b);
    env.runtime.clock.advance(600);
    const query = {
      response_type: 'code',
      client_id: env.client.clientId,
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      max_age: '300',
    };
    const page = await b.request('GET', '/authorize', { query });
    expect(heading(page)).toBe('Sign in');
    const signedIn = await b.submit(page, '/signin', { username, password: PASSWORD });
    expect(location(signedIn).searchParams.has('max_age')).toBe(false);
    expect(heading(await b.follow(signedIn))).toMatch(/^Allow/);

    const silent = await b.request('GET', '/authorize', {
      query: { ...query, max_age: '0', prompt: 'none' },
    });
    expect(location(silent).searchParams.get('error')).toBe('login_required');
  });
});

describe('sign-up, the account page and the profile API', () => {
  let env: Env;
  beforeAll(async () => {
    env = await setup();
  });

  it('creates an account with a name and an email address, and keeps what was typed when one is refused', async () => {
    const b = env.browser();
    const username = uniqueName();
    const page = await b.request('GET', '/signup');
    const fields = {
      username,
      password: PASSWORD,
      password_again: PASSWORD,
      name: 'Grace',
      email: 'not an address',
    };
    const refused = await b.submit(page, '/signup', fields);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('The email address must be one address like name@example.com.');
    expect(refused.body).toContain('value="Grace"');
    const created = await b.submit(refused, '/signup', { ...fields, email: 'grace@example.com' });
    expect(created.statusCode).toBe(303);
    const account = await b.request('GET', '/account');
    expect(account.body).toContain('value="grace@example.com"');
  });

  it('changes the profile on the account page with a 303, and refuses a form without its CSRF token', async () => {
    const b = env.browser();
    await env.signedIn(b);
    const page = await b.request('GET', '/account');
    expect(heading(page)).toBe('Your account');
    const saved = await b.submit(page, '/account', {
      action: 'profile',
      name: 'Ada',
      email: 'ada@example.com',
    });
    expect(saved.statusCode).toBe(303);
    const after = await b.follow(saved);
    expect(after.body).toContain('Your changes are saved.');
    expect(after.body).toContain('value="Ada"');
    const invalid = await b.submit(page, '/account', { action: 'profile', name: 'A\u0007da' });
    expect(invalid.statusCode).toBe(400);
    const forged = await b.request('POST', '/account', { form: { name: 'Mallory' } });
    expect(forged.statusCode).toBe(403);
    expect((await env.browser().request('GET', '/account')).statusCode).toBe(303);
  });

  it('answers the profile API in claim names, PATCH setting and removing fields', async () => {
    const username = uniqueName();
    const registered = await env.handlers['/register']!(
      apiEvent({
        path: '/register',
        json: { username, password: PASSWORD, name: 'Lin', email: 'lin@example.com' },
      }),
    );
    expect(registered.statusCode).toBe(201);
    const refused = await env.handlers['/register']!(
      apiEvent({ path: '/register', json: { username: uniqueName(), password: PASSWORD, email: 'a@b' } }),
    );
    expect(JSON.parse(refused.body).error).toBe('invalid_request');
    const { token } = await env.accounts.login(username, PASSWORD);
    const headers = { authorization: `Bearer ${token}` };
    const profile = env.handlers['/account/profile']!;
    const got = JSON.parse(
      (await profile(apiEvent({ method: 'GET', path: '/account/profile', headers }))).body,
    );
    expect(got).toMatchObject({
      preferred_username: username,
      name: 'Lin',
      email: 'lin@example.com',
      email_verified: false,
    });
    env.runtime.clock.advance(10);
    const patched = await profile(
      apiEvent({ method: 'PATCH', path: '/account/profile', headers, json: { email: null, name: 'Lin B' } }),
    );
    const after = JSON.parse(patched.body);
    expect(after).toEqual({
      sub: got.sub,
      preferred_username: username,
      name: 'Lin B',
      updated_at: got.updated_at + 10,
    });
    const anonymous = await profile(apiEvent({ method: 'GET', path: '/account/profile' }));
    expect(anonymous.statusCode).toBe(401);
  });

  it('takes no session cookie at the profile API, which the browser sends there (it is below /account)', async () => {
    const b = env.browser();
    await env.signedIn(b);
    const cookie = b.jar.header('/account/profile');
    expect(cookie).toContain('tinyoauth_session=');
    const profile = env.handlers['/account/profile']!;
    const headers = { cookie: cookie as string };
    const read = await profile(apiEvent({ method: 'GET', path: '/account/profile', headers }));
    expect(read.statusCode).toBe(401);
    expect(JSON.parse(read.body).error).toBe('invalid_token');
    const changed = await profile(
      apiEvent({ method: 'PATCH', path: '/account/profile', headers, json: { name: 'Mallory' } }),
    );
    expect(changed.statusCode).toBe(401);
    expect(JSON.parse(changed.body).error).toBe('invalid_token');
    expect((await b.request('GET', '/account')).body).not.toContain('Mallory');
  });
});

describe('RP-initiated logout at /end_session', () => {
  let env: Env;
  beforeAll(async () => {
    env = await setup();
  });

  const expectEnded = async (b: Browser, token: string) => {
    expect(b.jar.value('tinyoauth_session')).toBeUndefined();
    await expect(env.sessions.authenticate(token)).rejects.toBeInstanceOf(InvalidToken);
  };

  it('signs out at once with a hint for this session, and sends the browser back with state', async () => {
    const b = env.browser();
    await env.signedIn(b);
    const session = b.jar.value('tinyoauth_session') as string;
    const hint = await env.idToken(b);
    const result = await b.request('GET', '/end_session', {
      query: { id_token_hint: hint, post_logout_redirect_uri: AFTER_LOGOUT, state: 'st 1' },
    });
    expect(result.statusCode).toBe(302);
    expect(result.headers?.Location).toBe(`${AFTER_LOGOUT}?state=st+1`);
    await expectEnded(b, session);
  });

  it('asks first without a hint, with the app named and its origin in form-action, then signs out', async () => {
    const b = env.browser();
    await env.signedIn(b);
    const session = b.jar.value('tinyoauth_session') as string;
    const query = { client_id: env.client.clientId, post_logout_redirect_uri: AFTER_LOGOUT, state: 'x' };
    const page = await b.request('GET', '/end_session', { query });
    expect(page.statusCode).toBe(200);
    expect(heading(page)).toBe('Sign out?');
    expect(page.body).toContain('Photo Printer');
    expect(page.headers?.['Content-Security-Policy']).toContain("form-action 'self' https://app.example.com");
    await env.sessions.authenticate(session);
    const confirmed = await b.submit(page, '/end_session');
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers?.Location).toBe(`${AFTER_LOGOUT}?state=x`);
    await expectEnded(b, session);
  });

  it('asks first when the hint names another session of the user', async () => {
    const b = env.browser();
    await env.signedIn(b);
    const hint = await env.idToken(b);
    const other = env.browser();
    await env.signedIn(other);
    const page = await other.request('GET', '/end_session', { query: { id_token_hint: hint } });
    expect(heading(page)).toBe('Sign out?');
  });

  it('isolates the asking client’s name on the confirmation page, so that it cannot reorder the text', async () => {
    // Registration refuses such a name now; one stored before that must still be shown harmlessly.
    const name = 'Bank \u202Egnp.exe\u202C';
    const spoof = { ...env.client, clientId: uniqueName('client'), clientName: name };
    await storeItem(env.runtime.db, tableName(env.runtime.config.tablePrefix, 'clients'), { ...spoof });
    const b = env.browser();
    await env.signedIn(b);
    const page = await b.request('GET', '/end_session', { query: { client_id: spoof.clientId } });
    expect(heading(page)).toBe('Sign out?');
    expect(page.body).toContain(`<strong><bdi class="client">${name}</bdi></strong> asks to sign you out`);
    expect(page.body.replaceAll(/<bdi class="client">[^<]*<\/bdi>/g, '')).not.toContain('\u202E');
  });

  it('turns a client’s cross-site POST into a GET that carries the session cookie', async () => {
    const b = env.browser();
    const form = { client_id: env.client.clientId, state: 'y' };
    const result = await env.handlers['/end_session']!(
      apiEvent({ method: 'POST', path: '/end_session', form, headers: { 'sec-fetch-site': 'cross-site' } }),
    );
    expect(result.statusCode).toBe(303);
    expect(location(result).pathname).toBe('/end_session');
    expect(Object.fromEntries(location(result).searchParams)).toEqual(form);
    expect(heading(await b.follow(result))).toBe('You have signed out');
  });

  it.each([
    [{ post_logout_redirect_uri: AFTER_LOGOUT }, 'needs "client_id" or "id_token_hint"'],
    [{ client_id: 'x', post_logout_redirect_uri: AFTER_LOGOUT }, 'The client is not registered.'],
    [{ post_logout_redirect_uri: 'https://evil.example/' }, 'is not registered for this client'],
  ])('refuses %j with a page and signs nobody out', async (query, message) => {
    const b = env.browser();
    await env.signedIn(b);
    const withClient = 'client_id' in query ? query : { ...query, client_id: env.client.clientId };
    const parameters = message.startsWith('needs') ? query : withClient;
    const result = await b.request('GET', '/end_session', { query: parameters });
    expect(result.statusCode).toBe(400);
    expect(result.body).toContain(message.replace(/"/g, '&quot;'));
    expect(b.jar.value('tinyoauth_session')).toBeDefined();
  });

  it('refuses a client_id that is not the hint’s audience', async () => {
    const b = env.browser();
    await env.signedIn(b);
    const hint = await env.idToken(b);
    const result = await b.request('GET', '/end_session', {
      query: { id_token_hint: hint, client_id: 'another' },
    });
    expect(result.statusCode).toBe(400);
  });
});
