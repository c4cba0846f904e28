import { describe, expect, it } from 'vitest';
import { SecretPublicKeySource } from '#adapters/keys/secret-key-sources';
import { KeyRing } from '#core/keys/key-ring';
import { ensureKeySet, parsePublicKeySet, publicKeySet } from '#core/keys/key-secrets';
import { generateSigningKey, KeySetError } from '#core/keys/key-set';
import { currentKeySet as current, keySecretsTestbed as setup } from '../../../fakes/secret-store.ts';

const T0 = 1_750_000_000;

describe('the first key set (custom resource logic)', () => {
  it('replaces the placeholder with a fresh key per algorithm and publishes only their public parts', async () => {
    const { store, secrets } = setup();
    const result = await ensureKeySet(store, secrets, T0);

    expect(result.created).toBe(true);
    const document = await current(store, secrets.signing);
    expect(document.keys.map((key) => [key.alg, key.createdAt])).toEqual([
      ['ES256', T0],
      ['RS256', T0],
    ]);
    expect(document.keys[0]?.kid).toBe(result.currentKeyId);
    const published = parsePublicKeySet((await store.getSecretString(secrets.public)) as string);
    expect(published.keys.map((key) => key.kid)).toEqual(document.keys.map((key) => key.kid));
    expect(published.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(published.keys[1]).toMatchObject({ kty: 'RSA', e: 'AQAB', alg: 'RS256', use: 'sig' });
    // RFC 7518 §6.3.1: a 2048-bit modulus is 256 bytes.
    expect(Buffer.from(published.keys[1]?.n as string, 'base64url')).toHaveLength(256);
    for (const key of published.keys) {
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(member);
    }
  });

  it('adds a first RS256 key to a set made before RS256 existed, keeping its ES256 key current', async () => {
    const { store, secrets } = setup();
    const es256 = await generateSigningKey(T0);
    await store.putSecretString(secrets.signing, JSON.stringify({ keys: [es256] }));

    const result = await ensureKeySet(store, secrets, T0 + 60);

    expect(result).toEqual({ created: false, added: ['RS256'], currentKeyId: es256.kid });
    const document = await current(store, secrets.signing);
    expect(document.keys.map((key) => [key.kid === es256.kid, key.alg])).toEqual([
      [true, 'ES256'],
      [false, 'RS256'],
    ]);
    const published = parsePublicKeySet((await store.getSecretString(secrets.public)) as string);
    expect(published.keys.map((key) => key.alg)).toEqual(['ES256', 'RS256']);
  });

  it('never replaces a valid key set, and writes nothing when both secrets are as they should be', async () => {
    const { store, secrets } = setup();
    const first = await ensureKeySet(store, secrets, T0);
    const versions = [store.versionCount(secrets.signing), store.versionCount(secrets.public)];

    const again = await ensureKeySet(store, secrets, T0 + 86400);

    expect(again).toEqual({ created: false, added: [], currentKeyId: first.currentKeyId });
    expect([store.versionCount(secrets.signing), store.versionCount(secrets.public)]).toEqual(versions);
    expect(store.calls.filter((call) => call.operation === 'PutSecretValue')).toHaveLength(2);
  });

  it('republishes the public keys when the public secret was lost or tampered with', async () => {
    const { store, secrets } = setup();
    await ensureKeySet(store, secrets, T0);
    await store.putSecretString(secrets.public, JSON.stringify({ keys: [] }));

    await ensureKeySet(store, secrets, T0 + 10);

    const published = parsePublicKeySet((await store.getSecretString(secrets.public)) as string);
    const document = await current(store, secrets.signing);
    expect(published.keys.map((key) => key.kid)).toEqual(document.keys.map((key) => key.kid));
  });
});

describe('the public key set', () => {
  it('refuses a document holding private key material', async () => {
    for (const alg of ['ES256', 'RS256'] as const) {
      const key = await generateSigningKey(T0, alg);
      const leaked = { keys: [{ ...key.privateJwk, kid: key.kid, alg, use: 'sig' }] };
      expect(() => parsePublicKeySet(JSON.stringify(leaked))).toThrow(
        'The public key set holds private key material',
      );
    }
    expect(() => parsePublicKeySet('{"keys":[]}')).toThrow(KeySetError);
    expect(() => parsePublicKeySet('nope')).toThrow('The public key set is not valid JSON');
  });

  it('is what a public-only KeyRing serves, reloaded after its refresh period, and it never signs', async () => {
    const { store, secrets } = setup();
    await ensureKeySet(store, secrets, T0);
    let clock = 0;
    const ring = KeyRing.fromPublicKeys(new SecretPublicKeySource(store, secrets.public), () => clock, 300);

    const first = await ring.publicKeys();
    expect(first).toEqual(publicKeySet(await current(store, secrets.signing)).keys);
    const replacement = { keys: [{ ...first[0], kid: 'replaced' }] };
    await store.putSecretString(secrets.public, JSON.stringify(replacement));
    clock = 299_000;
    expect(await ring.publicKeys()).toEqual(first);
    clock = 301_000;
    expect((await ring.publicKeys()).map((key) => key.kid)).toEqual(['replaced']);
    await expect(ring.signingKey()).rejects.toThrow('verifies tokens only');
  });
});
