/**
 * An AWS Application Load Balancer's `authenticate-oidc` action, played over HTTP against `npm start`:
 * it sends the browser to /authorize with `state` and no PKCE, the user signs in and consents on the
 * hosted pages, and the load balancer redeems the code at /token with its client secret (HTTP Basic)
 * and reads /userinfo with the access token. That works for a client registered with
 * `require_pkce: false`, and is refused with `invalid_request` for one without.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, bearer, browser, type Reply, send } from '../integration/infra/http.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

const PASSWORD = 'correct horse battery';
/** What the load balancer sends as its redirect URI: its own DNS name (or a CNAME of it). */
const IDP_RESPONSE = 'https://alb.example.com/oauth2/idpresponse';
const SCOPE = 'openid profile email';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack();
});

afterAll(async () => {
  await stack?.stop();
});

const call = (method: string, path: string, input = {}) => send(stack.baseUrl, method, path, input);

/** A user with an email address, and the session token that lets them register clients. */
async function user() {
  const username = `alb-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const email = `${username}@example.com`;
  expect((await call('POST', '/register', { json: { username, password: PASSWORD, email } })).status).toBe(
    201,
  );
  const login = await call('POST', '/login', { json: { username, password: PASSWORD } });
  return { username, email, session: login.json().token as string };
}

/** The client registration the README gives for a load balancer, with `metadata` on top. */
async function registerLoadBalancer(session: string, metadata: Record<string, unknown>) {
  const created = await call('POST', '/client', {
    headers: bearer(session),
    json: { client_name: 'Intranet (ALB)', redirect_uris: [IDP_RESPONSE], scope: SCOPE, ...metadata },
  });
  expect(created.status, created.text).toBe(201);
  return created.json() as { client_id: string; client_secret: string; require_pkce: boolean };
}

/** The authorization request the load balancer redirects the browser to: no code_challenge. */
const albRequest = (clientId: string) => ({
  response_type: 'code',
  client_id: clientId,
  redirect_uri: IDP_RESPONSE,
  scope: SCOPE,
  state: 'alb-opaque-state',
});

const sentBack = (reply: Reply) => {
  expect(`${reply.location?.origin}${reply.location?.pathname}`).toBe(IDP_RESPONSE);
  return reply.location?.searchParams as URLSearchParams;
};

describe('an Application Load Balancer signing users in', () => {
  it('completes without PKCE for a client registered require_pkce: false, and is refused for one without', async () => {
    const owner = await user();
    const alb = await registerLoadBalancer(owner.session, { require_pkce: false });
    expect(alb.require_pkce).toBe(false);

    // The browser arrives from the load balancer, signs in and consents on tinyoauth's pages.
    const b = browser(stack.baseUrl);
    const signInPage = await b.request('GET', '/authorize', { query: albRequest(alb.client_id) });
    expect(signInPage.status).toBe(200);
    const signedIn = await b.submit(signInPage, '/signin', { username: owner.username, password: PASSWORD });
    expect(signedIn.status).toBe(303);
    const consent = await b.follow(signedIn);
    expect(consent.status).toBe(200);
    const approved = await b.submit(consent, '/authorize', { decision: 'approve' });
    expect(approved.status).toBe(303);
    const callback = sentBack(approved);
    expect(callback.get('state')).toBe('alb-opaque-state');
    expect(callback.get('iss')).toBe(stack.baseUrl);

    // The load balancer's back channel: the code with its secret, then userinfo with the access token.
    const tokens = await call('POST', '/token', {
      headers: basicAuth(alb.client_id, alb.client_secret),
      form: {
        grant_type: 'authorization_code',
        code: callback.get('code') ?? '',
        redirect_uri: IDP_RESPONSE,
      },
    });
    expect(tokens.status, tokens.text).toBe(200);
    expect(tokens.json()).toMatchObject({ token_type: 'Bearer', scope: SCOPE, id_token: expect.any(String) });
    const info = await call('GET', '/userinfo', { headers: bearer(tokens.json().access_token as string) });
    expect(info.status, info.text).toBe(200);
    expect(info.json()).toMatchObject({ preferred_username: owner.username, email: owner.email });

    // The same load balancer with a client that keeps PKCE required: refused, back at the load balancer.
    const strict = await registerLoadBalancer(owner.session, {});
    expect(strict.require_pkce).toBe(true);
    const refused = sentBack(await b.request('GET', '/authorize', { query: albRequest(strict.client_id) }));
    expect(refused.get('error')).toBe('invalid_request');
    expect(refused.get('error_description')).toBe('PKCE is required: send "code_challenge".');
    expect(refused.has('code')).toBe(false);
  });
});
