import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet } from 'jose';
import { describe, expect, it } from 'vitest';
import { createJwksHandler } from '#adapters/endpoints/discovery/jwks';
import { FileKeySource } from '#adapters/keys/file-key-source';
import { InvalidToken } from '#core/errors';
import { KeyRing } from '#core/keys/key-ring';
import { generateKeySet, generateSigningKey, parseKeySet, publicJwk, rotateKeySet } from '#core/keys/key-set';
import { SESSION_TOKEN_TYPE, signSessionToken, verifyToken } from '#core/tokens/jwt';
import { manualClock, memoryKeyRing } from '../../../fakes/keys.ts';
import { silentLogger } from '../../../fakes/logger.ts';

const ISSUER = 'https://auth.example.com';
const DAY = 86400;

describe('key sets', () => {
  it('creates a key file once, readable only by its owner, and reuses it', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'keys-')), 'nested', 'keys.json');
    const first = await new FileKeySource(path).load();
    const second = await new FileKeySource(path).load();
    expect(second.keys.map((key) => key.kid)).toEqual(first.keys.map((key) => key.kid));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(parseKeySet(await readFile(path, 'utf8')).keys.map((key) => key.alg)).toEqual(['ES256', 'RS256']);
  });

  it('gives a key file made before RS256 existed its RS256 key on the first load, keeping its ES256 key', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'keys-')), 'keys.json');
    const es256 = await generateSigningKey(0);
    await new FileKeySource(path).save({ keys: [es256] });

    const upgraded = await new FileKeySource(path).load();

    expect(upgraded.keys.map((key) => [key.kid === es256.kid, key.alg])).toEqual([
      [true, 'ES256'],
      [false, 'RS256'],
    ]);
    expect(parseKeySet(await readFile(path, 'utf8'))).toEqual(upgraded);
  });

  it('signs with the current key of the algorithm asked for, and says so when the set has none', async () => {
    const [es256, rs256] = await generateKeySet(0);
    const ring = KeyRing.fromKeySet({ load: async () => ({ keys: [es256!, rs256!] }) });
    expect(await ring.signingKey()).toMatchObject({ kid: es256?.kid, alg: 'ES256' });
    expect(await ring.signingKey('RS256')).toMatchObject({ kid: rs256?.kid, alg: 'RS256' });

    const old = KeyRing.fromKeySet({ load: async () => ({ keys: [es256!] }) });
    await expect(old.signingKey('RS256')).rejects.toThrow('The key set has no RS256 key yet');
  });

  it('publishes no private member of an RSA key', async () => {
    const rsa = await generateSigningKey(0, 'RS256');
    expect(Object.keys(publicJwk(rsa)).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });

  it('refuses a malformed key set', () => {
    expect(() => parseKeySet('{"keys":[]}')).toThrow(/no keys/);
    expect(() => parseKeySet('{"keys":[{"kid":"a","alg":"HS256","privateJwk":{"d":"x"}}]}')).toThrow(
      /malformed/,
    );
    expect(() => parseKeySet('not json')).toThrow(/JSON/);
    // Access and session tokens are ES256: a set with only an RSA key could sign neither.
    expect(() => parseKeySet('{"keys":[{"kid":"a","alg":"RS256","privateJwk":{"d":"x"}}]}')).toThrow(
      'holds no ES256 key',
    );
  });

  it('rotates every algorithm at once: fresh keys first, each previous current key retired', async () => {
    const first = await generateKeySet(0);
    const second = await generateKeySet(DAY);
    const rotated = rotateKeySet({ keys: first }, second, DAY, DAY);
    expect(rotated.keys.map((key) => [key.alg, key.retiredAt])).toEqual([
      ['ES256', undefined],
      ['RS256', undefined],
      ['ES256', DAY],
      ['RS256', DAY],
    ]);
    expect(rotated.keys.slice(2).map((key) => key.kid)).toEqual(first.map((key) => key.kid));
  });

  it('rotation puts the new key first, keeps the previous one, and drops keys retired longer than the retention', async () => {
    const k1 = await generateSigningKey(0);
    const k2 = await generateSigningKey(DAY);
    const k3 = await generateSigningKey(3 * DAY);
    const afterFirst = rotateKeySet({ keys: [k1] }, k2, DAY, DAY);
    expect(afterFirst.keys.map((key) => key.kid)).toEqual([k2.kid, k1.kid]);
    expect(afterFirst.keys[1]?.retiredAt).toBe(DAY);
    const afterSecond = rotateKeySet(afterFirst, k3, 3 * DAY, DAY);
    expect(afterSecond.keys.map((key) => key.kid)).toEqual([k3.kid, k2.kid]);
  });

  it('keeps tokens signed with the previous key valid after a rotation, and publishes both public keys', async () => {
    const clock = manualClock();
    const { source, keyRing } = await memoryKeyRing(clock);
    const claims = { sub: 'u1', jti: 's1', iat: 1, exp: 4_000_000_000 };
    const before = await signSessionToken(await keyRing.signingKey(), ISSUER, claims);

    const now = Math.floor(clock() / 1000);
    source.document = rotateKeySet(source.document, await generateSigningKey(now), now, DAY);
    const after = await signSessionToken(await keyRing.signingKey(), ISSUER, claims);

    const published = (await keyRing.publicKeys()).filter((key) => key.alg === 'ES256');
    expect(published).toHaveLength(2);
    for (const key of published) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
    const options = {
      keys: createLocalJWKSet({ keys: published }),
      issuer: ISSUER,
      audience: ISSUER,
      typ: SESSION_TOKEN_TYPE,
      nowSeconds: 2,
    };
    await expect(verifyToken(before, options)).resolves.toMatchObject({ sub: 'u1' });
    await expect(verifyToken(after, options)).resolves.toMatchObject({ sub: 'u1' });

    // Once the old key leaves the set, its tokens stop verifying.
    source.document = { keys: source.document.keys.slice(0, 1) };
    const current = createLocalJWKSet({ keys: await keyRing.publicKeys() });
    await expect(verifyToken(before, { ...options, keys: current })).rejects.toBeInstanceOf(InvalidToken);
  });

  it('reloads the key set after its refresh interval, and retries after a failed load', async () => {
    const clock = manualClock();
    let loads = 0;
    let fail = true;
    const key = await generateSigningKey(0);
    const ring = KeyRing.fromKeySet(
      {
        load: async () => {
          loads++;
          if (fail) throw new Error('unavailable');
          return { keys: [key] };
        },
      },
      clock,
      300,
    );
    await expect(ring.signingKey()).rejects.toThrow('unavailable');
    fail = false;
    await ring.signingKey();
    await ring.publicKeys();
    expect(loads).toBe(2);
    clock.advance(301);
    await ring.publicKeys();
    expect(loads).toBe(3);
  });

  it('serves the JWKS with a cacheable content type and no private members', async () => {
    const { keyRing } = await memoryKeyRing();
    const result = await createJwksHandler(keyRing, silentLogger)({} as never);
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['Content-Type']).toBe('application/jwk-set+json');
    expect(result.headers?.['Cache-Control']).toBe('public, max-age=300');
    const body = JSON.parse(result.body);
    expect(body.keys.map((key: { alg: string }) => key.alg)).toEqual(['ES256', 'RS256']);
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(result.body).not.toContain(`"${member}"`);
  });
});
