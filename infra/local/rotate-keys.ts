/**
 * `npm run keys:rotate`: rotates the local signing key set. The new key signs from now on; the previous
 * key stays published in the JWKS until every token it may have signed has expired, then a later
 * rotation drops it. (In the cloud the same `rotateKeySet` runs in the Secrets Manager rotation Lambda.)
 */
import { loadConfig } from '#adapters/config';
import { FileKeySource } from '#adapters/keys/file-key-source';
import { generateSigningKey, rotateKeySet } from '#core/keys/key-set';

const config = loadConfig(process.env);
if (config.keys.source !== 'file') {
  console.error('SIGNING_KEYS_SECRET_ID is set: rotate cloud keys through Secrets Manager (see the README).');
  process.exit(1);
}
const source = new FileKeySource(config.keys.path);
const now = Math.floor(Date.now() / 1000);
// The longest-lived token a key signs is a session token or an access token.
const retainSeconds = Math.max(config.sessionTtlSeconds, config.accessTokenTtlSeconds);
const before = await source.load();
const after = rotateKeySet(before, await generateSigningKey(now), now, retainSeconds);
await source.save(after);
console.log(`Rotated ${config.keys.path}: now signing with ${after.keys[0]?.kid}`);
console.log(`Published keys: ${after.keys.map((key) => key.kid).join(', ')}`);
console.log('A running `npm start` picks the new key up within 5 minutes (or restart it).');
