/**
 * The whole product over HTTP against `npm start`, driven by oauth4webapi, a standards-strict OAuth
 * client: discovery → authorize (PKCE, state, RFC 9207 iss) → token → RFC 9068 validation → protected
 * call through the authorizer → refresh → revoke. Then every way a call to /protected/* must fail.
 */
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedBaseUrl, type LocalStack, startLocalStack } from '../support/local-stack.ts';

const REDIRECT = 'http://127.0.0.1:8765/callback';
const insecure = { [oauth.allowInsecureRequests]: true };

let stack: LocalStack;
let as: oauth.AuthorizationServer;

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

async function signedInUser() {
  const username = `e2e-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const credentials = { username, password: 'correct horse battery' };
  expect((await call('/register', { method: 'POST', json: credentials })).status).toBe(201);
  const login = await call('/login', { method: 'POST', json: credentials });
  expect(login.status).toBe(200);
  return (await login.json()).token as string;
}

async function registerClient(session: string, metadata: Record<string, unknown> = {}) {
  const response = await call('/client', {
    method: 'POST',
    bearer: session,
    json: {
      client_name: 'e2e app',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      ...metadata,
    },
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { client_id: string; client_secret: string };
}

/** The authorization request a client app sends with the user's session, as the API design says; its validated callback. */
async function authorizeWithSession(
  session: string,
  registered: { client_id: string; client_secret: string },
  scope = 'read',
) {
  const client: oauth.Client = { client_id: registered.client_id };
  const auth = oauth.ClientSecretBasic(registered.client_secret);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint as string);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  const redirect = await fetch(url, { headers: { authorization: `Bearer ${session}` }, redirect: 'manual' });
  expect(redirect.status).toBe(302);
  const callback = oauth.validateAuthResponse(
    as,
    client,
    new URL(redirect.headers.get('location') as string),
    state,
  );
  const redeem = () =>
    oauth.authorizationCodeGrantRequest(as, client, auth, callback, REDIRECT, verifier, insecure);
  return { client, auth, redeem };
}

/** The authorization code flow exactly as a client app runs it. */
async function codeFlow(
  session: string,
  registered: { client_id: string; client_secret: string },
  scope = 'read',
) {
  const { client, auth, redeem } = await authorizeWithSession(session, registered, scope);
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, await redeem());
  return { client, auth, tokens };
}

beforeAll(async () => {
  stack = await startLocalStack({
    env: {
      PROTECTED_SCOPES: JSON.stringify({
        'ANY /protected/admin/*': 'write',
        'GET /protected/reports/*': 'write',
      }),
    },
  });
  const issuer = new URL(stack.baseUrl);
  as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
  );
});

afterAll(async () => {
  await stack?.stop();
});

describe('a third-party app with a standards-strict OAuth client', () => {
  it('discovers, authorizes with PKCE, calls the protected API, refreshes and revokes', async () => {
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
    const session = await signedInUser();
    const registered = await registerClient(session);
    const { client, auth, tokens } = await codeFlow(session, registered);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.refresh_token).toBeTruthy();

    // RFC 9068, checked by the library against the published JWKS.
    const audience = `${stack.baseUrl}/protected`;
    const request = new Request(`${stack.baseUrl}/protected/resource`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    const claims = await oauth.validateJwtAccessToken(as, request, audience, insecure);
    expect(claims.client_id).toBe(registered.client_id);

    const resource = await call('/protected/resource', { method: 'POST', bearer: tokens.access_token });
    expect(resource.status).toBe(200);
    expect((await resource.json()).caller).toMatchObject({
      sub: claims.sub,
      client_id: registered.client_id,
      scope: 'read',
    });

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token as string, insecure),
    );
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, auth, refreshed.access_token, insecure),
    );
    const revoked = await call('/protected/resource', { bearer: refreshed.access_token });
    expect(revoked.status).toBe(401);
    const introspection = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, auth, refreshed.access_token, insecure),
    );
    expect(introspection.active).toBe(false);

    // Revoking the refresh token ends the grant, and the older access token with it.
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, auth, refreshed.refresh_token as string, insecure),
    );
    const refreshAgain = await oauth.refreshTokenGrantRequest(
      as,
      client,
      auth,
      refreshed.refresh_token as string,
      insecure,
    );
    await expect(oauth.processRefreshTokenResponse(as, client, refreshAgain)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });
});

describe('/authorize errors before the user has signed in', () => {
  it('never redirect: a page with a link for a browser, JSON for an API caller (RFC 9700 §4.11.2)', async () => {
    const registered = await registerClient(await signedInUser(), {
      redirect_uris: ['https://attacker.example/landing'],
    });
    const url = new URL(as.authorization_endpoint as string);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: registered.client_id,
      redirect_uri: 'https://attacker.example/landing',
      scope: 'admin',
      state: 'xyz',
      code_challenge: oauth.generateRandomCodeVerifier(),
      code_challenge_method: 'S256',
    }).toString();
    const page = await fetch(url, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
    const text = await page.text();
    expect(text).toContain('href="https://attacker.example/landing?error=invalid_scope&amp;');
    expect(text).toContain('<bdi>attacker.example</bdi>');
    const api = await fetch(url, { redirect: 'manual' });
    expect(api.status).toBe(400);
    expect(api.headers.get('location')).toBeNull();
    expect((await api.json()).error).toBe('invalid_scope');
  });
});

describe('/protected/* behind the authorizer', () => {
  let session: string;
  let registered: { client_id: string; client_secret: string };
  beforeAll(async () => {
    session = await signedInUser();
    registered = await registerClient(session);
  });

  /** RFC 6750 §3 and RFC 9728 §5.1: the challenge names the metadata of the resource server of the path. */
  const expectUnauthorized = async (response: Response, tokenSent = true) => {
    expect(response.status).toBe(401);
    const metadata = `resource_metadata="${stack.baseUrl}/.well-known/oauth-protected-resource/protected"`;
    // No error code without a token (§3.1); API Gateway has one 401 for both, so a stage always sends it.
    const error = tokenSent || deployedBaseUrl ? 'error="invalid_token", ' : '';
    expect(response.headers.get('www-authenticate')).toBe(`Bearer ${error}${metadata}`);
    expect((await response.json()).error).toBe('invalid_token');
  };

  it('refuses a request without a token, with a session token, and with a token in the query string', async () => {
    await expectUnauthorized(await call('/protected/resource'), false);
    await expectUnauthorized(await call('/protected/resource', { bearer: session }));
    const { tokens } = await codeFlow(session, registered);
    await expectUnauthorized(await call(`/protected/resource?access_token=${tokens.access_token}`), false);
    await expectUnauthorized(
      await call('/protected/resource', { bearer: `${tokens.access_token.slice(0, -4)}AAAA` }),
    );
  });

  it('answers any method and path under /protected with the caller identity', async () => {
    const { tokens } = await codeFlow(session, registered);
    const response = await call('/protected/orders/42?x=1', {
      method: 'DELETE',
      bearer: tokens.access_token,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ method: 'DELETE', path: '/protected/orders/42' });
  });

  // Needs the scope rule this suite gives the local stack; a deployed stage has its own rules.
  it.skipIf(deployedBaseUrl)(
    'answers 403 insufficient_scope where a route requires a scope the token lacks',
    async () => {
      const { tokens } = await codeFlow(session, registered, 'read');
      const denied = await call('/protected/admin/users', { bearer: tokens.access_token });
      expect(denied.status).toBe(403);
      expect(denied.headers.get('www-authenticate')).toContain('insufficient_scope');
      expect((await denied.json()).error).toBe('insufficient_scope');
      const { tokens: writer } = await codeFlow(session, registered, 'read write');
      expect((await call('/protected/admin/users', { bearer: writer.access_token })).status).toBe(200);
    },
  );

  // The same rules; every request below runs the authorizer (the suite's stack caches nothing), so each
  // is judged by the policy API Gateway would evaluate for it, cached or not.
  it.skipIf(deployedBaseUrl)(
    'applies the rules to every spelling of a path and to HEAD as to GET (RFC 3986 §6.2.2)',
    async () => {
      const { tokens } = await codeFlow(session, registered, 'read');
      const status = async (method: string, path: string) => {
        const response = await call(path, { method, bearer: tokens.access_token });
        if (response.status === 403)
          expect(response.headers.get('www-authenticate')).toContain('insufficient_scope');
        return response.status;
      };
      for (const path of [
        '/protected/%61dmin/users',
        '/protected/%61%64%6D%69%6E/users',
        '/protected/adm%69n/users',
        '/protected/admin%2Fusers',
        '/protected/%2561dmin/users',
        '/protected//admin/users',
      ]) {
        expect({ path, status: await status('GET', path) }).toEqual({ path, status: 403 });
      }
      expect(await status('GET', '/protected/reports/2026')).toBe(403);
      expect(await status('HEAD', '/protected/reports/2026')).toBe(403);
      expect(await status('HEAD', '/protected/r%65ports/2026')).toBe(403);
      expect(await status('POST', '/protected/reports/2026')).toBe(200);
      expect(await status('GET', '/protected/files/a%20b')).toBe(200);
    },
  );

  it('refuses the tokens of a logged-out session', async () => {
    const other = await signedInUser();
    const { tokens } = await codeFlow(other, registered);
    expect((await call('/protected/resource', { bearer: tokens.access_token })).status).toBe(200);
    expect((await call('/logout', { method: 'POST', bearer: other })).status).toBe(200);
    await expectUnauthorized(await call('/protected/resource', { bearer: tokens.access_token }));
  });

  it('refuses the tokens of a deleted client', async () => {
    const doomed = await registerClient(session);
    const { tokens } = await codeFlow(session, doomed);
    expect((await call('/protected/resource', { bearer: tokens.access_token })).status).toBe(200);
    expect((await call(`/client/${doomed.client_id}`, { method: 'DELETE', bearer: session })).status).toBe(
      204,
    );
    await expectUnauthorized(await call('/protected/resource', { bearer: tokens.access_token }));
  });

  it('refuses the tokens of a replayed code', async () => {
    const { client, redeem } = await authorizeWithSession(session, registered);
    const first = await oauth.processAuthorizationCodeResponse(as, client, await redeem());
    const replay = await redeem();
    expect(replay.status).toBe(400);
    expect((await replay.json()).error).toBe('invalid_grant');
    await expectUnauthorized(await call('/protected/resource', { bearer: first.access_token }));
  });
});
