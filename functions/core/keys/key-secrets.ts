/**
 * The two documents behind tinyoauth's keys in the cloud. The signing secret holds the full key set
 * (private keys; first key current) and is readable only by functions that sign. The public secret
 * holds the JWKS derived from it, and is all that the functions that only publish or verify keys can
 * read, so that none of them (the unauthenticated JWKS endpoint above all) can leak a private key.
 */
import type { JWK } from 'jose';
import {
  generateKeySet,
  type KeySetDocument,
  KeySetError,
  missingAlgorithms,
  PRIVATE_MEMBERS,
  parseKeySet,
  publicJwk,
  withEveryAlgorithm,
} from './key-set.ts';
import type { SecretStore } from './secret-store.ts';

export interface PublicKeySet {
  keys: JWK[];
}

/** Where the two documents live: secret ids (ARNs in the cloud). */
export interface KeySecrets {
  signing: string;
  public: string;
}

export const publicKeySet = (document: KeySetDocument): PublicKeySet => ({
  keys: document.keys.map(publicJwk),
});

/** The key types a published key of each algorithm must have. */
const KEY_TYPES: Record<string, string> = { ES256: 'EC', RS256: 'RSA' };

/**
 * Parses the public secret, refusing anything that is not a set of public signing keys: a reader that
 * serves this document as is must never be able to publish a private key, whatever was stored.
 */
export function parsePublicKeySet(text: string): PublicKeySet {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new KeySetError('The public key set is not valid JSON');
  }
  const keys = (document as PublicKeySet | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new KeySetError('The public key set holds no keys');
  for (const key of keys) {
    if (
      typeof key?.kid !== 'string' ||
      typeof key.alg !== 'string' ||
      KEY_TYPES[key.alg] === undefined ||
      key.kty !== KEY_TYPES[key.alg] ||
      key.use !== 'sig'
    ) {
      throw new KeySetError('The public key set holds a malformed key');
    }
    if (PRIVATE_MEMBERS.some((member) => member in key)) {
      throw new KeySetError('The public key set holds private key material');
    }
  }
  return { keys: keys.map((key) => ({ ...key })) };
}

/** The signing key set as stored, or undefined when the secret holds no valid key set yet. */
export async function readKeySet(
  store: SecretStore,
  secretId: string,
  version?: { versionId?: string; stage?: string },
): Promise<KeySetDocument | undefined> {
  const text = await store.getSecretString(secretId, version);
  if (text === undefined) return undefined;
  try {
    return parseKeySet(text);
  } catch (error) {
    if (error instanceof KeySetError) return undefined;
    throw error;
  }
}

/** Writes the public secret from `document`, unless it already says exactly that. */
export async function publishPublicKeys(
  store: SecretStore,
  secretId: string,
  document: KeySetDocument,
): Promise<void> {
  const text = JSON.stringify(publicKeySet(document));
  if ((await store.getSecretString(secretId)) !== text) await store.putSecretString(secretId, text);
}

/**
 * Makes sure both secrets hold a valid key set: generates the first keys when the signing secret holds
 * none (a new stack: CloudFormation created it with a placeholder), adds a first key for an algorithm
 * the set lacks (a set made before RS256 ID tokens), and never replaces a valid key (a stack update must
 * not invalidate every token in circulation).
 */
export async function ensureKeySet(
  store: SecretStore,
  secrets: KeySecrets,
  nowSeconds: number,
): Promise<{ created: boolean; added: string[]; currentKeyId: string }> {
  const stored = await readKeySet(store, secrets.signing);
  const added = stored ? missingAlgorithms(stored) : [];
  const document = stored
    ? await withEveryAlgorithm(stored, nowSeconds)
    : { keys: await generateKeySet(nowSeconds) };
  if (document !== stored) await store.putSecretString(secrets.signing, JSON.stringify(document));
  await publishPublicKeys(store, secrets.public, document);
  return { created: stored === undefined, added, currentKeyId: (document.keys[0] as { kid: string }).kid };
}
