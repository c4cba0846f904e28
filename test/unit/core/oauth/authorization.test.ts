import { describe, expect, it } from 'vitest';
import type { ClientRecord } from '#core/clients/records';
import { Authorization } from '#core/oauth/authorization';
import { Parameters } from '#core/oauth/parameters';
import type { ClientReadAhead } from '#core/oauth/read-ahead';
import { ResourceIndicators } from '#core/oauth/resource-indicators';
import { sha256 } from '#core/secrets';
import { MemoryGrantStore } from '../../../fakes/grants.ts';
import { manualClock } from '../../../fakes/keys.ts';
import { defaultResourceServer } from '../../../fakes/resources.ts';

const REDIRECT = 'https://app.example.com/callback';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

const client = (overrides: Partial<ClientRecord> = {}): ClientRecord => ({
  clientId: 'app',
  owner: 'owner',
  clientName: 'App',
  redirectUris: [REDIRECT],
  grantTypes: ['authorization_code'],
  tokenEndpointAuthMethod: 'client_secret_basic',
  scope: 'openid profile email',
  clientIdIssuedAt: 0,
  ...overrides,
});

/** The load balancer's client: confidential, registered with require_pkce: false. */
const ALB = client({ requirePkce: false });

/** /authorize's steps 1 and 2 for `registered`, then its code, for a request of `query`. */
function authorizationFor(registered: ClientRecord) {
  const grants = new MemoryGrantStore();
  const clients: ClientReadAhead = {
    findClient: async (clientId) => (clientId === registered.clientId ? registered : undefined),
    findClientWith: () => Promise.reject(new Error('nothing is read ahead here')),
  };
  const authorization = new Authorization({
    clients,
    grants,
    clock: manualClock(),
    issuer: 'https://auth.example.com',
    codeTtlSeconds: 60,
    resources: new ResourceIndicators([
      defaultResourceServer('https://auth.example.com/protected', ['openid']),
    ]),
  });
  const validate = async (query: Record<string, string>) => {
    const params = Parameters.fromPairs(
      Object.entries({ response_type: 'code', client_id: registered.clientId, state: 'xyz', ...query }),
    );
    return authorization.validate(params, await authorization.redirectTarget(params));
  };
  return { authorization, grants, validate };
}

const session = { sessionId: 'session', sub: 'user', username: 'ada', createdAt: 0, expiresAt: 1e10 };

describe('PKCE at the authorization endpoint (RFC 7636, RFC 9700 §2.1.1)', () => {
  it('accepts no code_challenge from a client registered without PKCE, and stores its code without one', async () => {
    const { authorization, grants, validate } = authorizationFor(ALB);
    const valid = await validate({ scope: 'openid email', nonce: 'n-1' });
    expect(valid).not.toHaveProperty('codeChallenge');
    expect(valid).toMatchObject({ scope: 'openid email', state: 'xyz', openId: { nonce: 'n-1' } });

    const location = new URL(await authorization.issueCode(valid, session));
    expect(location.searchParams.get('state')).toBe('xyz');
    const stored = grants.codes.get(sha256(location.searchParams.get('code') as string));
    expect(stored).toMatchObject({ clientId: 'app', scope: 'openid email', nonce: 'n-1' });
    expect(stored).not.toHaveProperty('codeChallenge');
  });

  it('holds a challenge such a client does send to the same rules, and binds its code to it', async () => {
    const { authorization, grants, validate } = authorizationFor(ALB);
    const valid = await validate({ code_challenge: CHALLENGE, code_challenge_method: 'S256' });
    const location = new URL(await authorization.issueCode(valid, session));
    const stored = grants.codes.get(sha256(location.searchParams.get('code') as string));
    expect(stored?.codeChallenge).toBe(CHALLENGE);

    await expect(
      validate({ code_challenge: CHALLENGE, code_challenge_method: 'plain' }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
      description: '"code_challenge_method" must be S256 (plain is not accepted).',
    });
    await expect(validate({ code_challenge: CHALLENGE })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(validate({ code_challenge: 'short', code_challenge_method: 'S256' })).rejects.toMatchObject({
      code: 'invalid_request',
      description: '"code_challenge" must be a base64url SHA-256 digest (43 characters).',
    });
    await expect(validate({ code_challenge_method: 'S256' })).rejects.toMatchObject({
      code: 'invalid_request',
      description: '"code_challenge_method" was sent without a "code_challenge".',
    });
  });

  it('keeps every other rule for such a client', async () => {
    const { validate } = authorizationFor(ALB);
    await expect(validate({ response_type: 'token' })).rejects.toMatchObject({
      code: 'unsupported_response_type',
    });
    await expect(validate({ client_secret: 'secret' })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(validate({ redirect_uri: `${REDIRECT}/other` })).rejects.toMatchObject({
      code: 'invalid_request',
      description: 'The "redirect_uri" is not registered for this client.',
    });
  });

  it.each([
    ['a confidential client that did not opt out', client()],
    [
      'a public client, even one whose record says it opted out',
      client({ tokenEndpointAuthMethod: 'none', requirePkce: false }),
    ],
  ])('requires a code_challenge of %s', async (_, registered) => {
    const { validate } = authorizationFor(registered);
    await expect(validate({})).rejects.toMatchObject({
      code: 'invalid_request',
      description: 'PKCE is required: send "code_challenge".',
    });
    await expect(validate({ code_challenge_method: 'S256' })).rejects.toMatchObject({
      description: 'PKCE is required: send "code_challenge".',
    });
    await expect(
      validate({ code_challenge: CHALLENGE, code_challenge_method: 'S256' }),
    ).resolves.toMatchObject({
      codeChallenge: CHALLENGE,
    });
  });
});

describe('a suspended client at the authorization endpoint', () => {
  it('is answered as an unknown client: no redirect to it, whatever it asks', async () => {
    const { validate } = authorizationFor(client({ suspendedAt: 1 }));
    await expect(
      validate({ code_challenge: CHALLENGE, code_challenge_method: 'S256' }),
    ).rejects.toMatchObject({
      code: 'invalid_client',
      description: 'The client is not registered.',
      detail: 'client suspended',
    });
    await expect(
      authorizationFor(client()).validate({ code_challenge: CHALLENGE, code_challenge_method: 'S256' }),
    ).resolves.toMatchObject({ state: 'xyz' });
  });
});
