/**
 * The published JWKS as a jose key resolver, fetched over node:https: the semantics of jose's
 * createRemoteJWKSet (fetch on first use, re-read after `cacheMaxAgeMs`, refetch for an unknown `kid` at
 * most once per `cooldownMs`, one fetch at a time), without its `new Headers()` at construction, which
 * loads Node's fetch implementation (undici) and costs the authorizer's cold start ~20 ms.
 */
import { createLocalJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import { send } from '#commons/http-client';

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
  return createLocalJWKSet(document as Parameters<typeof createLocalJWKSet>[0]);
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
