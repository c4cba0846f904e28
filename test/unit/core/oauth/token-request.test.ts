import { describe, expect, it } from 'vitest';
import type { ClientRecord } from '#core/clients/records';
import { Parameters } from '#core/oauth/parameters';
import { TokenGrants } from '#core/oauth/token-grants';
import { parseTokenRequest } from '#core/oauth/token-request';
import { grantTestbed, REDIRECT } from '../../../fakes/grant-testbed.ts';

const VERIFIER = 'v'.repeat(43);

const client = (grantTypes: ClientRecord['grantTypes']): ClientRecord => ({
  clientId: 'app',
  owner: 'owner',
  clientName: 'App',
  redirectUris: [REDIRECT],
  grantTypes,
  tokenEndpointAuthMethod: 'client_secret_basic',
  scope: 'read write',
  clientIdIssuedAt: 0,
});

const everyGrant = client(['authorization_code', 'refresh_token', 'client_credentials']);

const form = (pairs: Record<string, string | string[]>) =>
  Parameters.fromPairs(
    Object.entries(pairs).flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value]).map((one) => [name, one] as const),
    ),
  );

const parse =
  (pairs: Record<string, string | string[]>, by = everyGrant) =>
  () =>
    parseTokenRequest(by, form(pairs));

/** The OAuth error `attempt` throws. */
function refusal(attempt: () => unknown): unknown {
  try {
    attempt();
  } catch (error) {
    return error;
  }
  throw new Error('expected the request to be refused');
}

describe('reading a token request (RFC 6749 §3.2)', () => {
  describe('grant_type', () => {
    it.each([
      ['absent', {}],
      ['empty', { grant_type: '' }],
    ])('is required: %s is invalid_request', (_, pairs) => {
      expect(refusal(parse(pairs))).toMatchObject({
        code: 'invalid_request',
        description: 'The "grant_type" parameter is required.',
      });
    });

    it.each(['password', 'implicit', 'toString', 'urn:ietf:params:oauth:grant-type:device_code'])(
      'must be one we support: %s is unsupported_grant_type',
      (grantType) => {
        expect(refusal(parse({ grant_type: grantType }))).toMatchObject({ code: 'unsupported_grant_type' });
      },
    );

    it('must be one the client is registered for, checked before any other parameter', () => {
      const codeOnly = client(['authorization_code']);
      expect(refusal(parse({ grant_type: 'client_credentials' }, codeOnly))).toMatchObject({
        code: 'unauthorized_client',
        description: 'This client is not registered for the client_credentials grant.',
      });
      // No refresh_token parameter either: the registration is refused first.
      expect(refusal(parse({ grant_type: 'refresh_token' }, codeOnly))).toMatchObject({
        code: 'unauthorized_client',
      });
    });

    it('must not be repeated', () => {
      expect(refusal(parse({ grant_type: ['client_credentials', 'client_credentials'] }))).toMatchObject({
        code: 'invalid_request',
      });
    });
  });

  describe('authorization_code (§4.1.3, RFC 7636 §4.5)', () => {
    const pairs = { grant_type: 'authorization_code', code: 'the-code', code_verifier: VERIFIER };

    it('reads the code, the verifier and the redirect URI', () => {
      expect(parse({ ...pairs, redirect_uri: REDIRECT })()).toEqual({
        kind: 'authorization_code',
        code: 'the-code',
        codeVerifier: VERIFIER,
        redirectUri: REDIRECT,
      });
      expect(parse(pairs)()).toMatchObject({ redirectUri: undefined });
    });

    it('requires the code before the verifier', () => {
      expect(refusal(parse({ grant_type: 'authorization_code' }))).toMatchObject({
        code: 'invalid_request',
        description: 'The "code" parameter is required.',
      });
    });

    it('requires a code_verifier (PKCE)', () => {
      expect(refusal(parse({ grant_type: 'authorization_code', code: 'the-code' }))).toMatchObject({
        code: 'invalid_request',
        description: 'The "code_verifier" parameter is required (PKCE).',
      });
    });

    it('lets a client registered without PKCE leave code_verifier out, never a public client', () => {
      const exempt = { ...client(['authorization_code']), requirePkce: false };
      const noVerifier = { grant_type: 'authorization_code', code: 'the-code' };
      expect(parse(noVerifier, exempt)()).toEqual({
        kind: 'authorization_code',
        code: 'the-code',
        codeVerifier: undefined,
        redirectUri: undefined,
      });
      expect(refusal(parse({ ...noVerifier, code_verifier: 'short' }, exempt))).toMatchObject({
        code: 'invalid_request',
        description: '"code_verifier" must be 43 to 128 unreserved characters.',
      });
      const publicClient = { ...exempt, tokenEndpointAuthMethod: 'none' as const };
      expect(refusal(parse(noVerifier, publicClient))).toMatchObject({
        code: 'invalid_request',
        description: 'The "code_verifier" parameter is required (PKCE).',
      });
    });

    it.each([
      ['42 characters', 'v'.repeat(42)],
      ['129 characters', 'v'.repeat(129)],
      ['a character outside the unreserved set', `${'v'.repeat(42)}+`],
    ])('refuses a code_verifier of %s with invalid_request', (_, verifier) => {
      expect(refusal(parse({ ...pairs, code_verifier: verifier }))).toMatchObject({
        code: 'invalid_request',
        description: '"code_verifier" must be 43 to 128 unreserved characters.',
      });
    });

    it('accepts a code_verifier of 43 to 128 unreserved characters', () => {
      for (const verifier of [`A-._~${'v'.repeat(38)}`, 'v'.repeat(128)]) {
        expect(parse({ ...pairs, code_verifier: verifier })()).toMatchObject({ codeVerifier: verifier });
      }
    });
  });

  describe('refresh_token (§6)', () => {
    it('reads the refresh token and the optional scope', () => {
      expect(parse({ grant_type: 'refresh_token', refresh_token: 'rt', scope: 'read' })()).toEqual({
        kind: 'refresh_token',
        refreshToken: 'rt',
        scope: 'read',
      });
      expect(parse({ grant_type: 'refresh_token', refresh_token: 'rt' })()).toMatchObject({
        scope: undefined,
      });
    });

    it('requires the refresh token', () => {
      expect(refusal(parse({ grant_type: 'refresh_token', scope: 'read' }))).toMatchObject({
        code: 'invalid_request',
        description: 'The "refresh_token" parameter is required.',
      });
    });
  });

  describe('client_credentials (§4.4.2)', () => {
    it('reads the optional scope', () => {
      expect(parse({ grant_type: 'client_credentials', scope: 'read' })()).toEqual({
        kind: 'client_credentials',
        scope: 'read',
      });
      expect(parse({ grant_type: 'client_credentials' })()).toEqual({
        kind: 'client_credentials',
        scope: undefined,
      });
    });
  });
});

describe('the token endpoint', () => {
  it('hands each request to the grant it names', async () => {
    const bed = await grantTestbed();
    const grants = new TokenGrants(bed.deps);
    const app = bed.client({ grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] });
    const { code, verifier } = await bed.code(app, { scope: 'read' });

    const byCode = await grants.exchange(
      app,
      form({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT }),
    );
    const byRefresh = await grants.exchange(
      app,
      form({ grant_type: 'refresh_token', refresh_token: byCode.refresh_token as string }),
    );
    const byClient = await grants.exchange(app, form({ grant_type: 'client_credentials', scope: 'write' }));

    expect((await bed.accessToken(byCode.access_token)).claims.sub).toBe('user-sub');
    expect(byRefresh.refresh_token).not.toBe(byCode.refresh_token);
    expect(byClient.scope).toBe('write');
    expect(byClient).not.toHaveProperty('refresh_token');
    expect((await bed.accessToken(byClient.access_token)).claims.sub).toBe(app.clientId);
  });

  it('refuses before any grant runs', async () => {
    const bed = await grantTestbed();
    const grants = new TokenGrants(bed.deps);
    const app = bed.client({ grantTypes: ['authorization_code'] });
    await expect(grants.exchange(app, form({ grant_type: 'client_credentials' }))).rejects.toMatchObject({
      code: 'unauthorized_client',
    });
    expect(bed.store.grants.size).toBe(0);
  });
});
