/**
 * Rotation of the signing key set, as the four steps of a Secrets Manager rotation function
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html):
 *
 * - createSecret: the rotated set (a fresh key first, the old current key retired but kept, keys retired
 *   longer ago than `retainSeconds` dropped) is stored as the AWSPENDING version.
 * - setSecret: the public keys of the pending set are published, before any function can sign with it.
 * - testSecret: the pending key must sign and its published public key verify; then, after the delay
 *   that every cache of the published keys needs to expire, the JWKS endpoint must serve the new key.
 * - finishSecret: the pending version becomes AWSCURRENT; signing functions pick it up on their next
 *   key reload.
 *
 * Every step is idempotent, as Secrets Manager retries failed steps.
 */
import { CompactSign, compactVerify, importJWK, type JWK } from 'jose';
import type { Logger } from '#core/logging';
import type { SecurityEvents } from '#core/observability';
import {
  type KeySecrets,
  type PublicKeySet,
  parsePublicKeySet,
  publishPublicKeys,
  readKeySet,
} from './key-secrets.ts';
import {
  currentKeys,
  generateKeySet,
  type KeyAlgorithm,
  type KeySetDocument,
  rotateKeySet,
  type StoredKey,
} from './key-set.ts';
import { CURRENT, PENDING, type SecretStore } from './secret-store.ts';

export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';

export interface RotationEvent {
  Step: RotationStep;
  SecretId: string;
  ClientRequestToken: string;
}

export interface RotationDependencies {
  store: SecretStore;
  /** `signing` must be the secret's full ARN: events for any other secret are refused. */
  secrets: KeySecrets;
  /** How long a retired key stays published: the longest lifetime of a token it may have signed. */
  retainSeconds: number;
  /** How long to wait after publishing before the new key may become current. */
  publishDelaySeconds: number;
  /** Reads the JWKS as clients see it; absent where there is no endpoint to check. */
  fetchPublishedKeys?: () => Promise<PublicKeySet>;
  /** Milliseconds since the epoch. */
  clock: () => number;
  sleep: (milliseconds: number) => Promise<void>;
  logger: Logger;
  /** Hears of every completed rotation (a metric and an audit line). */
  events?: SecurityEvents;
}

export class RotationError extends Error {
  override readonly name = 'RotationError';
}

export function createRotation(deps: RotationDependencies): (event: RotationEvent) => Promise<void> {
  const rotation = new KeySetRotation(deps);
  return (event) => rotation.handle(event);
}

const STEPS: readonly RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

class KeySetRotation {
  constructor(private readonly deps: RotationDependencies) {}

  async handle(event: RotationEvent): Promise<void> {
    if (!STEPS.includes(event.Step)) throw new RotationError(`Unknown rotation step ${String(event.Step)}`);
    const { store, secrets, logger } = this.deps;
    const description = await store.describe(event.SecretId);
    // One function, one secret: a resource policy mistake must not let it rotate anything else.
    if (description.arn !== secrets.signing) {
      throw new RotationError(`This function rotates only ${secrets.signing}, not ${description.arn}`);
    }
    const stages = description.versionStages[event.ClientRequestToken];
    if (!stages) throw new RotationError(`Version ${event.ClientRequestToken} does not exist`);
    if (stages.includes(CURRENT)) {
      logger.info('The version is already current', { step: event.Step });
      return;
    }
    if (!stages.includes(PENDING))
      throw new RotationError(`Version ${event.ClientRequestToken} is not pending`);
    await this[event.Step](event.ClientRequestToken);
  }

  async createSecret(token: string): Promise<void> {
    const { store, secrets, logger } = this.deps;
    if (await readKeySet(store, secrets.signing, { versionId: token, stage: PENDING })) return;
    const current = await readKeySet(store, secrets.signing, { stage: CURRENT });
    if (!current) throw new RotationError('The current version of the signing secret holds no valid key set');
    const now = Math.floor(this.deps.clock() / 1000);
    // A fresh key for every algorithm, so a set made before RS256 existed gains one here too.
    const fresh = await generateKeySet(now);
    const rotated = rotateKeySet(current, fresh, now, this.deps.retainSeconds);
    await store.putSecretString(secrets.signing, JSON.stringify(rotated), { token, stages: [PENDING] });
    logger.info('Created the pending key set', {
      newKeyIds: fresh.map((key) => key.kid),
      keptKeyIds: rotated.keys.slice(fresh.length).map((key) => key.kid),
    });
  }

  async setSecret(token: string): Promise<void> {
    const pending = await this.pendingSet(token);
    await publishPublicKeys(this.deps.store, this.deps.secrets.public, pending);
    this.deps.logger.info('Published the public keys of the pending key set', {
      keyIds: pending.keys.map((key) => key.kid),
    });
  }

  async testSecret(token: string): Promise<void> {
    const { store, secrets } = this.deps;
    const heads = [...currentKeys(await this.pendingSet(token)).values()];
    const published = parsePublicKeySet((await store.getSecretString(secrets.public)) ?? '');
    for (const head of heads) {
      const publicKey = published.keys.find((key) => key.kid === head.kid);
      if (!publicKey) throw new RotationError(`The public key set does not hold the new key ${head.kid}`);
      await assertKeyPair(head, publicKey);
    }

    await this.deps.sleep(this.deps.publishDelaySeconds * 1000);
    for (const head of heads) await this.checkServed(head.kid);
    this.deps.logger.info('The new keys sign, verify and are published', {
      newKeyIds: heads.map((key) => key.kid),
    });
  }

  async finishSecret(token: string): Promise<void> {
    const { store, secrets } = this.deps;
    const { versionStages } = await store.describe(secrets.signing);
    const current = Object.keys(versionStages).find((id) => versionStages[id]?.includes(CURRENT));
    if (current === token) return;
    const heads = [...currentKeys(await this.pendingSet(token)).values()];
    await store.moveStage(secrets.signing, CURRENT, token, current);
    this.deps.logger.info('The new key set is current', { versionId: token, previousVersionId: current });
    this.deps.events?.record({
      kind: 'keys_rotated',
      keyIds: heads.map((key) => key.kid),
      by: { system: 'secretsmanager-rotation' },
    });
  }

  private async pendingSet(token: string): Promise<KeySetDocument> {
    const document = await readKeySet(this.deps.store, this.deps.secrets.signing, {
      versionId: token,
      stage: PENDING,
    });
    if (!document) throw new RotationError(`Version ${token} is not a pending key set`);
    return document;
  }

  /** The JWKS endpoint, where there is one, must serve the new key before it may sign anything. */
  private async checkServed(keyId: string): Promise<void> {
    if (!this.deps.fetchPublishedKeys) return;
    const served = await this.deps.fetchPublishedKeys();
    if (!served.keys.some((key) => key.kid === keyId)) {
      throw new RotationError(`The JWKS endpoint does not serve the new key ${keyId} yet`);
    }
  }
}

/** Signs with the private key and verifies with the published public key: proof they are one pair. */
async function assertKeyPair(stored: StoredKey, publicJwk: JWK): Promise<void> {
  const alg: KeyAlgorithm = stored.alg;
  const probe = new TextEncoder().encode('tinyoauth key rotation probe');
  const signature = await new CompactSign(probe)
    .setProtectedHeader({ alg })
    .sign(await importJWK(stored.privateJwk, alg));
  try {
    await compactVerify(signature, await importJWK(publicJwk, alg));
  } catch {
    throw new RotationError('The published public key does not verify the new private key');
  }
}
