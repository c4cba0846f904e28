/**
 * The browser sign-in flow through the handlers exactly as Lambda calls them, against DynamoDB Local:
 * sign-in page, session cookie, consent (remembered, widened, denied), prompt, CSRF and origin checks,
 * sign-up, sign-out, and the security headers and escaping of every page. A real browser runs the same
 * flow in test/browser.
 */
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoConsentStore } from '#adapters/dynamo/consents';
import type { ApiHandler } from '#adapters/http/handler';
import type { ApiResult } from '#adapters/http/responses';
import { userAdministration } from '#app/admin-services';
import { authorizeEndpoint, signOutEndpoint, signUpEndpoint } from '#app/endpoints';
import { signInEndpoint } from '#app/passkey-endpoints';
import {
  accounts as accountsOf,
  browserSessions as browserSessionsOf,
  consents as consentsOf,
  sessions as sessionsOf,
} from '#app/services';
import { PAGE_PATHS } from '#contract/pages';
import { tableName } from '#contract/tables';
import type { ClientRecord } from '#core/clients/records';
import { sha256 } from '#core/secrets';
import { CookieJar, hiddenFields, unescapeHtml } from '../../../fakes/browser.ts';
import { apiEvent, pkce } from '../../../fakes/events.ts';
import { storeItem, testRuntime, uniqueName } from '../../../fakes/runtime.ts';

const REDIRECT = 'https://app.example.com/callback?from=tinyoauth';
const PASSWORD = 'correct horse battery';
const HTML_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

const field = (page: string, name: string) => hiddenFields(page).find(([key]) => key === name)?.[1];

const location = (result: ApiResult) => new URL(String(result.headers?.Location));
const json = (result: ApiResult) => JSON.parse(result.body);

type Env = Awaited<ReturnType<typeof setup>>;

async function setup() {
  const runtime = await testRuntime({ lockout: { maxFailures: 3, windowSeconds: 600 } });
  const accounts = accountsOf(runtime);
  const issuer = runtime.config.issuer;
  const handlers: Record<string, ApiHandler> = {
    '/authorize': authorizeEndpoint(runtime),
    '/signin': signInEndpoint(runtime),
    '/signup': signUpEndpoint(runtime),
    '/signout': signOutEndpoint(runtime),
  };

  async function client(overrides: Partial<ClientRecord> = {}) {
    const record: ClientRecord = {
      clientId: uniqueName('client'),
      owner: 'owner',
      clientName: 'Photo Printer',
      redirectUris: [REDIRECT],
      grantTypes: ['authorization_code', 'refresh_token'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      scope: 'read write',
      secretHash: sha256('secret'),
      clientIdIssuedAt: 0,
      ...overrides,
    };
    await storeItem(runtime.db, tableName(runtime.config.tablePrefix, 'clients'), { ...record });
    return record;
  }

  async function user() {
    const username = uniqueName();
    await accounts.register(username, PASSWORD);
    return username;
  }

  /** One browser: its cookies, and requests made the way a browser makes them. */
  function browser() {
    const jar = new CookieJar();
    async function request(
      method: 'GET' | 'POST',
      path: string,
      input: { query?: Record<string, string | string[]>; form?: Record<string, string | string[]> } = {},
      extraHeaders: Record<string, string> = {},
    ) {
      const cookie = jar.header(path);
      const headers: Record<string, string> = {
        accept: HTML_ACCEPT,
        ...(cookie ? { cookie } : {}),
        // What Chromium sends for a form on a page with Referrer-Policy: no-referrer.
        ...(method === 'POST' ? { origin: 'null', 'sec-fetch-site': 'same-origin' } : {}),
        ...extraHeaders,
      };
      const handler = handlers[path];
      if (!handler) throw new Error(`no handler for ${path}`);
      const result = await handler(apiEvent({ method, path, headers, ...input }));
      jar.store((result.multiValueHeaders?.['Set-Cookie'] ?? []) as string[]);
      return result;
    }
    /** Follows a Location that points back into tinyoauth. */
    const follow = (result: ApiResult) => {
      const url = location(result);
      expect(url.origin).toBe(new URL(issuer).origin);
      const query: Record<string, string[]> = {};
      for (const [name, value] of url.searchParams) query[name] = [...(query[name] ?? []), value];
      return request('GET', url.pathname, { query });
    };
    /** Posts the page's form with its hidden fields plus `fields`. */
    const submit = (page: ApiResult, path: string, fields: Record<string, string> = {}) => {
      const form: Record<string, string[]> = {};
      for (const [name, value] of hiddenFields(page.body)) form[name] = [...(form[name] ?? []), value];
      for (const [name, value] of Object.entries(fields)) form[name] = [value];
      return request('POST', path, { form });
    };
    return { jar, request, follow, submit };
  }

  function authorizeQuery(c: ClientRecord, overrides: Record<string, string> = {}) {
    return {
      response_type: 'code',
      client_id: c.clientId,
      redirect_uri: REDIRECT,
      state: 'xyz',
      scope: 'read',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      ...overrides,
    };
  }

  /** Sign-in page → credentials → back at /authorize: the response there (consent page or code). */
  async function signIn(b: ReturnType<typeof browser>, username: string, query: Record<string, string>) {
    const page = await b.request('GET', '/authorize', { query });
    expect(page.statusCode).toBe(200);
    const posted = await b.submit(page, '/signin', { username, password: PASSWORD });
    expect(posted.statusCode).toBe(303);
    return b.follow(posted);
  }

  return {
    runtime,
    issuer,
    handlers,
    sessions: sessionsOf(runtime),
    accounts,
    browserSessions: browserSessionsOf(runtime),
    client,
    user,
    browser,
    authorizeQuery,
    signIn,
  };
}

describe('GET /authorize from a browser without a session', () => {
  let env: Env;
  let c: ClientRecord;
  beforeAll(async () => {
    env = await setup();
    c = await env.client();
  });

  it('shows the sign-in page carrying the request, with the security headers', async () => {
    const b = env.browser();
    const query = env.authorizeQuery(c);
    const result = await b.request('GET', '/authorize', { query });
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['Content-Type']).toBe('text/html; charset=utf-8');
    const csp = String(result.headers?.['Content-Security-Policy']);
    expect(csp).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; form-action 'self' https:\/\/app\.example\.com; frame-ancestors 'none'; base-uri 'none'$/,
    );
    expect(result.headers).toMatchObject({
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    expect(result.body).toContain('<h1>Sign in</h1>');
    expect(result.body).toContain('Photo Printer');
    expect(result.body).toContain(`action="${env.issuer}/signin"`);
    expect(result.body).toMatch(/<label for="username">Username<\/label>/);
    expect(result.body).toMatch(/<label for="password">Password<\/label>/);
    expect(result.body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(result.body).not.toMatch(/<script/i);
    expect(new URLSearchParams(field(result.body, 'request'))).toEqual(new URLSearchParams(query));
    expect(result.body).toContain(`href="${env.issuer}/signup?`);
    // The form nonce: HttpOnly, Lax, scoped to the pages, not Secure on a localhost issuer.
    const nonces = b.jar.named('tinyoauth_form');
    expect(nonces.map((nonce) => nonce.path)).toEqual([...PAGE_PATHS]);
    for (const nonce of nonces) {
      expect(nonce.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(nonce.attributes).toEqual([`Path=${nonce.path}`, 'Max-Age=3600', 'HttpOnly', 'SameSite=Lax']);
    }
  });

  it('keeps answering an API caller with 401 JSON login_required', async () => {
    const query = env.authorizeQuery(c);
    const bare = await env.handlers['/authorize']!(apiEvent({ path: '/authorize', query }));
    expect(bare.statusCode).toBe(401);
    expect(json(bare).error).toBe('login_required');
    const asJson = await env.handlers['/authorize']!(
      apiEvent({ path: '/authorize', query, headers: { accept: 'application/json' } }),
    );
    expect(json(asJson).error).toBe('login_required');
    const bearer = await env.handlers['/authorize']!(
      apiEvent({ path: '/authorize', query, headers: { accept: HTML_ACCEPT, authorization: 'Bearer nope' } }),
    );
    expect(bearer.statusCode).toBe(401);
    expect(json(bearer).error).toBe('login_required');
  });

  it('shows an error page, never a redirect, for an unknown client', async () => {
    const result = await env.browser().request('GET', '/authorize', {
      query: env.authorizeQuery(c, { client_id: 'nobody' }),
    });
    expect(result.statusCode).toBe(400);
    expect(result.headers?.Location).toBeUndefined();
    expect(result.headers?.['Content-Type']).toBe('text/html; charset=utf-8');
    expect(result.body).toContain('The client is not registered.');
    expect(result.headers?.['X-Frame-Options']).toBe('DENY');
  });

  /** The page that stands in for an error redirect before sign-in, and the error response its link carries. */
  function returnPage(result: ApiResult) {
    expect(result.statusCode).toBeGreaterThanOrEqual(400);
    expect(result.headers?.Location).toBeUndefined();
    expect(result.headers?.['Content-Type']).toBe('text/html; charset=utf-8');
    expect(result.headers?.['Content-Security-Policy']).toMatch(/^default-src 'none'; /);
    expect(result.body).not.toMatch(/<script|http-equiv/i);
    const links = [...result.body.matchAll(/<a href="([^"]*)">/g)].map((match) => unescapeHtml(match[1]!));
    expect(links).toHaveLength(1);
    return new URL(links[0]!);
  }

  // RFC 9700 §4.11.2: anyone can register a client with any redirect URI, so before the user has signed
  // in, no error may send the browser there by itself (an open redirector on tinyoauth's name).
  it.each([
    ['an unavailable scope', { scope: 'read admin' }, 400, 'invalid_scope'],
    ['response_type=token', { response_type: 'token' }, 400, 'unsupported_response_type'],
    ['the plain PKCE method', { code_challenge_method: 'plain' }, 400, 'invalid_request'],
    ['no code_challenge', { code_challenge: '' }, 400, 'invalid_request'],
    ['prompt=none combined with another value', { prompt: 'none login' }, 400, 'invalid_request'],
    ['prompt=none', { prompt: 'none' }, 401, 'login_required'],
  ])(
    'answers %s before sign-in with a page naming the app, never a redirect',
    async (_name, overrides, status, error) => {
      const result = await env
        .browser()
        .request('GET', '/authorize', { query: env.authorizeQuery(c, overrides) });
      expect(result.statusCode).toBe(status);
      const link = returnPage(result);
      expect(result.body).toContain('<bdi class="client">Photo Printer</bdi>');
      expect(result.body).toContain('<bdi>app.example.com</bdi>');
      // The user may still go back: the link carries the error response the redirect would have.
      expect(`${link.origin}${link.pathname}`).toBe('https://app.example.com/callback');
      expect(link.searchParams.get('from')).toBe('tinyoauth');
      expect(link.searchParams.get('error')).toBe(error);
      expect(link.searchParams.get('state')).toBe('xyz');
      expect(link.searchParams.get('iss')).toBe(env.issuer);
    },
  );

  it('answers an API caller without a session with the error as JSON, never a redirect', async () => {
    const query = env.authorizeQuery(c, { scope: 'admin' });
    for (const headers of [{}, { authorization: 'Bearer not-a-session' }] as Record<string, string>[]) {
      const result = await env.handlers['/authorize']!(apiEvent({ path: '/authorize', query, headers }));
      expect(result.statusCode).toBe(400);
      expect(result.headers?.Location).toBeUndefined();
      expect(json(result).error).toBe('invalid_scope');
    }
    const silent = await env.handlers['/authorize']!(
      apiEvent({ path: '/authorize', query: env.authorizeQuery(c, { prompt: 'none' }) }),
    );
    expect(silent.statusCode).toBe(401);
    expect(json(silent).error).toBe('login_required');
  });

  it('escapes what the page shows of the client and its redirect URI', async () => {
    const hostile = await env.client({ clientName: '<b>"Co"</b>' });
    const result = await env.browser().request('GET', '/authorize', {
      query: env.authorizeQuery(hostile, { scope: 'admin', state: '"><script>x</script>' }),
    });
    const link = returnPage(result);
    expect(result.body).toContain('&lt;b&gt;&quot;Co&quot;&lt;/b&gt;');
    expect(link.searchParams.get('state')).toBe('"><script>x</script>');
  });
});

describe('errors once the user has signed in', () => {
  it('go back to the app by redirect, as before', async () => {
    const env = await setup();
    const c = await env.client();
    const b = env.browser();
    await env.signIn(b, await env.user(), env.authorizeQuery(c));
    for (const [overrides, error] of [
      [{ scope: 'read admin' }, 'invalid_scope'],
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
    ] as const) {
      const result = await b.request('GET', '/authorize', { query: env.authorizeQuery(c, overrides) });
      expect(result.statusCode).toBe(302);
      expect(location(result).searchParams.get('error')).toBe(error);
      expect(location(result).searchParams.get('state')).toBe('xyz');
    }
  });
});

describe('signing in, consent and the code', () => {
  let env: Env;
  let c: ClientRecord;
  beforeAll(async () => {
    env = await setup();
    c = await env.client();
  });

  it('sets the session cookie after sign-in and continues to /authorize with a 303', async () => {
    const b = env.browser();
    const username = await env.user();
    const query = env.authorizeQuery(c);
    const page = await b.request('GET', '/authorize', { query });
    const posted = await b.submit(page, '/signin', { username, password: PASSWORD });
    expect(posted.statusCode).toBe(303);
    const next = location(posted);
    expect(`${next.origin}${next.pathname}`).toBe(`${env.issuer}/authorize`);
    expect(Object.fromEntries(next.searchParams)).toEqual(query);

    const cookies = b.jar.named('tinyoauth_session');
    expect(cookies.map(({ path }) => path)).toEqual([...PAGE_PATHS]);
    for (const { path, attributes } of cookies) {
      expect(attributes).toEqual([
        `Path=${path}`,
        `Max-Age=${env.runtime.config.sessionTtlSeconds}`,
        'HttpOnly',
        'SameSite=Lax',
      ]);
    }
    // Sent to the pages, and to nothing else of the API: not to /token, not to the backends.
    expect(b.jar.header('/authorize')).toContain('tinyoauth_session=');
    for (const path of ['/protected/resource', '/protected', '/token', '/client', '/']) {
      expect(b.jar.header(path) ?? '').not.toContain('tinyoauth_session=');
    }
    const cookie = cookies[0];
    // The cookie is the session token itself: the same record backs the bearer token.
    const session = await env.sessions.authenticate(cookie?.value);
    expect(decodeJwt(cookie?.value ?? '').jti).toBe(session.sessionId);
    expect(session.username).toBe(username);
  });

  it('asks for consent, naming the client and scopes, then redirects with a code (303)', async () => {
    const b = env.browser();
    const consent = await env.signIn(b, await env.user(), env.authorizeQuery(c, { scope: 'read write' }));
    expect(consent.statusCode).toBe(200);
    expect(consent.body).toContain('Allow <bdi class="client">Photo Printer</bdi> to use your account?');
    expect(consent.body).toContain('Read your data (<code>read</code>)');
    expect(consent.body).toContain('Create, change and delete your data (<code>write</code>)');
    expect(consent.body).toContain('<strong class="client">app.example.com</strong>');
    expect(consent.headers?.['Content-Security-Policy']).toContain(
      "form-action 'self' https://app.example.com;",
    );
    expect(consent.body).toContain(`action="${env.issuer}/authorize"`);

    const approved = await b.submit(consent, '/authorize', { decision: 'approve' });
    expect(approved.statusCode).toBe(303);
    const url = location(approved);
    expect(`${url.origin}${url.pathname}`).toBe('https://app.example.com/callback');
    expect(url.searchParams.get('from')).toBe('tinyoauth');
    expect(url.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('state')).toBe('xyz');
    expect(url.searchParams.get('iss')).toBe(env.issuer);
    expect(approved.headers?.['Referrer-Policy']).toBe('no-referrer');
  });

  it('remembers consent: the next request for the same scopes gets a code at once', async () => {
    const b = env.browser();
    const consent = await env.signIn(b, await env.user(), env.authorizeQuery(c));
    await b.submit(consent, '/authorize', { decision: 'approve' });

    const again = await b.request('GET', '/authorize', { query: env.authorizeQuery(c, { state: 'second' }) });
    expect(again.statusCode).toBe(302);
    expect(location(again).searchParams.get('code')).toBeTruthy();
    expect(location(again).searchParams.get('state')).toBe('second');

    const silent = await b.request('GET', '/authorize', { query: env.authorizeQuery(c, { prompt: 'none' }) });
    expect(location(silent).searchParams.get('code')).toBeTruthy();
  });

  it('asks again when the client wants more, and then remembers both scopes', async () => {
    const b = env.browser();
    const consent = await env.signIn(b, await env.user(), env.authorizeQuery(c, { scope: 'read' }));
    await b.submit(consent, '/authorize', { decision: 'approve' });

    const wider = env.authorizeQuery(c, { scope: 'read write' });
    const silent = await b.request('GET', '/authorize', { query: { ...wider, prompt: 'none' } });
    expect(location(silent).searchParams.get('error')).toBe('consent_required');
    const asked = await b.request('GET', '/authorize', { query: wider });
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('<code>write</code>');
    await b.submit(asked, '/authorize', { decision: 'approve' });

    for (const scope of ['write', 'read write', 'read']) {
      const result = await b.request('GET', '/authorize', { query: env.authorizeQuery(c, { scope }) });
      expect(result.statusCode).toBe(302);
    }
  });

  it('keeps consent per client', async () => {
    const b = env.browser();
    const consent = await env.signIn(b, await env.user(), env.authorizeQuery(c));
    await b.submit(consent, '/authorize', { decision: 'approve' });
    const other = await env.client({ clientName: 'Other app' });
    const result = await b.request('GET', '/authorize', { query: env.authorizeQuery(other) });
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('Other app');
  });

  it('redirects a denial with access_denied, state and iss, and remembers nothing', async () => {
    const b = env.browser();
    const consent = await env.signIn(b, await env.user(), env.authorizeQuery(c));
    const denied = await b.submit(consent, '/authorize', { decision: 'deny' });
    expect(denied.statusCode).toBe(303);
    const url = location(denied);
    expect(url.searchParams.get('error')).toBe('access_denied');
    expect(url.searchParams.get('state')).toBe('xyz');
    expect(url.searchParams.get('iss')).toBe(env.issuer);
    expect(url.searchParams.get('code')).toBeNull();
    const again = await b.request('GET', '/authorize', { query: env.authorizeQuery(c) });
    expect(again.statusCode).toBe(200);
  });

  it('forces the consent page with prompt=consent and the sign-in page with prompt=login', async () => {
    const b = env.browser();
    const username = await env.user();
    const consent = await env.signIn(b, username, env.authorizeQuery(c));
    await b.submit(consent, '/authorize', { decision: 'approve' });

    const forcedConsent = await b.request('GET', '/authorize', {
      query: env.authorizeQuery(c, { prompt: 'consent' }),
    });
    expect(forcedConsent.body).toContain('to use your account?');

    const forcedLogin = await b.request('GET', '/authorize', {
      query: env.authorizeQuery(c, { prompt: 'login' }),
    });
    expect(forcedLogin.body).toContain('<h1>Sign in</h1>');
    const posted = await b.submit(forcedLogin, '/signin', { username, password: PASSWORD });
    // Signed in again: the continuation no longer asks for it, and consent is still remembered.
    expect(location(posted).searchParams.get('prompt')).toBeNull();
    const done = await b.follow(posted);
    expect(done.statusCode).toBe(302);
    expect(location(done).searchParams.get('code')).toBeTruthy();
  });

  it('lets a same-site POST /authorize without a decision continue like a GET', async () => {
    const b = env.browser();
    const consent = await env.signIn(b, await env.user(), env.authorizeQuery(c));
    expect(consent.statusCode).toBe(200);
    const posted = await b.request('POST', '/authorize', { form: env.authorizeQuery(c) });
    expect(posted.statusCode).toBe(200);
    expect(posted.body).toContain('to use your account?');
  });
});

describe('forged and cross-site forms', () => {
  let env: Env;
  let c: ClientRecord;
  beforeAll(async () => {
    env = await setup();
    c = await env.client();
  });

  async function consentPage() {
    const b = env.browser();
    const page = await env.signIn(b, await env.user(), env.authorizeQuery(c));
    expect(page.statusCode).toBe(200);
    return { b, page };
  }

  it.each([
    ['no CSRF token', { csrf: '' }, {}],
    ['a CSRF token of another purpose', { csrf: 'AAAA' }, {}],
    ['an Origin of another site', {}, { origin: 'https://evil.example' }],
    ['Sec-Fetch-Site: cross-site', {}, { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', {}, { 'sec-fetch-site': 'same-site' }],
  ])(
    'refuses a consent approval with %s: 403 page, no redirect, no consent',
    async (_name, fields, headers) => {
      const { b, page } = await consentPage();
      const form: Record<string, string> = Object.fromEntries(hiddenFields(page.body));
      const result = await b.request(
        'POST',
        '/authorize',
        { form: { ...form, ...fields, decision: 'approve' } },
        headers,
      );
      expect(result.statusCode).toBe(403);
      expect(result.headers?.Location).toBeUndefined();
      expect(result.headers?.['Content-Type']).toBe('text/html; charset=utf-8');
      const again = await b.request('GET', '/authorize', { query: env.authorizeQuery(c) });
      expect(again.statusCode).toBe(200); // still asking: nothing was approved
    },
  );

  it("refuses another client's consent token", async () => {
    const { b, page } = await consentPage();
    const other = await env.client();
    const form = {
      ...Object.fromEntries(hiddenFields(page.body)),
      client_id: other.clientId,
      decision: 'approve',
    };
    const result = await b.request('POST', '/authorize', { form });
    expect(result.statusCode).toBe(403);
  });

  it('refuses a decision without a session cookie by showing the sign-in page', async () => {
    const { page } = await consentPage();
    const stranger = env.browser();
    const form = { ...Object.fromEntries(hiddenFields(page.body)), decision: 'approve' };
    const result = await stranger.request('POST', '/authorize', { form });
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('<h1>Sign in</h1>');
    // The carried request holds the authorization parameters only, not the form's own fields.
    const carried = new URLSearchParams(field(result.body, 'request'));
    expect(carried.has('csrf')).toBe(false);
    expect(carried.has('decision')).toBe(false);
  });

  it('answers a sign-in without the form nonce with a fresh form (403) and checks no password', async () => {
    const b = env.browser();
    const username = await env.user();
    const page = await b.request('GET', '/authorize', { query: env.authorizeQuery(c) });
    b.jar.forget('tinyoauth_form');
    const result = await b.submit(page, '/signin', { username, password: PASSWORD });
    expect(result.statusCode).toBe(403);
    expect(result.body).toContain('This form has expired. Please sign in again.');
    expect(b.jar.value('tinyoauth_session')).toBeUndefined();
    expect(b.jar.value('tinyoauth_form')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The fresh form works.
    const retried = await b.submit(result, '/signin', { username, password: PASSWORD });
    expect(retried.statusCode).toBe(303);
  });

  it('refuses a sign-in posted from another origin', async () => {
    const b = env.browser();
    const page = await b.request('GET', '/authorize', { query: env.authorizeQuery(c) });
    const form = { ...Object.fromEntries(hiddenFields(page.body)), username: 'x', password: PASSWORD };
    const result = await b.request('POST', '/signin', { form }, { origin: 'https://evil.example' });
    expect(result.statusCode).toBe(403);
    expect(b.jar.value('tinyoauth_session')).toBeUndefined();
  });

  it('tells a disabled user so on the form (403), only with the right password, and signs nobody in', async () => {
    const b = env.browser();
    const username = await env.user();
    await userAdministration(env.runtime).disable('local:test', { username });
    const page = await b.request('GET', '/authorize', { query: env.authorizeQuery(c) });
    const wrong = await b.submit(page, '/signin', { username, password: 'wrong password' });
    expect(wrong.statusCode).toBe(401);
    const refused = await b.submit(wrong, '/signin', { username, password: PASSWORD });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain(
      '<p class="alert" role="alert" id="form-error">This account is disabled. Ask the service for help.</p>',
    );
    expect(b.jar.value('tinyoauth_session')).toBeUndefined();
  });

  it('does not follow a carried request anywhere but /authorize', async () => {
    const b = env.browser();
    const username = await env.user();
    const page = await b.request('GET', '/signin');
    const result = await b.submit(page, '/signin', {
      username,
      password: PASSWORD,
      request: `client_id=${c.clientId}&redirect_uri=https://evil.example/cb`,
    });
    expect(result.statusCode).toBe(400);
    expect(result.body).toContain('The &quot;redirect_uri&quot; is not registered for this client.');
    expect(result.headers?.Location).toBeUndefined();
  });
});

describe('sign-in errors', () => {
  let env: Env;
  let c: ClientRecord;
  beforeAll(async () => {
    env = await setup();
    c = await env.client();
  });

  it('says the credentials are wrong (401), keeps the username escaped, and then locks (429)', async () => {
    const b = env.browser();
    const username = await env.user();
    const page = await b.request('GET', '/authorize', { query: env.authorizeQuery(c) });
    let result = page;
    for (let attempt = 1; attempt <= 3; attempt++) {
      result = await b.submit(result, '/signin', { username, password: 'wrong password' });
      expect(result.statusCode).toBe(401);
      expect(result.body).toContain(
        '<p class="alert" role="alert" id="form-error">The username or password is incorrect.</p>',
      );
      expect(result.body).toContain(`value="${username}"`);
      expect(field(result.body, 'request')).toBe(field(page.body, 'request'));
    }
    const locked = await b.submit(result, '/signin', { username, password: PASSWORD });
    expect(locked.statusCode).toBe(429);
    expect(locked.headers?.['Retry-After']).toBe('600');
    expect(locked.body).toContain('Too many failed sign-ins for this account. Try again in 10 minutes.');
    expect(b.jar.value('tinyoauth_session')).toBeUndefined();
  });

  it('escapes a hostile username echoed back', async () => {
    const b = env.browser();
    const page = await b.request('GET', '/signin');
    const hostile = '"><script>alert(1)</script>';
    const result = await b.submit(page, '/signin', { username: hostile, password: 'whatever pw' });
    expect(result.statusCode).toBe(401);
    expect(result.body).not.toContain('<script>');
    expect(result.body).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('asks for both fields', async () => {
    const b = env.browser();
    const page = await b.request('GET', '/signin');
    const result = await b.submit(page, '/signin', { username: 'someone', password: '' });
    expect(result.statusCode).toBe(400);
    expect(result.body).toContain('Enter your username and your password.');
  });
});

describe('hostile client metadata and parameters', () => {
  it('escapes the client name and every carried parameter', async () => {
    const env = await setup();
    const c = await env.client({ clientName: '<img src=x onerror=alert(1)> & "Co"' });
    const b = env.browser();
    const state = `"><script>alert('state')</script>`;
    const page = await b.request('GET', '/authorize', {
      query: env.authorizeQuery(c, { state, extra: '</textarea>' }),
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<img');
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot;');
    expect(new URLSearchParams(field(page.body, 'request')).get('state')).toBe(state);

    const consent = await b.submit(page, '/signin', { username: await env.user(), password: PASSWORD });
    const shown = await b.follow(consent);
    expect(shown.body).not.toContain('<img');
    expect(shown.body).not.toContain('<script>');
    expect(field(shown.body, 'state')).toBe(state);
    const approved = await b.submit(shown, '/authorize', { decision: 'approve' });
    expect(location(approved).searchParams.get('state')).toBe(state);
  });

  it('isolates the client name wherever it is shown, so that it cannot reorder the text around it', async () => {
    // Registration refuses such a name now; one stored before that must still be shown harmlessly.
    const name = 'Bank \u202Egnp.exe\u202C';
    const env = await setup();
    const c = await env.client({ clientName: name });
    const b = env.browser();
    const page = await b.request('GET', '/authorize', { query: env.authorizeQuery(c) });
    expect(page.body).toContain(`<strong><bdi class="client">${name}</bdi></strong>`);
    const consent = await b.follow(
      await b.submit(page, '/signin', { username: await env.user(), password: PASSWORD }),
    );
    expect(consent.body).toContain(`<h1>Allow <bdi class="client">${name}</bdi> to use your account?</h1>`);
    expect(consent.body).toContain(`<strong><bdi class="client">${name}</bdi></strong> will be able to:`);
    expect(consent.body).toContain(`<title>Allow \u2068${name}\u2069? · tinyoauth</title>`);
    const isolated = /<bdi class="client">[^<]*<\/bdi>|\u2068[^\u2069]*\u2069/g;
    expect(consent.body.replaceAll(isolated, '')).not.toContain('\u202E');
  });
});

describe('sign-up', () => {
  let env: Env;
  let c: ClientRecord;
  beforeAll(async () => {
    env = await setup();
    c = await env.client();
  });

  it('creates the account, signs in and continues the authorization', async () => {
    const b = env.browser();
    const signInPage = await b.request('GET', '/authorize', { query: env.authorizeQuery(c) });
    const link = /href="([^"]*\/signup\?[^"]*)"/.exec(signInPage.body)?.[1];
    const signUpUrl = new URL(unescapeHtml(link ?? ''));
    const page = await b.request('GET', '/signup', { query: Object.fromEntries(signUpUrl.searchParams) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Create an account</h1>');
    expect(page.body).toContain('Photo Printer');
    expect(page.body).toContain('autocomplete="new-password"');

    const username = uniqueName();
    const created = await b.submit(page, '/signup', {
      username,
      password: PASSWORD,
      password_again: PASSWORD,
    });
    expect(created.statusCode).toBe(303);
    expect(b.jar.value('tinyoauth_session')).toBeTruthy();
    const consent = await b.follow(created);
    expect(consent.body).toContain(`Signed in as <strong>${username}</strong>`);
  });

  it.each([
    [
      'different passwords',
      { password_again: 'something else entirely' },
      400,
      'The two passwords are not the same.',
    ],
    [
      'a short password',
      { password: 'short', password_again: 'short' },
      400,
      'Passwords are 8 to 128 characters long.',
    ],
    ['an invalid username', { username: 'no spaces allowed' }, 400, 'Usernames are 3 to 64 characters'],
  ])('refuses %s', async (_name, overrides, status, message) => {
    const b = env.browser();
    const page = await b.request('GET', '/signup');
    const result = await b.submit(page, '/signup', {
      username: uniqueName(),
      password: PASSWORD,
      password_again: PASSWORD,
      ...overrides,
    });
    expect(result.statusCode).toBe(status);
    expect(result.body).toContain(message);
    expect(b.jar.value('tinyoauth_session')).toBeUndefined();
  });

  it('refuses a taken username with 409', async () => {
    const b = env.browser();
    const page = await b.request('GET', '/signup');
    const result = await b.submit(page, '/signup', {
      username: await env.user(),
      password: PASSWORD,
      password_again: PASSWORD,
    });
    expect(result.statusCode).toBe(409);
    expect(result.body).toContain('That username is already taken.');
  });

  it('answers a sign-up without the form nonce with a fresh form (403) and creates no account', async () => {
    const b = env.browser();
    const page = await b.request('GET', '/signup', { query: env.authorizeQuery(c) });
    b.jar.forget('tinyoauth_form');
    const username = uniqueName();
    const fields = { username, password: PASSWORD, password_again: PASSWORD };
    const result = await b.submit(page, '/signup', fields);
    expect(result.statusCode).toBe(403);
    expect(result.body).toContain('This form has expired. Please try again.');
    expect(result.body).toContain(`value="${username}"`);
    expect(field(result.body, 'request')).toBe(field(page.body, 'request'));
    expect(b.jar.value('tinyoauth_form')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The fresh form works, so no account was made the first time.
    expect((await b.submit(result, '/signup', fields)).statusCode).toBe(303);
  });

  it('creates an account whose name is already locked, then shows the sign-in page with 429', async () => {
    const b = env.browser();
    const username = uniqueName();
    // Failed sign-ins count for a name before it exists.
    let signIn = await b.request('GET', '/signin');
    for (let attempt = 1; attempt <= 3; attempt++) {
      signIn = await b.submit(signIn, '/signin', { username, password: 'wrong password' });
      expect(signIn.statusCode).toBe(401);
    }
    const page = await b.request('GET', '/signup', { query: env.authorizeQuery(c) });
    const result = await b.submit(page, '/signup', {
      username,
      password: PASSWORD,
      password_again: PASSWORD,
    });
    expect(result.statusCode).toBe(429);
    expect(result.headers?.['Retry-After']).toBe('600');
    expect(result.body).toContain('<h1>Sign in</h1>');
    expect(result.body).toContain('Your account has been created.');
    expect(result.body).toContain(
      'Signing in to this account is locked after too many failed attempts. Try again in 10 minutes.',
    );
    expect(field(result.body, 'request')).toBe(field(page.body, 'request'));
    expect(b.jar.value('tinyoauth_session')).toBeUndefined();
    const again = await b.submit(await b.request('GET', '/signup'), '/signup', {
      username,
      password: PASSWORD,
      password_again: PASSWORD,
    });
    expect(again.statusCode).toBe(409);
  });
});

describe('signing out and logging out', () => {
  let env: Env;
  let c: ClientRecord;
  beforeAll(async () => {
    env = await setup();
    c = await env.client();
  });

  it('ends the session from the sign-out page, for the cookie and the bearer token alike', async () => {
    const b = env.browser();
    const username = await env.user();
    await env.signIn(b, username, env.authorizeQuery(c));
    const token = b.jar.value('tinyoauth_session');

    const page = await b.request('GET', '/signout');
    expect(page.body).toContain(`Signed in as <strong>${username}</strong>`);
    expect(page.headers?.['Content-Security-Policy']).toContain("form-action 'self';");
    const done = await b.submit(page, '/signout');
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('You have signed out');
    expect(b.jar.value('tinyoauth_session')).toBeUndefined();
    await expect(env.sessions.authenticate(token)).rejects.toThrow('The session has ended.');

    const after = await b.request('GET', '/signout');
    expect(after.body).toContain('You are not signed in');
    const back = await b.request('GET', '/authorize', { query: env.authorizeQuery(c) });
    expect(back.body).toContain('<h1>Sign in</h1>');
  });

  it('needs the sign-out token: a forged sign-out keeps the session', async () => {
    const b = env.browser();
    await env.signIn(b, await env.user(), env.authorizeQuery(c));
    const result = await b.request('POST', '/signout', { form: { csrf: 'forged' } });
    expect(result.statusCode).toBe(403);
    await expect(env.sessions.authenticate(b.jar.value('tinyoauth_session'))).resolves.toBeTruthy();
  });

  it('ends the cookie session when the bearer session is logged out (POST /logout)', async () => {
    const b = env.browser();
    const username = await env.user();
    const consent = await env.signIn(b, username, env.authorizeQuery(c));
    await b.submit(consent, '/authorize', { decision: 'approve' });
    await env.sessions.logout(b.jar.value('tinyoauth_session'));
    const result = await b.request('GET', '/authorize', { query: env.authorizeQuery(c) });
    expect(result.body).toContain('<h1>Sign in</h1>');
  });

  it('shows the signed-in page on GET /signin without a request', async () => {
    const b = env.browser();
    const username = await env.user();
    const page = await b.request('GET', '/signin');
    const posted = await b.submit(page, '/signin', { username, password: PASSWORD });
    expect(location(posted).toString()).toBe(`${env.issuer}/signin`);
    const shown = await b.follow(posted);
    expect(shown.body).toContain('You are signed in');
    expect(shown.body).toContain(`action="${env.issuer}/signout"`);
  });
});

describe('the consents table', () => {
  it('unions concurrent approvals instead of losing one', async () => {
    const runtime = await testRuntime({ scopesSupported: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] });
    const consents = consentsOf(runtime);
    const sub = uniqueName('sub');
    const scopes = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    await Promise.all(scopes.map((scope) => consents.remember(sub, 'app', scope)));
    expect(await consents.covers(sub, 'app', scopes.join(' '))).toBe(true);
    const store = new DynamoConsentStore(runtime.db, runtime.config.tablePrefix);
    const record = await store.findConsent(sub, 'app');
    expect(record?.scopes.sort()).toEqual(scopes);
    expect(record?.createdAt).toBe(record?.updatedAt);
  });

  it('stores an approval of no scope as a record without a set', async () => {
    const runtime = await testRuntime();
    const store = new DynamoConsentStore(runtime.db, runtime.config.tablePrefix);
    const sub = uniqueName('sub');
    await store.addScopes(sub, 'app', [], 100);
    expect(await store.findConsent(sub, 'app')).toEqual({
      sub,
      clientId: 'app',
      scopes: [],
      createdAt: 100,
      updatedAt: 100,
    });
  });
});
