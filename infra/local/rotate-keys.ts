/**
 * `npm run keys:rotate`: rotates the local signing key set, both algorithms at once. The new keys sign
 * from now on; the previous ones stay published in the JWKS until every token they may have signed has
 * expired, then a later rotation drops them. (In the cloud the same `rotateKeySet` runs in the Secrets
 * Manager rotation Lambda.)
 */
import { loadConfig } from '#adapters/config';
import { FileKeySource } from '#adapters/keys/file-key-source';
import { generateKeySet, rotateKeySet } from '#core/keys/key-set';

const config = loadConfig(process.env);
if (config.keys.source !== 'file') {
  console.error('SIGNING_KEYS_SECRET_ID is set: rotate cloud keys through Secrets Manager (see the README).');
  process.exit(1);
}
const source = new FileKeySource(config.keys.path);
const now = Math.floor(Date.now() / 1000);
// The longest-lived token a key signs is a session token or an access token (ID tokens live as long).
const retainSeconds = Math.max(config.sessionTtlSeconds, config.accessTokenTtlSeconds);
const before = await source.load();
const fresh = await generateKeySet(now);
const after = rotateKeySet(before, fresh, now, retainSeconds);
await source.save(after);
console.log(
  `Rotated ${config.keys.path}: now signing with ${fresh.map((key) => `${key.kid} (${key.alg})`).join(', ')}`,
);
console.log(`Published keys: ${after.keys.map((key) => key.kid).join(', ')}`);
console.log('A running `npm start` picks the new key up within 5 minutes (or restart it).');
