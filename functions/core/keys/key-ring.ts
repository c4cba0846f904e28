/**
 * The keys as a process uses them, behind two small ports: a full key set (functions that sign) or the
 * public keys alone (functions that only verify). Locally the key set lives in a git-ignored file, in the
 * cloud in AWS Secrets Manager (adapters/keys).
 */
import { createLocalJWKSet, importJWK, type JWK, type JWTVerifyGetKey } from 'jose';
import { type Clock, epochSeconds } from '#core/clock';
import type { SecurityEvents } from '#core/observability';
import {
  currentKeys,
  type KeyAlgorithm,
  type KeySetDocument,
  KeySetError,
  publicJwk,
  SIGNING_ALGORITHM,
} from './key-set.ts';

export interface KeySource {
  load(): Promise<KeySetDocument>;
}

/**
 * `source`, reporting at every load (a signing function's cold start, then every five minutes) how old
 * the ES256 key that signs is: what tells an operator that rotation is overdue, since nothing is
 * emitted when a rotation merely fails to happen.
 */
export function reportingKeyAge(source: KeySource, events: SecurityEvents, clock: Clock): KeySource {
  return {
    load: async () => {
      const document = await source.load();
      const signing = currentKeys(document).get(SIGNING_ALGORITHM);
      if (signing) {
        const ageSeconds = Math.max(0, epochSeconds(clock) - signing.createdAt);
        events.record({ kind: 'signing_key_age', ageSeconds });
      }
      return document;
    },
  };
}

/** Public keys only, for functions that verify but never sign (they are given no private key at all). */
export interface PublicKeySource {
  load(): Promise<{ keys: JWK[] }>;
}

export interface SigningKey {
  kid: string;
  alg: KeyAlgorithm;
  key: CryptoKey;
}

/** How often a warm function reloads its keys, so that a rotation reaches it without a redeploy. */
export const KEY_REFRESH_SECONDS = 300;

interface LoadedKeys {
  /** The current key of each algorithm; empty for a function that only verifies. */
  signing: Map<KeyAlgorithm, SigningKey>;
  publicKeys: JWK[];
}

/**
 * The keys as a process uses them: loaded once, kept in memory, and reloaded after `refreshSeconds`.
 * Built from a full key set (functions that sign) or from public keys only (functions that verify).
 */
export class KeyRing {
  private loaded: { at: number; current: Promise<LoadedKeys> } | undefined;
  private resolver: { source: JWK[]; get: JWTVerifyGetKey } | undefined;

  private constructor(
    private readonly load: () => Promise<LoadedKeys>,
    private readonly clock: () => number,
    private readonly refreshSeconds: number,
  ) {}

  static fromKeySet(source: KeySource, clock: () => number = Date.now, refreshSeconds = KEY_REFRESH_SECONDS) {
    return new KeyRing(
      async () => {
        const document = await source.load();
        const signing = new Map<KeyAlgorithm, SigningKey>();
        for (const [alg, stored] of currentKeys(document)) {
          const key = (await importJWK(stored.privateJwk, alg)) as CryptoKey;
          signing.set(alg, { kid: stored.kid, alg, key });
        }
        return { signing, publicKeys: document.keys.map(publicJwk) };
      },
      clock,
      refreshSeconds,
    );
  }

  static fromPublicKeys(
    source: PublicKeySource,
    clock: () => number = Date.now,
    refreshSeconds = KEY_REFRESH_SECONDS,
  ) {
    return new KeyRing(
      async () => ({ signing: new Map(), publicKeys: (await source.load()).keys }),
      clock,
      refreshSeconds,
    );
  }

  private state(): Promise<LoadedKeys> {
    const now = this.clock();
    if (!this.loaded || now - this.loaded.at >= this.refreshSeconds * 1000) {
      const current = this.load();
      this.loaded = { at: now, current };
      // A failed load must not be cached: the next request tries again.
      current.catch(() => {
        if (this.loaded?.current === current) this.loaded = undefined;
      });
    }
    return this.loaded.current;
  }

  /** The current key of `alg` (ES256 unless said otherwise: access and session tokens). */
  async signingKey(alg: KeyAlgorithm = SIGNING_ALGORITHM): Promise<SigningKey> {
    const { signing } = await this.state();
    if (signing.size === 0)
      throw new KeySetError('This function verifies tokens only; it has no signing key');
    const key = signing.get(alg);
    // Only a set made before RS256 existed, not yet upgraded by a deployment or rotation, lacks one.
    if (!key) throw new KeySetError(`The key set has no ${alg} key yet; rotate the keys or redeploy`);
    return key;
  }

  async publicKeys(): Promise<JWK[]> {
    return (await this.state()).publicKeys;
  }

  /** A jose key resolver over the current public keys, rebuilt only when the key set changes. */
  async verificationKeys(): Promise<JWTVerifyGetKey> {
    const publicKeys = await this.publicKeys();
    if (this.resolver?.source !== publicKeys) {
      this.resolver = { source: publicKeys, get: createLocalJWKSet({ keys: publicKeys }) };
    }
    return this.resolver.get;
  }
}
