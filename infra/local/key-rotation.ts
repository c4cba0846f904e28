/**
 * Rotates the local signing key set, both algorithms at once (`npm run keys:rotate`, `npm run admin --
 * keys rotate`). The new keys sign from now on; the previous ones stay published in the JWKS until every
 * token they may have signed has expired, then a later rotation drops them. (In the cloud the same
 * `rotateKeySet` runs in the Secrets Manager rotation Lambda.)
 */
import type { Config } from '#adapters/config';
import { FileKeySource } from '#adapters/keys/file-key-source';
import { generateKeySet, rotateKeySet } from '#core/keys/key-set';

export interface LocalRotation {
  file: string;
  /** `kid (alg)` of each key that signs from now on. */
  signing: string[];
  published: string[];
}

export async function rotateLocalKeys(config: Config, nowSeconds: number): Promise<LocalRotation> {
  if (config.keys.source !== 'file') {
    throw new Error(
      'SIGNING_KEYS_SECRET_ID is set: rotate cloud keys through Secrets Manager (see the README).',
    );
  }
  const source = new FileKeySource(config.keys.path);
  // The longest-lived token a key signs is a session token or an access token (ID tokens live as long).
  const retainSeconds = Math.max(config.sessionTtlSeconds, config.accessTokenTtlSeconds);
  const fresh = await generateKeySet(nowSeconds);
  const after = rotateKeySet(await source.load(), fresh, nowSeconds, retainSeconds);
  await source.save(after);
  return {
    file: config.keys.path,
    signing: fresh.map((key) => `${key.kid} (${key.alg})`),
    published: after.keys.map((key) => String(key.kid)),
  };
}
