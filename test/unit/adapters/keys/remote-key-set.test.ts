/**
 * The authorizer's remote key set beyond test/integration/adapters/keys/remote-key-set.test.ts (which covers caching,
 * cooldown and an unreachable JWKS): what it refuses, and that concurrent cold calls fetch once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors, importJWK, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteKeySet, keysByKid } from '#adapters/keys/remote-key-set';
import { generateSigningKey, publicJwk, type StoredKey } from '#core/keys/key-set';
import { signAccessToken } from '#core/tokens/jwt';

const OPTIONS = { cacheMaxAgeMs: 60_000, cooldownMs: 30_000, timeoutMs: 1000 };
let server: Server;
let base: URL;
let key: StoredKey;
let fetches = 0;

beforeAll(async () => {
  key = await generateSigningKey(0);
  server = createServer((request, response) => {
    fetches++;
    const send = (status: number, body: string, headers: Record<string, string> = {}) =>
      setTimeout(() => response.writeHead(status, headers).end(body), 20);
    if (request.url === '/jwks.json') send(200, JSON.stringify({ keys: [publicJwk(key)] }));
    else if (request.url === '/moved') send(302, '', { location: '/jwks.json' });
    else if (request.url === '/garbage') send(200, '<html>not json</html>');
    else if (request.url === '/not-a-key-set') send(200, JSON.stringify({ keys: 'none' }));
    else if (request.url === '/slow')
      return; // never answers
    else send(500, '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});

afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

async function token() {
  const signing = {
    kid: key.kid,
    alg: 'ES256' as const,
    key: (await importJWK(key.privateJwk, 'ES256')) as CryptoKey,
  };
  const now = Math.floor(Date.now() / 1000);
  return signAccessToken(signing, 'https://issuer.example', 'https://issuer.example/protected', {
    sub: 's',
    client_id: 'c',
    scope: 'read',
    jti: 'j',
    iat: now,
    exp: now + 60,
    gid: 'g',
  });
}

describe('createRemoteKeySet', () => {
  it('verifies with the published key, fetching once for concurrent first calls', async () => {
    const keys = createRemoteKeySet(new URL('/jwks.json', base), OPTIONS);
    const jwt = await token();
    fetches = 0;
    const results = await Promise.all([jwtVerify(jwt, keys), jwtVerify(jwt, keys), jwtVerify(jwt, keys)]);
    expect(results.map((result) => result.payload.sub)).toEqual(['s', 's', 's']);
    expect(fetches).toBe(1);
  });

  it.each([
    ['a redirect (not followed)', '/moved', errors.JOSEError],
    ['a server error', '/error', errors.JOSEError],
    ['a body that is not JSON', '/garbage', errors.JOSEError],
    ['JSON that is not a JWK Set', '/not-a-key-set', errors.JWKSInvalid],
  ])('refuses %s', async (_name, path, type) => {
    const keys = createRemoteKeySet(new URL(path, base), OPTIONS);
    await expect(jwtVerify(await token(), keys)).rejects.toBeInstanceOf(type);
  });

  it('fails, and tries again on the next call, when the key set does not arrive in time', async () => {
    const keys = createRemoteKeySet(new URL('/slow', base), { ...OPTIONS, timeoutMs: 100 });
    const jwt = await token();
    fetches = 0;
    await expect(jwtVerify(jwt, keys)).rejects.toThrow(/longer than 100 ms/);
    await expect(jwtVerify(jwt, keys)).rejects.toThrow(/longer than 100 ms/);
    expect(fetches).toBe(2);
  });
});

describe('keys by kid', () => {
  const header = (kid: string | undefined, alg = 'ES256') => ({ alg, ...(kid === undefined ? {} : { kid }) });

  it('resolves a published ES256 key by its kid, importing it once', async () => {
    const resolve = keysByKid({ keys: [publicJwk(key)] });
    const first = await resolve(header(key.kid), { payload: '', signature: '' } as never);
    const second = await resolve(header(key.kid), { payload: '', signature: '' } as never);
    expect(first).toBe(second);
  });

  it.each([
    ['no kid', header(undefined)],
    ['an unknown kid', header('someone-else')],
    ['another algorithm', header('', 'HS256')],
  ])('finds no key for %s', async (_name, protectedHeader) => {
    const resolve = keysByKid({ keys: [publicJwk(key)] });
    const kidOrKnown = protectedHeader.kid === '' ? { ...protectedHeader, kid: key.kid } : protectedHeader;
    await expect(resolve(kidOrKnown, {} as never)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
  });

  it('never uses a private, symmetric, non-signing or other-curve key even when its kid matches', async () => {
    const jwk = publicJwk(key);
    const unusable = [
      { ...key.privateJwk, kid: 'private' },
      { kty: 'oct', k: 'c2VjcmV0', kid: 'oct' },
      { ...jwk, kid: 'enc', use: 'enc' },
      { ...jwk, kid: 'p384', crv: 'P-384' },
      { ...jwk, kid: 'rs', alg: 'RS256' },
    ];
    const resolve = keysByKid({ keys: unusable });
    for (const { kid } of unusable) {
      await expect(resolve(header(kid), {} as never)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    }
    expect(() => keysByKid({ keys: 'none' })).toThrow(errors.JWKSInvalid);
  });
});
