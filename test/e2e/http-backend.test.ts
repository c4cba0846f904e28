/**
 * What a team's HTTP backend behind `/protected/*` receives from `npm start` (PROTECTED_BACKEND_URL): a
 * browser signed in to tinyoauth calls it as browsers do, with every cookie its jar holds for that path
 * and identity headers forged in every spelling. The backend must see the caller's identity as the
 * gateway set it, and neither the session cookie nor anything the client claimed.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDENTITY_HEADERS } from '#contract/protection';
import { pkce } from '../fakes/events.ts';
import { basicAuth, bearer, browser, send } from '../integration/infra/http.ts';
import { deployedBaseUrl, type LocalStack, startLocalStack } from '../support/local-stack.ts';

const PASSWORD = 'correct horse battery';
const REDIRECT = 'https://app.example.com/callback';

let backend: Server;
const received: IncomingHttpHeaders[] = [];
let stack: LocalStack;

beforeAll(async () => {
  backend = createServer((request, response) => {
    received.push(request.headers);
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  backend.listen(0, '127.0.0.1');
  await once(backend, 'listening');
  const { port } = backend.address() as AddressInfo;
  stack = await startLocalStack({ env: { PROTECTED_BACKEND_URL: `http://127.0.0.1:${port}` } });
});

afterAll(async () => {
  await stack?.stop();
  backend?.closeAllConnections();
  await new Promise((resolve) => backend?.close(resolve));
});

/** A user signed in to the browser through the sign-in page, and an access token of theirs. */
async function signedInBrowser() {
  const username = `backend-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const call = (method: string, path: string, input = {}) => send(stack.baseUrl, method, path, input);
  expect((await call('POST', '/register', { json: { username, password: PASSWORD } })).status).toBe(201);
  const session = (await call('POST', '/login', { json: { username, password: PASSWORD } })).json()
    .token as string;
  const created = await call('POST', '/client', {
    headers: bearer(session),
    json: { client_name: 'Backend check', redirect_uris: [REDIRECT], scope: 'read' },
  });
  const { client_id, client_secret } = created.json() as { client_id: string; client_secret: string };
  const { verifier, challenge } = pkce();
  const query = {
    response_type: 'code',
    client_id,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };

  const b = browser(stack.baseUrl);
  const signInPage = await b.request('GET', '/authorize', { query });
  const signedIn = await b.submit(signInPage, '/signin', { username, password: PASSWORD });
  expect(signedIn.status).toBe(303);
  expect(b.jar.value('tinyoauth_session')).toBeTruthy();

  const authorized = await call('GET', '/authorize', { query, headers: bearer(session) });
  const tokens = await call('POST', '/token', {
    headers: basicAuth(client_id, client_secret),
    form: {
      grant_type: 'authorization_code',
      code: authorized.location?.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    },
  });
  return { b, accessToken: tokens.json().access_token as string };
}

describe.skipIf(deployedBaseUrl)('an HTTP backend behind npm start', () => {
  it('never receives the session cookie, nor an identity header the client forged in any spelling', async () => {
    const { b, accessToken } = await signedInBrowser();
    const reply = await b.request('GET', '/protected/orders/42', {
      headers: {
        ...bearer(accessToken),
        X_Tinyoauth_Sub: 'attacker',
        'X-Tinyoauth_Client-Id': 'evil-client',
        x_tinyoauth_scope: 'write admin',
        'X-TINYOAUTH-TOKEN_ID': 'forged',
      },
    });
    expect(reply.status).toBe(200);
    const headers = received.at(-1) ?? {};
    expect(headers.cookie ?? '').not.toContain('tinyoauth_session');
    const identity = Object.entries(headers).filter(([name]) => /^x[-_]tinyoauth[-_]/i.test(name));
    expect(identity.map(([name]) => name).sort()).toEqual(
      Object.values(IDENTITY_HEADERS)
        .map((name) => name.toLowerCase())
        .sort(),
    );
    expect(headers[IDENTITY_HEADERS.scope.toLowerCase()]).toBe('read');
    expect(JSON.stringify(headers)).not.toMatch(/attacker|evil-client|admin|forged/);
  });
});
