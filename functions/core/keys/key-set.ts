/**
 * A signing key set: a JSON document of keys, each with its algorithm. The first key of each algorithm
 * is the current one and signs; the others are previous keys, published in the JWKS until every token
 * they signed has expired, so a rotation never breaks tokens in flight. Two algorithms live side by side:
 * ES256 signs access and session tokens (and ID tokens for clients that ask for it), RS256 signs ID
 * tokens by default, because OpenID Connect makes it the one algorithm every relying party supports.
 * Key material is never logged, returned or written anywhere but its store.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

/** The algorithm of access and session tokens: the only one the authorizer and every verifier accept. */
export const SIGNING_ALGORITHM = 'ES256';

/** Every algorithm a key set holds a current key for, in the order they are generated. */
export const KEY_ALGORITHMS = ['ES256', 'RS256'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

/**
 * RSA modulus length of RS256 keys. 2048 bits is RFC 7518 §3.3's floor and NIST SP 800-57's strength
 * (112 bits) through 2030: enough for a key that signs for 90 days and is published a few hours longer,
 * while keeping ID tokens 170 characters shorter and signing about three times faster than 3072 bits.
 */
export const RSA_MODULUS_LENGTH = 2048;

export interface StoredKey {
  kid: string;
  alg: KeyAlgorithm;
  /** Private JWK (includes `d`, and for RSA the CRT members). Never logged, never returned. */
  privateJwk: JWK;
  createdAt: number;
  /** When it stopped being the current key of its algorithm (epoch seconds); absent for current keys. */
  retiredAt?: number;
}

export interface KeySetDocument {
  keys: StoredKey[];
}

export class KeySetError extends Error {
  override readonly name = 'KeySetError';
}

export const isKeyAlgorithm = (value: unknown): value is KeyAlgorithm =>
  KEY_ALGORITHMS.includes(value as KeyAlgorithm);

export async function generateSigningKey(
  nowSeconds: number,
  alg: KeyAlgorithm = SIGNING_ALGORITHM,
): Promise<StoredKey> {
  const options =
    alg === 'RS256' ? { extractable: true, modulusLength: RSA_MODULUS_LENGTH } : { extractable: true };
  const { privateKey } = await generateKeyPair(alg, options);
  const privateJwk = await exportJWK(privateKey);
  return { kid: randomUUID(), alg, privateJwk, createdAt: nowSeconds };
}

/** A fresh key for every algorithm: a new key set, or what a rotation makes current. */
export const generateKeySet = async (nowSeconds: number): Promise<StoredKey[]> =>
  Promise.all(KEY_ALGORITHMS.map((alg) => generateSigningKey(nowSeconds, alg)));

/** The current (signing) key of each algorithm the set holds: the first key of that algorithm. */
export function currentKeys(document: KeySetDocument): Map<KeyAlgorithm, StoredKey> {
  const current = new Map<KeyAlgorithm, StoredKey>();
  for (const key of document.keys) if (!current.has(key.alg)) current.set(key.alg, key);
  return current;
}

/** The algorithms the set has no key for yet (a set made before RS256 existed has none). */
export const missingAlgorithms = (document: KeySetDocument): KeyAlgorithm[] =>
  KEY_ALGORITHMS.filter((alg) => !currentKeys(document).has(alg));

/**
 * The key set after a rotation: the `fresh` keys become current, the current key of each of their
 * algorithms is retired now, and keys retired longer ago than `retainSeconds` (the longest lifetime of
 * any token they may have signed) go. An algorithm the set lacked simply gains its first key.
 */
export function rotateKeySet(
  document: KeySetDocument,
  fresh: StoredKey | readonly StoredKey[],
  nowSeconds: number,
  retainSeconds: number,
): KeySetDocument {
  const incoming = Array.isArray(fresh) ? fresh : [fresh as StoredKey];
  const replaced = new Set(incoming.map((key) => key.alg));
  const current = new Set(currentKeys(document).values());
  const previous = document.keys.map((key) =>
    current.has(key) && replaced.has(key.alg) && key.retiredAt === undefined
      ? { ...key, retiredAt: nowSeconds }
      : key,
  );
  return {
    keys: [
      ...incoming,
      ...previous.filter((key) => (key.retiredAt ?? nowSeconds) + retainSeconds > nowSeconds),
    ],
  };
}

/** The set with a first key for every algorithm it lacks; the same document when it lacks none. */
export async function withEveryAlgorithm(
  document: KeySetDocument,
  nowSeconds: number,
): Promise<KeySetDocument> {
  const missing = missingAlgorithms(document);
  if (missing.length === 0) return document;
  const added = await Promise.all(missing.map((alg) => generateSigningKey(nowSeconds, alg)));
  return { keys: [...document.keys, ...added] };
}

/** Members of a JWK that carry private key material (RFC 7518 §6.2.2, §6.3.2, §6.4). */
export const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

export function publicJwk(key: StoredKey): JWK {
  const rest: JWK = { ...key.privateJwk };
  for (const member of PRIVATE_MEMBERS) delete rest[member];
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
    if (typeof key?.kid !== 'string' || !isKeyAlgorithm(key.alg) || typeof key.privateJwk?.d !== 'string') {
      throw new KeySetError('The signing key set holds a malformed key');
    }
  }
  // Access and session tokens are ES256 only: a set without such a key could sign none of them.
  if (!keys.some((key) => key.alg === SIGNING_ALGORITHM)) {
    throw new KeySetError(`The signing key set holds no ${SIGNING_ALGORITHM} key`);
  }
  return { keys };
}
