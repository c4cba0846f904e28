import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createKeySetResource } from '#adapters/keys/custom-resource';
import { SecretPublicKeySource } from '#adapters/keys/secret-key-sources';
import { loadKeySettings } from '#adapters/keys/settings';
import { createLogger } from '#adapters/logger';
import { ConfigError } from '#contract/config-error';
import { KeyRing } from '#core/keys/key-ring';
import { ensureKeySet, parsePublicKeySet, publicKeySet } from '#core/keys/key-secrets';
import { generateSigningKey, KeySetError, parseKeySet } from '#core/keys/key-set';
import { createRotation, type RotationEvent } from '#core/keys/rotation';
import { CURRENT, PENDING } from '#core/keys/secret-store';
import { MemorySecretStore } from './memory-secret-store.ts';

const PLACEHOLDER = JSON.stringify({ keys: [], uninitialized: 'generated-by-cloudformation' });
const T0 = 1_750_000_000;
const RETAIN = 3600 + 360;
const DELAY = 360;

function setup() {
  const store = new MemorySecretStore();
  const secrets = {
    signing: store.create('signing', PLACEHOLDER),
    public: store.create('public', PLACEHOLDER),
  };
  const lines: string[] = [];
  const logger = createLogger({ write: (line) => lines.push(line), level: 'debug' });
  return { store, secrets, lines, logger };
}

async function current(store: MemorySecretStore, secretId: string) {
  return parseKeySet((await store.getSecretString(secretId)) as string);
}

describe('the first key set (custom resource logic)', () => {
  it('replaces the placeholder with one fresh key and publishes only its public part', async () => {
    const { store, secrets } = setup();
    const result = await ensureKeySet(store, secrets, T0);

    expect(result.created).toBe(true);
    const document = await current(store, secrets.signing);
    expect(document.keys).toHaveLength(1);
    expect(document.keys[0]?.kid).toBe(result.currentKeyId);
    expect(document.keys[0]?.createdAt).toBe(T0);
    const published = parsePublicKeySet((await store.getSecretString(secrets.public)) as string);
    expect(published.keys.map((key) => key.kid)).toEqual([result.currentKeyId]);
    expect(published.keys[0]).not.toHaveProperty('d');
    expect(published.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
  });

  it('never replaces a valid key set, and writes nothing when both secrets are as they should be', async () => {
    const { store, secrets } = setup();
    const first = await ensureKeySet(store, secrets, T0);
    const versions = [store.versionCount(secrets.signing), store.versionCount(secrets.public)];

    const again = await ensureKeySet(store, secrets, T0 + 86400);

    expect(again).toEqual({ created: false, currentKeyId: first.currentKeyId });
    expect([store.versionCount(secrets.signing), store.versionCount(secrets.public)]).toEqual(versions);
    expect(store.calls.filter((call) => call.operation === 'PutSecretValue')).toHaveLength(2);
  });

  it('republishes the public keys when the public secret was lost or tampered with', async () => {
    const { store, secrets } = setup();
    const { currentKeyId } = await ensureKeySet(store, secrets, T0);
    await store.putSecretString(secrets.public, JSON.stringify({ keys: [] }));

    await ensureKeySet(store, secrets, T0 + 10);

    const published = parsePublicKeySet((await store.getSecretString(secrets.public)) as string);
    expect(published.keys.map((key) => key.kid)).toEqual([currentKeyId]);
  });
});

describe('the CloudFormation custom resource', () => {
  const event = (type: 'Create' | 'Update' | 'Delete') =>
    ({
      RequestType: type,
      ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/signed',
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/TinyOAuth/1',
      RequestId: 'request-1',
      LogicalResourceId: 'KeySet',
      ResourceType: 'Custom::TinyOAuthKeySet',
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:init',
      ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:init' },
      ...(type === 'Create' ? {} : { PhysicalResourceId: 'ignored', OldResourceProperties: {} }),
    }) as unknown as CloudFormationCustomResourceEvent;

  function resource() {
    const context = setup();
    const fetch = vi.fn(
      async (_url: string | URL | Request, _init?: RequestInit) => new Response('', { status: 200 }),
    );
    const handler = createKeySetResource({
      store: context.store,
      secrets: context.secrets,
      clock: () => T0 * 1000,
      logger: context.logger,
      fetch: fetch as unknown as typeof globalThis.fetch,
    });
    const answer = () => {
      const [url, init] = fetch.mock.calls[0] as [string, RequestInit];
      return { url, init, body: JSON.parse(init.body as string) };
    };
    return { ...context, fetch, handler, answer };
  }

  it('creates the key set and answers SUCCESS with a stable physical id and no key material', async () => {
    const { handler, answer, store, secrets, lines } = resource();
    await handler(event('Create'));

    const { url, init, body } = answer();
    expect(url).toBe('https://cloudformation-custom-resource-response.s3.amazonaws.com/signed');
    expect(init.method).toBe('PUT');
    expect(body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: secrets.signing,
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/TinyOAuth/1',
      RequestId: 'request-1',
      LogicalResourceId: 'KeySet',
    });
    const document = await current(store, secrets.signing);
    expect(body.Data).toEqual({ CurrentKeyId: document.keys[0]?.kid });
    const privatePart = document.keys[0]?.privateJwk.d as string;
    expect(init.body).not.toContain(privatePart);
    expect(lines.join('\n')).not.toContain(privatePart);
  });

  it('answers FAILED with the reason when Secrets Manager fails, instead of leaving CloudFormation waiting', async () => {
    const { handler, answer, store } = resource();
    store.failNext = 'PutSecretValue';
    await handler(event('Create'));

    expect(answer().body).toMatchObject({
      Status: 'FAILED',
      Reason: 'SecretsManagerError: InternalServiceError: Simulated failure',
    });
  });

  it('keeps the key set on Update and touches nothing on Delete', async () => {
    const { handler, store, secrets, fetch } = resource();
    await handler(event('Create'));
    const before = await current(store, secrets.signing);
    await handler(event('Update'));
    expect(await current(store, secrets.signing)).toEqual(before);

    const calls = store.calls.length;
    await handler(event('Delete'));
    expect(store.calls.length).toBe(calls);
    expect(JSON.parse((fetch.mock.calls[2] as [string, RequestInit])[1].body as string).Status).toBe(
      'SUCCESS',
    );
  });
});

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

  it('makes a fresh key current and keeps the previous one, retired, for verification', async () => {
    const before = await current(context.store, context.secrets.signing);
    await rotate();

    const after = await current(context.store, context.secrets.signing);
    expect(after.keys).toHaveLength(2);
    expect(after.keys[0]?.kid).not.toBe(before.keys[0]?.kid);
    expect(after.keys[0]?.retiredAt).toBeUndefined();
    expect(after.keys[1]).toEqual({ ...before.keys[0], retiredAt: now / 1000 });
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
    expect(third.keys.map((key) => key.kid)).toEqual([third.keys[0]?.kid, second.keys[0]?.kid]);
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
    for (const key of document.keys) expect(log).not.toContain(key.privateJwk.d as string);
    expect(log).toContain(document.keys[0]?.kid);
  });
});

describe('the public key set', () => {
  it('refuses a document holding private key material', async () => {
    const key = await generateSigningKey(T0);
    const leaked = { keys: [{ ...key.privateJwk, kid: key.kid, alg: 'ES256', use: 'sig' }] };
    expect(() => parsePublicKeySet(JSON.stringify(leaked))).toThrow(
      'The public key set holds private key material',
    );
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

describe('key Lambda settings', () => {
  it('requires both secrets and validates numbers and the JWKS URI', () => {
    expect(() => loadKeySettings({})).toThrow(ConfigError);
    expect(() =>
      loadKeySettings({ SIGNING_KEYS_SECRET_ID: 'a', PUBLIC_KEYS_SECRET_ID: 'b', KEY_RETAIN_SECONDS: '-1' }),
    ).toThrow('KEY_RETAIN_SECONDS must be an integer');
    expect(() =>
      loadKeySettings({ SIGNING_KEYS_SECRET_ID: 'a', PUBLIC_KEYS_SECRET_ID: 'b', JWKS_URI: 'ftp://x' }),
    ).toThrow('JWKS_URI must be an absolute http(s) URL');
    expect(
      loadKeySettings({
        SIGNING_KEYS_SECRET_ID: 'a',
        PUBLIC_KEYS_SECRET_ID: 'b',
        KEY_RETAIN_SECONDS: '4560',
        KEY_PUBLISH_DELAY_SECONDS: '360',
        JWKS_URI: 'https://auth.example.com/.well-known/jwks.json',
        AWS_REGION: 'eu-west-1',
      }),
    ).toEqual({
      region: 'eu-west-1',
      secrets: { signing: 'a', public: 'b' },
      retainSeconds: 4560,
      publishDelaySeconds: 360,
      jwksUri: new URL('https://auth.example.com/.well-known/jwks.json'),
    });
  });
});
