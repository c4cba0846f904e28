/**
 * The published JWKS as a jose key resolver, fetched over node:https: the semantics of jose's
 * createRemoteJWKSet (fetch on first use, re-read after `cacheMaxAgeMs`, refetch for an unknown `kid` at
 * most once per `cooldownMs`, one fetch at a time), without its `new Headers()` at construction, which
 * loads Node's fetch implementation (undici) and costs the authorizer's cold start ~20 ms.
 */
import { errors, importJWK, type JWK, type JWTVerifyGetKey } from 'jose';
import { send } from '#adapters/http-client';

export interface RemoteKeySetOptions {
  cacheMaxAgeMs: number;
  cooldownMs: number;
  timeoutMs: number;
}

async function fetchKeySet(url: URL, timeoutMs: number): Promise<JWTVerifyGetKey> {
  // No redirects are followed: the key set must be served at exactly the configured URL.
  const response = await send(url, {
    method: 'GET',
    headers: { accept: 'application/json, application/jwk-set+json' },
    timeoutMs,
  });
  if (response.status !== 200)
    throw new errors.JOSEError(
      `Expected 200 OK from the JSON Web Key Set HTTP response, got ${response.status}`,
    );
  let document: unknown;
  try {
    document = JSON.parse(response.text);
  } catch (cause) {
    throw new errors.JOSEError('Failed to parse the JSON Web Key Set HTTP response as JSON', { cause });
  }
  // createLocalJWKSet refuses anything that is not a JWK Set (JWKSInvalid).
  return keysByKid(document);
}

const usableForEs256 = (jwk: JWK): boolean =>
  typeof jwk.kid === 'string' &&
  jwk.kty === 'EC' &&
  jwk.crv === 'P-256' &&
  jwk.d === undefined &&
  (jwk.use === undefined || jwk.use === 'sig') &&
  (jwk.alg === undefined || jwk.alg === 'ES256');

/**
 * The public ES256 keys of a JWK Set by `kid`, each imported once. jose's createLocalJWKSet searches
 * the whole set on every verification (~7 µs, a fifth of the authorizer's own cost over raw
 * verification); tinyoauth always names its key, so a map lookup is enough. A token without a `kid`,
 * with another algorithm, or naming a key not in the set finds no key.
 */
export function keysByKid(document: unknown): JWTVerifyGetKey {
  const keys = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new errors.JWKSInvalid('The JSON Web Key Set is malformed');
  const published = new Map<string, JWK>();
  for (const jwk of keys as JWK[]) if (usableForEs256(jwk)) published.set(jwk.kid as string, jwk);
  const imported = new Map<string, Promise<CryptoKey>>();
  return async (header) => {
    const jwk = header.kid === undefined ? undefined : published.get(header.kid);
    if (!jwk || header.alg !== 'ES256') throw new errors.JWKSNoMatchingKey();
    let key = imported.get(jwk.kid as string);
    if (!key) {
      key = importJWK(jwk, 'ES256') as Promise<CryptoKey>;
      imported.set(jwk.kid as string, key);
    }
    return key;
  };
}

export function createRemoteKeySet(url: URL, options: RemoteKeySetOptions): JWTVerifyGetKey {
  const href = new URL(url.href);
  let local: JWTVerifyGetKey | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | undefined;
  // Date.now, as jose uses: the cache follows wall-clock time.
  const age = () => Date.now() - fetchedAt;

  const reload = (): Promise<void> => {
    pending ??= fetchKeySet(href, options.timeoutMs)
      .then((keys) => {
        local = keys;
        fetchedAt = Date.now();
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  return async (protectedHeader, token) => {
    if (!local || age() >= options.cacheMaxAgeMs) await reload();
    const current = local as JWTVerifyGetKey;
    try {
      return await current(protectedHeader, token);
    } catch (error) {
      // A kid we do not know may be a key published since the last fetch; forged kids cannot make us
      // fetch more than once per cooldown.
      if (error instanceof errors.JWKSNoMatchingKey && age() >= options.cooldownMs) {
        await reload();
        return (local as JWTVerifyGetKey)(protectedHeader, token);
      }
      throw error;
    }
  };
}

/** How often the published keys are re-read; bounds how long a key removed from the JWKS still verifies. */
export const JWKS_CACHE_MAX_AGE_MS = 5 * 60_000;
/** Minimum time between refetches triggered by an unknown `kid`, so forged kids cannot flood the JWKS. */
export const JWKS_COOLDOWN_MS = 30_000;
const JWKS_TIMEOUT_MS = 3000;

/** The public keys as published at `jwksUri`, fetched on first use and cached in the warm Lambda. */
export const remoteKeySet = (jwksUri: URL): JWTVerifyGetKey =>
  createRemoteKeySet(jwksUri, {
    cacheMaxAgeMs: JWKS_CACHE_MAX_AGE_MS,
    cooldownMs: JWKS_COOLDOWN_MS,
    timeoutMs: JWKS_TIMEOUT_MS,
  });
