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
import {
  type KeySecrets,
  type PublicKeySet,
  parsePublicKeySet,
  publishPublicKeys,
  readKeySet,
} from './key-secrets.ts';
import { generateSigningKey, type KeySetDocument, rotateKeySet, SIGNING_ALGORITHM } from './key-set.ts';
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
}

export class RotationError extends Error {
  override readonly name = 'RotationError';
}

export function createRotation(deps: RotationDependencies) {
  const { store, secrets, logger } = deps;
  const nowSeconds = () => Math.floor(deps.clock() / 1000);

  const pendingSet = async (token: string): Promise<KeySetDocument> => {
    const document = await readKeySet(store, secrets.signing, { versionId: token, stage: PENDING });
    if (!document) throw new RotationError(`Version ${token} is not a pending key set`);
    return document;
  };

  const steps: Record<RotationStep, (token: string) => Promise<void>> = {
    async createSecret(token) {
      if (await readKeySet(store, secrets.signing, { versionId: token, stage: PENDING })) return;
      const current = await readKeySet(store, secrets.signing, { stage: CURRENT });
      if (!current)
        throw new RotationError('The current version of the signing secret holds no valid key set');
      const now = nowSeconds();
      const rotated = rotateKeySet(current, await generateSigningKey(now), now, deps.retainSeconds);
      await store.putSecretString(secrets.signing, JSON.stringify(rotated), { token, stages: [PENDING] });
      logger.info('Created the pending key set', {
        newKeyId: rotated.keys[0]?.kid,
        keptKeyIds: rotated.keys.slice(1).map((key) => key.kid),
      });
    },

    async setSecret(token) {
      const pending = await pendingSet(token);
      await publishPublicKeys(store, secrets.public, pending);
      logger.info('Published the public keys of the pending key set', {
        keyIds: pending.keys.map((key) => key.kid),
      });
    },

    async testSecret(token) {
      const pending = await pendingSet(token);
      const [head] = pending.keys as [KeySetDocument['keys'][number]];
      const published = parsePublicKeySet((await store.getSecretString(secrets.public)) ?? '');
      const publicKey = published.keys.find((key) => key.kid === head.kid);
      if (!publicKey) throw new RotationError(`The public key set does not hold the new key ${head.kid}`);
      await assertKeyPair(head.privateJwk, publicKey);

      await deps.sleep(deps.publishDelaySeconds * 1000);
      if (deps.fetchPublishedKeys) {
        const served = await deps.fetchPublishedKeys();
        if (!served.keys.some((key) => key.kid === head.kid)) {
          throw new RotationError(`The JWKS endpoint does not serve the new key ${head.kid} yet`);
        }
      }
      logger.info('The new key signs, verifies and is published', { newKeyId: head.kid });
    },

    async finishSecret(token) {
      const { versionStages } = await store.describe(secrets.signing);
      const current = Object.keys(versionStages).find((id) => versionStages[id]?.includes(CURRENT));
      if (current === token) return;
      await store.moveStage(secrets.signing, CURRENT, token, current);
      logger.info('The new key set is current', { versionId: token, previousVersionId: current });
    },
  };

  return async (event: RotationEvent): Promise<void> => {
    const step = steps[event.Step];
    if (!step) throw new RotationError(`Unknown rotation step ${String(event.Step)}`);
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
    await step(event.ClientRequestToken);
  };
}

/** Signs with the private key and verifies with the published public key: proof they are one pair. */
async function assertKeyPair(privateJwk: JWK, publicJwk: JWK): Promise<void> {
  const probe = new TextEncoder().encode('tinyoauth key rotation probe');
  const signature = await new CompactSign(probe)
    .setProtectedHeader({ alg: SIGNING_ALGORITHM })
    .sign(await importJWK(privateJwk, SIGNING_ALGORITHM));
  try {
    await compactVerify(signature, await importJWK(publicJwk, SIGNING_ALGORITHM));
  } catch {
    throw new RotationError('The published public key does not verify the new private key');
  }
}
