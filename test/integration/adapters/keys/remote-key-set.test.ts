/**
 * The authorizer's remote key set against a real HTTP JWKS endpoint: fetched once and then served from
 * memory, refetched for an unknown `kid` (but not more often than the cooldown), and re-read after the
 * cache age so that a key removed from the JWKS stops verifying. Only `Date` is faked, to move time.
 */

import { createServer, type Server } from 'node:http';
import { importJWK, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { JWKS_CACHE_MAX_AGE_MS, JWKS_COOLDOWN_MS, remoteKeySet } from '#adapters/keys/remote-key-set';
import { createLogger } from '#adapters/logger';
import { createAuthorizer } from '#core/authorizer/decision';
import { generateSigningKey, publicJwk, type StoredKey } from '#core/keys/key-set';
import { signAccessToken } from '#core/tokens/jwt';
import { defaultResourceServer } from '../../../fakes/resources.ts';

const ISSUER = 'https://auth.example.test';
const AUDIENCE = `${ISSUER}/protected`;
const METHOD_ARN = 'arn:aws:execute-api:local:000000000000:local/local/GET/protected/resource';

let server: Server;
let published: JWK[] = [];
let fetches = 0;
let jwksUri: URL;
let older: StoredKey;
let newer: StoredKey;

beforeAll(async () => {
  older = await generateSigningKey(0);
  newer = await generateSigningKey(0);
  server = createServer((_request, response) => {
    fetches++;
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUri = new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}/.well-known/jwks.json`);
});

afterAll(() => new Promise((resolve) => server.close(resolve)));
afterEach(() => vi.useRealTimers());

async function bearer(key: StoredKey, nowSeconds: number) {
  const signing = {
    kid: key.kid,
    alg: 'ES256' as const,
    key: (await importJWK(key.privateJwk, 'ES256')) as CryptoKey,
  };
  const token = await signAccessToken(signing, ISSUER, AUDIENCE, {
    sub: 'user-1',
    client_id: 'client-1',
    scope: 'read',
    jti: `at-${key.kid}`,
    iat: nowSeconds,
    exp: nowSeconds + 3600,
    gid: 'g1',
  });
  return `Bearer ${token}`;
}

describe('authorizer keys from the published JWKS', () => {
  it('fetches once, refetches for a new kid after the cooldown, and forgets a removed key after the cache age', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let now = Date.UTC(2030, 0, 1);
    vi.setSystemTime(now);
    const advance = (ms: number) => {
      now += ms;
      vi.setSystemTime(now);
    };
    const authorize = createAuthorizer({
      keys: remoteKeySet(jwksUri),
      revocation: {
        lookup: async () => ({
          grant: { clientId: 'client-1', expiresAt: 4e9 },
          session: undefined,
          revokedToken: undefined,
        }),
      },
      clock: () => Date.now(),
      resourceServers: [defaultResourceServer(AUDIENCE)],
      issuer: ISSUER,
      scopeRules: [],
      logger: createLogger({ write: () => undefined }),
    });
    const check = async (header: string) =>
      authorize({ type: 'TOKEN', authorizationToken: header, methodArn: METHOD_ARN }).then(
        () => 'allowed',
        () => 'refused',
      );
    const seconds = () => Math.floor(now / 1000);
    published = [publicJwk(older)];
    fetches = 0;

    const oldToken = await bearer(older, seconds());
    expect(await check(oldToken)).toBe('allowed');
    expect(await check(oldToken)).toBe('allowed');
    expect(fetches).toBe(1);

    // A rotation publishes a new key. Within the cooldown an unknown kid does not trigger a fetch.
    published = [publicJwk(newer), publicJwk(older)];
    const newToken = await bearer(newer, seconds());
    expect(await check(newToken)).toBe('refused');
    expect(fetches).toBe(1);
    advance(JWKS_COOLDOWN_MS + 1000);
    expect(await check(newToken)).toBe('allowed');
    expect(fetches).toBe(2);
    // Forged kids cannot make it fetch again within the cooldown.
    expect(await check(await bearer(await generateSigningKey(0), seconds()))).toBe('refused');
    expect(fetches).toBe(2);

    // The old key is removed from the JWKS: it keeps verifying only until the cache age has passed.
    published = [publicJwk(newer)];
    expect(await check(oldToken)).toBe('allowed');
    advance(JWKS_CACHE_MAX_AGE_MS + 1000);
    expect(await check(oldToken)).toBe('refused');
    expect(await check(newToken)).toBe('allowed');
    expect(fetches).toBe(3);
  });

  it('fails closed when the JWKS cannot be fetched', async () => {
    const logs: Record<string, unknown>[] = [];
    const unreachable = new URL('http://127.0.0.1:9/.well-known/jwks.json');
    const authorize = createAuthorizer({
      keys: remoteKeySet(unreachable),
      revocation: { lookup: () => Promise.reject(new Error('must not be reached')) },
      clock: () => Date.now(),
      resourceServers: [defaultResourceServer(AUDIENCE)],
      issuer: ISSUER,
      scopeRules: [],
      logger: createLogger({ write: (line) => logs.push(JSON.parse(line)) }),
    });
    const header = await bearer(older, Math.floor(Date.now() / 1000));
    await expect(
      authorize({ type: 'TOKEN', authorizationToken: header, methodArn: METHOD_ARN }),
    ).rejects.toThrow(/^Unauthorized$/);
    expect(logs.at(-1)).toMatchObject({ level: 'ERROR', reason: 'verification_failed' });
  });
});
