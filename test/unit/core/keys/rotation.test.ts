import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ensureKeySet, parsePublicKeySet, publicKeySet } from '#core/keys/key-secrets';
import { parseKeySet } from '#core/keys/key-set';
import { createRotation, type RotationEvent } from '#core/keys/rotation';
import { CURRENT, PENDING } from '#core/keys/secret-store';
import { currentKeySet as current, keySecretsTestbed as setup } from '../../../fakes/secret-store.ts';

const T0 = 1_750_000_000;
const RETAIN = 3600 + 360;
const DELAY = 360;

describe('rotation (Secrets Manager rotation function)', () => {
  let context: ReturnType<typeof setup>;
  let now: number;
  let sleep: ReturnType<typeof vi.fn>;
  let served: () => Promise<{ keys: { kid?: string }[] }>;

  beforeEach(async () => {
    context = setup();
    await ensureKeySet(context.store, context.secrets, T0);
    now = (T0 + 30 * 86400) * 1000;
    sleep = vi.fn(async () => {});
    // What the JWKS endpoint serves: by default, exactly the public secret.
    served = async () =>
      parsePublicKeySet((await context.store.getSecretString(context.secrets.public)) as string);
  });

  const rotation = () =>
    createRotation({
      store: context.store,
      secrets: context.secrets,
      retainSeconds: RETAIN,
      publishDelaySeconds: DELAY,
      fetchPublishedKeys: () => served() as never,
      clock: () => now,
      sleep: sleep as unknown as (milliseconds: number) => Promise<void>,
      logger: context.logger,
    });

  /** What Secrets Manager does for one rotation: a new pending version id, then the steps in order. */
  async function rotate(
    token?: string,
    steps: RotationEvent['Step'][] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'],
  ): Promise<string> {
    const versionId = token ?? crypto.randomUUID();
    if (!token) context.store.beginRotation(context.secrets.signing, versionId);
    const run = rotation();
    for (const Step of steps)
      await run({ Step, SecretId: context.secrets.signing, ClientRequestToken: versionId });
    return versionId;
  }

  it('makes a fresh key of each algorithm current and keeps the previous ones, retired, for verification', async () => {
    const before = await current(context.store, context.secrets.signing);
    await rotate();

    const after = await current(context.store, context.secrets.signing);
    expect(after.keys.map((key) => key.alg)).toEqual(['ES256', 'RS256', 'ES256', 'RS256']);
    expect(after.keys.slice(0, 2).map((key) => key.retiredAt)).toEqual([undefined, undefined]);
    expect(after.keys.slice(0, 2).map((key) => key.kid)).not.toContain(before.keys[0]?.kid);
    expect(after.keys.slice(2)).toEqual(before.keys.map((key) => ({ ...key, retiredAt: now / 1000 })));
    const published = parsePublicKeySet(
      (await context.store.getSecretString(context.secrets.public)) as string,
    );
    expect(published).toEqual(publicKeySet(after));
  });

  it('publishes the new key before it becomes current, and waits the publish delay in between', async () => {
    const before = await current(context.store, context.secrets.signing);
    const token = await rotate(undefined, ['createSecret', 'setSecret']);

    const published = parsePublicKeySet(
      (await context.store.getSecretString(context.secrets.public)) as string,
    );
    const pending = parseKeySet(
      (await context.store.getSecretString(context.secrets.signing, {
        versionId: token,
        stage: PENDING,
      })) as string,
    );
    expect(published.keys.map((key) => key.kid)).toEqual(pending.keys.map((key) => key.kid));
    // Still signing with the old key.
    expect(await current(context.store, context.secrets.signing)).toEqual(before);
    expect(sleep).not.toHaveBeenCalled();

    await rotate(token, ['testSecret']);
    expect(sleep).toHaveBeenCalledWith(DELAY * 1000);
    expect(await current(context.store, context.secrets.signing)).toEqual(before);
  });

  it('does not activate a key that the JWKS endpoint does not serve yet', async () => {
    const before = await current(context.store, context.secrets.signing);
    const stale = publicKeySet(before);
    served = async () => stale;

    await expect(rotate()).rejects.toThrow(/does not serve the new key/);
    expect(await current(context.store, context.secrets.signing)).toEqual(before);
  });

  it('drops keys retired longer ago than the longest token lifetime', async () => {
    await rotate();
    const second = await current(context.store, context.secrets.signing);
    now += (RETAIN + 1) * 1000;
    await rotate();

    const third = await current(context.store, context.secrets.signing);
    expect(third.keys.map((key) => key.kid)).toEqual([
      third.keys[0]?.kid,
      third.keys[1]?.kid,
      second.keys[0]?.kid,
      second.keys[1]?.kid,
    ]);
  });

  it('gives a key set made before RS256 existed its first RS256 key', async () => {
    const [es256] = (await current(context.store, context.secrets.signing)).keys;
    await context.store.putSecretString(context.secrets.signing, JSON.stringify({ keys: [es256] }));
    await rotate();

    const after = await current(context.store, context.secrets.signing);
    expect(after.keys.map((key) => [key.alg, key.retiredAt])).toEqual([
      ['ES256', undefined],
      ['RS256', undefined],
      ['ES256', now / 1000],
    ]);
    expect(after.keys[2]?.kid).toBe(es256?.kid);
  });

  it('repeats no work when Secrets Manager retries a step', async () => {
    const token = await rotate(undefined, ['createSecret']);
    const pending = await context.store.getSecretString(context.secrets.signing, { versionId: token });
    await rotate(token, [
      'createSecret',
      'setSecret',
      'setSecret',
      'testSecret',
      'finishSecret',
      'finishSecret',
    ]);

    expect(await context.store.getSecretString(context.secrets.signing)).toBe(pending);
    expect((await context.store.describe(context.secrets.signing)).versionStages[token]).toContain(CURRENT);
  });

  it('refuses to rotate any other secret', async () => {
    const other = context.store.create('other', 'x');
    await expect(
      rotation()({ Step: 'createSecret', SecretId: other, ClientRequestToken: crypto.randomUUID() }),
    ).rejects.toThrow(`This function rotates only ${context.secrets.signing}`);
  });

  it('refuses a step Secrets Manager does not define, even one named like a method', async () => {
    const before = await current(context.store, context.secrets.signing);
    const versionId = crypto.randomUUID();
    context.store.beginRotation(context.secrets.signing, versionId);
    for (const Step of ['handle', 'toString', 'pendingSet']) {
      const event = { Step, SecretId: context.secrets.signing, ClientRequestToken: versionId };
      await expect(rotation()(event as unknown as RotationEvent)).rejects.toThrow(
        `Unknown rotation step ${Step}`,
      );
    }
    expect(await current(context.store, context.secrets.signing)).toEqual(before);
  });

  it('never logs private key material', async () => {
    await rotate();
    const document = await current(context.store, context.secrets.signing);
    const log = context.lines.join('\n');
    for (const key of document.keys) {
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const) {
        if (key.privateJwk[member]) expect(log).not.toContain(key.privateJwk[member] as string);
      }
    }
    expect(log).toContain(document.keys[0]?.kid);
  });
});
