/**
 * A signing key set: a JSON document whose first key is the current signing key; the others are
 * previous keys, published in the JWKS until every token they signed has expired, so a rotation never
 * breaks tokens in flight. Key material is never logged, returned or written anywhere but its store.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export const SIGNING_ALGORITHM = 'ES256';

export interface StoredKey {
  kid: string;
  alg: typeof SIGNING_ALGORITHM;
  /** Private JWK (includes `d`). Never logged, never returned. */
  privateJwk: JWK;
  createdAt: number;
  /** When it stopped being the current key (epoch seconds); absent for the current key. */
  retiredAt?: number;
}

export interface KeySetDocument {
  keys: StoredKey[];
}

export class KeySetError extends Error {
  override readonly name = 'KeySetError';
}

export async function generateSigningKey(nowSeconds: number): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  return { kid: randomUUID(), alg: SIGNING_ALGORITHM, privateJwk, createdAt: nowSeconds };
}

/**
 * The key set after a rotation: `fresh` becomes current, the old current key is retired now, and keys
 * retired longer ago than `retainSeconds` (the longest lifetime of any token they may have signed) go.
 */
export function rotateKeySet(
  document: KeySetDocument,
  fresh: StoredKey,
  nowSeconds: number,
  retainSeconds: number,
): KeySetDocument {
  const previous = document.keys.map((key, index) =>
    index === 0 && key.retiredAt === undefined ? { ...key, retiredAt: nowSeconds } : key,
  );
  return {
    keys: [fresh, ...previous.filter((key) => (key.retiredAt ?? nowSeconds) + retainSeconds > nowSeconds)],
  };
}

export function publicJwk(key: StoredKey): JWK {
  const { d: _private, ...rest } = key.privateJwk;
  return { ...rest, kid: key.kid, alg: key.alg, use: 'sig' };
}

export function parseKeySet(text: string): KeySetDocument {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new KeySetError('The signing key set is not valid JSON');
  }
  const keys = (document as KeySetDocument | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new KeySetError('The signing key set holds no keys');
  for (const key of keys) {
    if (
      typeof key?.kid !== 'string' ||
      key.alg !== SIGNING_ALGORITHM ||
      typeof key.privateJwk?.d !== 'string'
    ) {
      throw new KeySetError('The signing key set holds a malformed key');
    }
  }
  return { keys };
}
