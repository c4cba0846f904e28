import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { createLocalJWKSet, exportSPKI, importJWK, type JWTVerifyGetKey, SignJWT } from 'jose';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '#adapters/logger';
import type { ScopeRule } from '#contract/protection';
import { NON_CANONICAL_PATHS } from '#core/authorizer/access-policy';
import { type AuthorizerDependencies, createAuthorizer } from '#core/authorizer/decision';
import type { SigningKey } from '#core/keys/key-ring';
import { generateSigningKey, publicJwk, rotateKeySet, type StoredKey } from '#core/keys/key-set';
import type { LivenessLookup, LivenessRecords, LivenessStore } from '#core/oauth/liveness';
import { type AccessTokenClaims, signAccessToken, signSessionToken } from '#core/tokens/jwt';
import { defaultResourceServer } from '../../../fakes/resources.ts';

const ISSUER = 'https://auth.example.test';
const AUDIENCE = 'https://auth.example.test/protected';
const NOW = 1_750_000_000;
const STAGE = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod';
const arnFor = (method: string, path: string) => `${STAGE}/${method}${path}`;

/** IAM's evaluation of execute-api policies: `*` and `?` wildcards, explicit Deny over Allow, default deny. */
function evaluate(result: APIGatewayAuthorizerResult, methodArn: string): 'Allow' | 'Deny' {
  const matches = (pattern: string) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    ).test(methodArn);
  const hit = (effect: string) =>
    result.policyDocument.Statement.some((statement) => {
      const resources = (statement as { Resource: string | string[] }).Resource;
      return statement.Effect === effect && [resources].flat().some(matches);
    });
  if (hit('Deny')) return 'Deny';
  return hit('Allow') ? 'Allow' : 'Deny';
}

class FakeRevocationStore implements LivenessStore {
  grants = new Map<string, NonNullable<LivenessRecords['grant']>>();
  sessions = new Map<string, NonNullable<LivenessRecords['session']>>();
  revoked = new Map<string, NonNullable<LivenessRecords['revokedToken']>>();
  lookups: LivenessLookup[] = [];
  failure: Error | undefined;

  async lookup(ids: LivenessLookup): Promise<LivenessRecords> {
    this.lookups.push(ids);
    if (this.failure) throw this.failure;
    return {
      grant: this.grants.get(ids.grantId),
      session: ids.sessionId === undefined ? undefined : this.sessions.get(ids.sessionId),
      revokedToken: ids.jti === undefined ? undefined : this.revoked.get(ids.jti),
    };
  }
}

const signer = async (stored: StoredKey): Promise<SigningKey> => ({
  kid: stored.kid,
  alg: 'ES256',
  key: (await importJWK(stored.privateJwk, 'ES256')) as CryptoKey,
});
const jwksOf = (...keys: StoredKey[]) => createLocalJWKSet({ keys: keys.map(publicJwk) });
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

let current: StoredKey;
let previous: StoredKey;
let stranger: StoredKey;

beforeAll(async () => {
  previous = await generateSigningKey(NOW - 2 * 86400);
  current = await generateSigningKey(NOW - 86400);
  stranger = await generateSigningKey(NOW);
});

let store: FakeRevocationStore;
let now: number;
let logs: Record<string, unknown>[];
let keys: JWTVerifyGetKey;
let scopeRules: ScopeRule[];

beforeEach(() => {
  store = new FakeRevocationStore();
  store.grants.set('g1', { clientId: 'client-1', expiresAt: NOW + 30 * 86400 });
  store.sessions.set('s1', { sub: 'user-1', expiresAt: NOW + 3600 });
  now = NOW;
  logs = [];
  keys = jwksOf(current, previous);
  scopeRules = [];
});

function authorizer(overrides: Partial<AuthorizerDependencies> = {}) {
  return createAuthorizer({
    // Indirection so that a test can swap the published key set after creating the authorizer.
    keys: (header, token) =>
      (keys as (h: typeof header, t: typeof token) => ReturnType<JWTVerifyGetKey>)(header, token),
    revocation: store,
    clock: () => now * 1000,
    resourceServers: [defaultResourceServer(AUDIENCE)],
    issuer: ISSUER,
    scopeRules,
    logger: createLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line)) }),
    ...overrides,
  });
}

const claims = (overrides: Partial<AccessTokenClaims> = {}): AccessTokenClaims => ({
  sub: 'user-1',
  client_id: 'client-1',
  scope: 'openid reports:read',
  jti: 'at-1',
  iat: NOW - 60,
  exp: NOW + 840,
  gid: 'g1',
  sid: 's1',
  ...overrides,
});

async function accessToken(overrides: Partial<AccessTokenClaims> = {}, key: StoredKey = current) {
  return signAccessToken(await signer(key), ISSUER, AUDIENCE, claims(overrides));
}

const event = (authorizationToken: string, methodArn = arnFor('GET', '/protected/resource')) => ({
  type: 'TOKEN' as const,
  authorizationToken,
  methodArn,
});

/** Asserts the API Gateway 401 contract and returns the logged refusal so that tests can check its reason. */
async function refused(authorizationToken: string, methodArn?: string) {
  await expect(authorizer()(event(authorizationToken, methodArn))).rejects.toThrow(/^Unauthorized$/);
  const entry = logs.find((line) => String(line.message).includes('refused'));
  expect(entry, 'a refusal is logged').toBeDefined();
  return entry!;
}

describe('authorizer: a valid access token', () => {
  it('is allowed into all of /protected/* with the caller identity as context', async () => {
    const result = await authorizer()(event(`Bearer ${await accessToken()}`));
    expect(result.principalId).toBe('user-1');
    expect(result.context).toEqual({
      sub: 'user-1',
      client_id: 'client-1',
      scope: 'openid reports:read',
      jti: 'at-1',
    });
    expect(result.policyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${STAGE}/*/protected/*`] }],
    });
    expect(evaluate(result, arnFor('GET', '/protected/resource'))).toBe('Allow');
    expect(store.lookups).toEqual([{ grantId: 'g1', sessionId: 's1', jti: 'at-1' }]);
  });

  it('accepts the scheme in any case, and a token without a session (client credentials)', async () => {
    store.grants.set('g2', { clientId: 'client-1', expiresAt: NOW + 900 });
    const token = await accessToken({ sub: 'client-1', gid: 'g2', sid: undefined });
    const result = await authorizer()(event(`bearer ${token}`));
    expect(result.principalId).toBe('client-1');
    expect(store.lookups).toEqual([{ grantId: 'g2', sessionId: undefined, jti: 'at-1' }]);
  });

  it('tolerates 5 seconds of clock skew at both ends of the validity window', async () => {
    const expiring = await accessToken({ exp: NOW - 4 });
    const early = await accessToken({ iat: NOW + 4 });
    await expect(authorizer()(event(`Bearer ${expiring}`))).resolves.toMatchObject({ principalId: 'user-1' });
    await expect(authorizer()(event(`Bearer ${early}`))).resolves.toMatchObject({ principalId: 'user-1' });
  });

  it('never logs the token', async () => {
    const token = await accessToken();
    await authorizer()(event(`Bearer ${token}`));
    await authorizer({ revocation: { lookup: () => Promise.reject(new Error('boom')) } })(
      event(`Bearer ${token}`),
    ).catch(() => undefined);
    const [, , signature] = token.split('.');
    expect(logs.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(logs)).not.toContain(signature);
  });
});

describe('authorizer: cached policies', () => {
  it('a policy obtained on one route is correct for every other route and method', async () => {
    const result = await authorizer()(event(`Bearer ${await accessToken()}`, arnFor('GET', '/protected/a')));
    expect(evaluate(result, arnFor('GET', '/protected/a'))).toBe('Allow');
    expect(evaluate(result, arnFor('POST', '/protected/b'))).toBe('Allow');
    expect(evaluate(result, arnFor('DELETE', '/protected/deeply/nested/path'))).toBe('Allow');
    // Not a blank cheque: another stage or another API is not covered.
    expect(evaluate(result, 'arn:aws:execute-api:eu-west-1:123456789012:abc123/test/GET/protected/a')).toBe(
      'Deny',
    );
    expect(evaluate(result, 'arn:aws:execute-api:eu-west-1:123456789012:other99/prod/GET/protected/a')).toBe(
      'Deny',
    );
  });

  it('the policy does not depend on the route that triggered it', async () => {
    scopeRules = [{ method: 'GET', path: '/protected/admin/*', scopes: ['admin'] }];
    const token = `Bearer ${await accessToken()}`;
    const atAllowed = await authorizer()(event(token, arnFor('GET', '/protected/a')));
    const atDenied = await authorizer()(event(token, arnFor('GET', '/protected/admin/users')));
    expect(atAllowed.policyDocument).toEqual(atDenied.policyDocument);
    for (const result of [atAllowed, atDenied]) {
      expect(evaluate(result, arnFor('GET', '/protected/a'))).toBe('Allow');
      expect(evaluate(result, arnFor('GET', '/protected/admin/users'))).toBe('Deny');
    }
  });
});

describe('authorizer: per-route scope requirements', () => {
  it('denies exactly the routes whose scope the token lacks', async () => {
    scopeRules = [
      { method: 'GET', path: '/protected/reports/*', scopes: ['reports:read'] },
      { method: 'POST', path: '/protected/reports/*', scopes: ['reports:write'] },
      { method: '*', path: '/protected/admin/*', scopes: ['admin', 'reports:write'] },
    ];
    const result = await authorizer()(event(`Bearer ${await accessToken({ scope: 'openid reports:read' })}`));
    expect(result.policyDocument.Statement[1]).toMatchObject({
      Action: 'execute-api:Invoke',
      Effect: 'Deny',
    });
    const denied = (result.policyDocument.Statement[1] as { Resource: string[] }).Resource;
    expect(denied.slice(0, 2)).toEqual([`${STAGE}/POST/protected/reports/*`, `${STAGE}/*/protected/admin/*`]);
    expect(denied.slice(2)).toEqual(NON_CANONICAL_PATHS.map((suffix) => `${STAGE}/*/protected${suffix}`));
    expect(evaluate(result, arnFor('GET', '/protected/reports/2024'))).toBe('Allow');
    expect(evaluate(result, arnFor('POST', '/protected/reports/2024'))).toBe('Deny');
    expect(evaluate(result, arnFor('PUT', '/protected/admin/x'))).toBe('Deny');
    expect(evaluate(result, arnFor('POST', '/protected/other'))).toBe('Allow');
  });

  it('adds no Deny when every requirement is met, all scopes of a rule being required', async () => {
    scopeRules = [{ method: '*', path: '/protected/admin/*', scopes: ['admin', 'reports:write'] }];
    const full = await authorizer()(event(`Bearer ${await accessToken({ scope: 'reports:write admin' })}`));
    expect(full.policyDocument.Statement).toHaveLength(1);
    const partial = await authorizer()(event(`Bearer ${await accessToken({ scope: 'admin' })}`));
    expect(evaluate(partial, arnFor('GET', '/protected/admin/x'))).toBe('Deny');
  });

  it('does not mistake a scope that merely contains the required one', async () => {
    scopeRules = [{ method: 'GET', path: '/protected/reports/*', scopes: ['reports:read'] }];
    const result = await authorizer()(event(`Bearer ${await accessToken({ scope: 'reports:read-all' })}`));
    expect(evaluate(result, arnFor('GET', '/protected/reports/x'))).toBe('Deny');
  });
});

describe('authorizer: rejected tokens', () => {
  it('refuses a missing or non-Bearer Authorization header', async () => {
    const token = await accessToken();
    for (const header of [
      '',
      'Bearer',
      'Bearer ',
      token,
      `Basic ${token}`,
      `Bearer ${token} extra`,
      `Bearer\t${token}`,
    ]) {
      logs = [];
      expect((await refused(header)).reason).toBe('no_bearer_token');
    }
  });

  it('refuses a forged signature', async () => {
    const genuine = await accessToken();
    const [header, , signature] = genuine.split('.');
    const tampered = `${header}.${encode({ ...claims(), scope: 'admin' })}.${signature}`;
    expect(await refused(`Bearer ${tampered}`)).toMatchObject({
      joseCode: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });

    // Signed by another key that claims the current key's kid.
    logs = [];
    const impostor = await signAccessToken(
      { kid: current.kid, alg: 'ES256' as const, key: (await signer(stranger)).key },
      ISSUER,
      AUDIENCE,
      claims(),
    );
    expect(await refused(`Bearer ${impostor}`)).toMatchObject({
      joseCode: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
  });

  it('refuses an expired token', async () => {
    const token = await accessToken({ exp: NOW - 6 });
    expect(await refused(`Bearer ${token}`)).toMatchObject({ joseCode: 'ERR_JWT_EXPIRED' });
  });

  it('refuses a token issued in the future or not yet valid, beyond the leeway', async () => {
    expect(await refused(`Bearer ${await accessToken({ iat: NOW + 60, exp: NOW + 960 })}`)).toMatchObject({
      joseCode: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'iat',
    });
    logs = [];
    const notBefore = await new SignJWT({ ...claims(), nbf: NOW + 60 })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: current.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .sign((await signer(current)).key);
    expect(await refused(`Bearer ${notBefore}`)).toMatchObject({
      joseCode: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'nbf',
    });
  });

  it('refuses a wrong audience or issuer', async () => {
    const key = await signer(current);
    const otherAudience = await signAccessToken(key, ISSUER, 'https://other.example.test/api', claims());
    expect(await refused(`Bearer ${otherAudience}`)).toMatchObject({ claim: 'aud' });
    logs = [];
    const otherIssuer = await signAccessToken(key, 'https://evil.example.test', AUDIENCE, claims());
    expect(await refused(`Bearer ${otherIssuer}`)).toMatchObject({ claim: 'iss' });
  });

  it('refuses a session token (typ tinyoauth-session+jwt), even one minted for the resource audience', async () => {
    const session = await signSessionToken(await signer(current), ISSUER, {
      sub: 'user-1',
      jti: 's1',
      iat: NOW - 60,
      exp: NOW + 3600,
    });
    expect(await refused(`Bearer ${session}`)).toMatchObject({
      joseCode: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'typ',
    });
    logs = [];
    const relabelled = await new SignJWT({ ...claims() })
      .setProtectedHeader({ alg: 'ES256', typ: 'tinyoauth-session+jwt', kid: current.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .sign((await signer(current)).key);
    expect(await refused(`Bearer ${relabelled}`)).toMatchObject({ claim: 'typ' });
  });

  it('refuses a token without exp', async () => {
    const { exp: _exp, ...rest } = claims();
    const token = await new SignJWT({ ...rest })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: current.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .sign((await signer(current)).key);
    expect(await refused(`Bearer ${token}`)).toMatchObject({
      joseCode: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'exp',
    });
  });

  it('refuses a token whose client_id, scope or gid is missing or not a string', async () => {
    for (const broken of [{ gid: undefined }, { client_id: 42 }, { scope: ['a'] }, { sid: '' }]) {
      logs = [];
      const token = await signAccessToken(await signer(current), ISSUER, AUDIENCE, {
        ...claims(),
        ...(broken as Partial<AccessTokenClaims>),
      });
      expect((await refused(`Bearer ${token}`)).reason).toBe('claims_malformed');
    }
    expect(store.lookups).toHaveLength(0);
  });

  it('refuses a token signed with a key that is not published (unknown kid)', async () => {
    const token = await accessToken({}, stranger);
    expect(await refused(`Bearer ${token}`)).toMatchObject({ joseCode: 'ERR_JWKS_NO_MATCHING_KEY' });
  });

  it('refuses alg "none"', async () => {
    const header = encode({ alg: 'none', typ: 'at+jwt', kid: current.kid });
    const body = encode({ ...claims(), iss: ISSUER, aud: AUDIENCE });
    expect(await refused(`Bearer ${header}.${body}.`)).toMatchObject({
      joseCode: 'ERR_JOSE_ALG_NOT_ALLOWED',
    });
  });

  it('refuses HS256 signed with the public key as the HMAC secret', async () => {
    const pem = await exportSPKI((await importJWK(publicJwk(current), 'ES256')) as CryptoKey);
    for (const secret of [pem, JSON.stringify(publicJwk(current))]) {
      logs = [];
      const token = await new SignJWT({ ...claims() })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: current.kid })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .sign(new TextEncoder().encode(secret));
      expect(await refused(`Bearer ${token}`)).toMatchObject({ joseCode: 'ERR_JOSE_ALG_NOT_ALLOWED' });
    }
  });

  it('refuses an oversized header without parsing it', async () => {
    const token = await accessToken({ scope: 'x'.repeat(9000) });
    expect((await refused(`Bearer ${token}`)).reason).toBe('no_bearer_token');
  });
});

describe('authorizer: key rotation', () => {
  it('accepts tokens of the previous key after a rotation, and refuses them once the key is removed', async () => {
    const retainSeconds = 86400;
    let document = { keys: [previous] };
    keys = jwksOf(...document.keys);
    const oldToken = `Bearer ${await accessToken({}, previous)}`;
    await expect(authorizer()(event(oldToken))).resolves.toMatchObject({ principalId: 'user-1' });

    document = rotateKeySet(document, current, NOW, retainSeconds);
    keys = jwksOf(...document.keys);
    await expect(authorizer()(event(oldToken))).resolves.toMatchObject({ principalId: 'user-1' });
    await expect(authorizer()(event(`Bearer ${await accessToken({}, current)}`))).resolves.toMatchObject({
      principalId: 'user-1',
    });

    document = rotateKeySet(document, stranger, NOW + retainSeconds + 1, retainSeconds);
    expect(document.keys.map((key) => key.kid)).not.toContain(previous.kid);
    keys = jwksOf(...document.keys);
    expect(await refused(oldToken)).toMatchObject({ joseCode: 'ERR_JWKS_NO_MATCHING_KEY' });
  });
});

describe('authorizer: revocation', () => {
  it('refuses a token whose grant was revoked (refresh token revoked, code replayed)', async () => {
    store.grants.set('g1', { clientId: 'client-1', expiresAt: NOW + 86400, revokedAt: NOW - 1 });
    expect(await refused(`Bearer ${await accessToken()}`)).toMatchObject({
      reason: 'grant_revoked_or_expired',
      jti: 'at-1',
    });
  });

  it('refuses a token whose grant is gone (client deleted)', async () => {
    store.grants.clear();
    expect((await refused(`Bearer ${await accessToken()}`)).reason).toBe('grant_missing');
  });

  it('refuses a token whose grant belongs to another client', async () => {
    store.grants.set('g1', { clientId: 'client-2', expiresAt: NOW + 86400 });
    expect((await refused(`Bearer ${await accessToken()}`)).reason).toBe('grant_of_other_client');
  });

  it('refuses a token whose login session was logged out, has expired or is gone', async () => {
    store.sessions.set('s1', { sub: 'user-1', expiresAt: NOW + 3600, revokedAt: NOW - 5 });
    expect((await refused(`Bearer ${await accessToken()}`)).reason).toBe('session_revoked_or_expired');
    logs = [];
    store.sessions.set('s1', { sub: 'user-1', expiresAt: NOW });
    expect((await refused(`Bearer ${await accessToken()}`)).reason).toBe('session_revoked_or_expired');
    logs = [];
    store.sessions.clear();
    expect((await refused(`Bearer ${await accessToken()}`)).reason).toBe('session_missing');
  });

  it('refuses an access token revoked on its own (/revoke)', async () => {
    store.revoked.set('at-1', { expiresAt: NOW + 840 });
    expect((await refused(`Bearer ${await accessToken()}`)).reason).toBe('token_revoked');
    // Another token of the same grant is unaffected.
    await expect(authorizer()(event(`Bearer ${await accessToken({ jti: 'at-2' })}`))).resolves.toBeDefined();
  });

  it('fails closed, logging an error, when the revocation store is unreachable', async () => {
    store.failure = new Error('DynamoDB is down');
    const entry = await refused(`Bearer ${await accessToken()}`);
    expect(entry).toMatchObject({
      level: 'ERROR',
      reason: 'revocation_check_failed',
      error: { message: 'DynamoDB is down' },
    });
  });

  it('fails closed when the keys cannot be fetched', async () => {
    keys = () => Promise.reject(new TypeError('fetch failed'));
    const entry = await refused(`Bearer ${await accessToken()}`);
    expect(entry).toMatchObject({ level: 'ERROR', reason: 'verification_failed' });
    expect(store.lookups).toHaveLength(0);
  });

  it('fails closed on a method ARN it cannot read', async () => {
    const entry = await refused(
      `Bearer ${await accessToken()}`,
      'arn:aws:execute-api:eu-west-1:123456789012:abc123',
    );
    expect(entry).toMatchObject({ level: 'ERROR', reason: 'method_arn_malformed' });
  });
});

describe('authorizer: audience-bound tokens (RFC 8707)', () => {
  const MCP = 'https://auth.example.test/protected/mcp';
  const servers = [
    defaultResourceServer(AUDIENCE),
    { identifier: MCP, name: 'MCP', path: '/protected/mcp', scopes: ['mcp'], accessTokenTtlSeconds: 300 },
  ];
  const tokenFor = async (audience: string | string[]) =>
    `Bearer ${await signAccessToken(await signer(current), ISSUER, audience as string, claims())}`;
  const decisions = async (audience: string, paths: string[]) => {
    const result = await authorizer({ resourceServers: servers })(event(await tokenFor(audience)));
    return paths.map((path) => evaluate(result, arnFor('POST', path)));
  };

  it('admits a token only below the path of the resource server its aud names', async () => {
    expect(await decisions(MCP, ['/protected/mcp', '/protected/mcp/x', '/protected/resource'])).toEqual([
      'Allow',
      'Allow',
      'Deny',
    ]);
    // The default server's area holds the MCP server's, which is denied to it whatever the spelling.
    expect(
      await decisions(AUDIENCE, [
        '/protected/resource',
        '/protected/mcp',
        '/protected/mcp/x',
        '/protected/%6Dcp',
      ]),
    ).toEqual(['Allow', 'Deny', 'Deny', 'Deny']);
    // Nor may a token of the MCP server reach the default's area by another spelling of its own path.
    expect(await decisions(MCP, ['/protected/mcp/%2e%2e/resource', '/protected/mcpx'])).toEqual([
      'Deny',
      'Deny',
    ]);
  });

  it('refuses a token for an undeclared resource, or for two at once', async () => {
    for (const audience of ['https://elsewhere.example/api', [AUDIENCE, MCP]]) {
      logs = [];
      await expect(authorizer({ resourceServers: servers })(event(await tokenFor(audience)))).rejects.toThrow(
        /^Unauthorized$/,
      );
      expect(logs.find((line) => String(line.message).includes('refused'))).toBeDefined();
    }
  });
});
