/**
 * tinyoauth as an OpenID Provider for the relying-party libraries teams already use, over HTTP against
 * `npm start`: openid-client with its default discovery (`/.well-known/openid-configuration`), and
 * oauth4webapi's OpenID Connect functions. Each runs code + PKCE + nonce, validates the ID token,
 * calls userinfo, refreshes, and follows the end-session URL it builds, which must end the session.
 */
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

const REDIRECT = 'http://127.0.0.1:8765/callback';
const AFTER_LOGOUT = 'http://127.0.0.1:8765/signed-out';
const SCOPE = 'openid profile email read';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function call(path: string, init: RequestInit & { json?: unknown; bearer?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  if (init.bearer) headers.set('authorization', `Bearer ${init.bearer}`);
  return fetch(`${stack.baseUrl}${path}`, {
    ...init,
    headers,
    redirect: 'manual',
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
}

/** A new user with a name and an email address, signed in: their session token. */
async function signedInUser() {
  const username = `oidc-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const credentials = { username, password: 'correct horse battery' };
  const profile = { name: 'Ada Lovelace', email: `${username}@example.com` };
  expect((await call('/register', { method: 'POST', json: { ...credentials, ...profile } })).status).toBe(
    201,
  );
  const login = await call('/login', { method: 'POST', json: credentials });
  return { username, ...profile, session: (await login.json()).token as string };
}

async function registerClient(session: string, metadata: Record<string, unknown> = {}) {
  const response = await call('/client', {
    method: 'POST',
    bearer: session,
    json: {
      client_name: 'OIDC e2e app',
      redirect_uris: [REDIRECT],
      post_logout_redirect_uris: [AFTER_LOGOUT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: SCOPE,
      ...metadata,
    },
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { client_id: string; client_secret: string };
}

/** The browser's trip to /authorize, with the session as the user: where it is sent back to. */
async function authorizeAs(session: string, url: URL): Promise<URL> {
  const redirect = await fetch(url, { headers: { authorization: `Bearer ${session}` }, redirect: 'manual' });
  expect(redirect.status).toBe(302);
  return new URL(redirect.headers.get('location') as string);
}

/** The end-session URL followed by the browser that holds the session cookie. */
async function followLogout(url: URL, session: string) {
  const response = await fetch(url, {
    headers: { cookie: `tinyoauth_session=${session}` },
    redirect: 'manual',
  });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location') as string);
}

/** Everything the session carried is over: the session token, and the access token of its grant. */
async function expectSessionEnded(session: string, accessToken: string) {
  expect((await call('/logout', { method: 'POST', bearer: session })).status).toBe(401);
  expect((await call('/protected/resource', { bearer: accessToken })).status).toBe(401);
  expect((await call('/userinfo', { bearer: accessToken })).status).toBe(401);
}

describe('openid-client, with its default discovery', () => {
  it('signs in with code + PKCE + nonce, validates the ID token, reads userinfo, refreshes and logs out', async () => {
    const user = await signedInUser();
    const registered = await registerClient(user.session);
    const config = await client.discovery(
      new URL(stack.baseUrl),
      registered.client_id,
      undefined,
      client.ClientSecretBasic(registered.client_secret),
      { execute: [client.allowInsecureRequests] },
    );
    expect(config.serverMetadata().userinfo_endpoint).toBe(`${stack.baseUrl}/userinfo`);

    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: SCOPE,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state,
      max_age: '300',
    });
    const tokens = await client.authorizationCodeGrant(config, await authorizeAs(user.session, url), {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: state,
      idTokenExpected: true,
      maxAge: 300,
    });
    const claims = tokens.claims();
    expect(claims).toMatchObject({
      iss: stack.baseUrl,
      aud: registered.client_id,
      nonce,
      amr: ['pwd'],
      preferred_username: user.username,
      name: user.name,
      email: user.email,
      email_verified: false,
    });
    expect(typeof claims?.auth_time).toBe('number');
    expect(typeof claims?.sid).toBe('string');

    const info = await client.fetchUserInfo(config, tokens.access_token, claims?.sub as string);
    expect(info).toMatchObject({ sub: claims?.sub, preferred_username: user.username, email: user.email });

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.claims()).toMatchObject({
      sub: claims?.sub,
      sid: claims?.sid,
      auth_time: claims?.auth_time,
    });
    expect(refreshed.claims()).not.toHaveProperty('nonce');

    const logout = client.buildEndSessionUrl(config, {
      id_token_hint: refreshed.id_token as string,
      post_logout_redirect_uri: AFTER_LOGOUT,
      state: 'bye',
    });
    expect((await followLogout(logout, user.session)).toString()).toBe(`${AFTER_LOGOUT}?state=bye`);
    await expectSessionEnded(user.session, refreshed.access_token);
  });
});

describe('oauth4webapi, OpenID Connect functions', () => {
  const insecure = { [oauth.allowInsecureRequests]: true };

  it('signs in with an ES256 ID token, reads userinfo, refreshes and logs out', async () => {
    const user = await signedInUser();
    const registered = await registerClient(user.session, { id_token_signed_response_alg: 'ES256' });
    const issuer = new URL(stack.baseUrl);
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
    );
    const rp: oauth.Client = { client_id: registered.client_id, id_token_signed_response_alg: 'ES256' };
    const auth = oauth.ClientSecretBasic(registered.client_secret);
    const verifier = oauth.generateRandomCodeVerifier();
    const nonce = oauth.generateRandomNonce();
    const url = new URL(as.authorization_endpoint as string);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: rp.client_id,
      redirect_uri: REDIRECT,
      scope: SCOPE,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    const callback = oauth.validateAuthResponse(as, rp, await authorizeAs(user.session, url));
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      rp,
      await oauth.authorizationCodeGrantRequest(as, rp, auth, callback, REDIRECT, verifier, insecure),
      { expectedNonce: nonce, requireIdToken: true },
    );
    const claims = oauth.getValidatedIdTokenClaims(tokens) as oauth.IDToken;
    expect(claims).toMatchObject({ aud: rp.client_id, nonce, name: user.name });

    const info = await oauth.processUserInfoResponse(
      as,
      rp,
      claims.sub,
      await oauth.userInfoRequest(as, rp, tokens.access_token, insecure),
    );
    expect(info.email).toBe(user.email);

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      rp,
      await oauth.refreshTokenGrantRequest(as, rp, auth, tokens.refresh_token as string, insecure),
    );
    expect(oauth.getValidatedIdTokenClaims(refreshed)?.sub).toBe(claims.sub);

    const logout = new URL(as.end_session_endpoint as string);
    logout.search = new URLSearchParams({
      id_token_hint: tokens.id_token as string,
      post_logout_redirect_uri: AFTER_LOGOUT,
    }).toString();
    expect((await followLogout(logout, user.session)).toString()).toBe(AFTER_LOGOUT);
    await expectSessionEnded(user.session, refreshed.access_token);
  });
});

describe('browser clients through the local gateway', () => {
  it('answers CORS preflights on the endpoints an SPA calls, and on nothing else', async () => {
    const origin = 'https://spa.example';
    const preflight = (path: string) =>
      call(path, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    const token = await preflight('/token');
    expect(token.status).toBe(204);
    expect(token.headers.get('access-control-allow-origin')).toBe(origin);
    expect(token.headers.get('access-control-allow-credentials')).toBeNull();
    const discovery = await call('/.well-known/openid-configuration', { headers: { origin } });
    expect(discovery.headers.get('access-control-allow-origin')).toBe('*');
    // No OPTIONS method there: the gateway's 405 (with `Allow`), and no CORS header a browser could use.
    for (const path of ['/introspect', '/login']) {
      const refused = await preflight(path);
      expect(refused.status).toBe(405);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});
