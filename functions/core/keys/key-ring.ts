/**
 * The keys as a process uses them, behind two small ports: a full key set (functions that sign) or the
 * public keys alone (functions that only verify). Locally the key set lives in a git-ignored file, in the
 * cloud in AWS Secrets Manager (adapters/keys).
 */
import { createLocalJWKSet, importJWK, type JWK, type JWTVerifyGetKey } from 'jose';
import { type KeySetDocument, KeySetError, publicJwk, SIGNING_ALGORITHM, type StoredKey } from './key-set.ts';

export interface KeySource {
  load(): Promise<KeySetDocument>;
}

/** Public keys only, for functions that verify but never sign (they are given no private key at all). */
export interface PublicKeySource {
  load(): Promise<{ keys: JWK[] }>;
}

export interface SigningKey {
  kid: string;
  key: CryptoKey;
}

/** How often a warm function reloads its keys, so that a rotation reaches it without a redeploy. */
export const KEY_REFRESH_SECONDS = 300;

interface LoadedKeys {
  signing: SigningKey | undefined;
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
        const [head] = document.keys as [StoredKey, ...StoredKey[]];
        const key = (await importJWK(head.privateJwk, SIGNING_ALGORITHM)) as CryptoKey;
        return { signing: { kid: head.kid, key }, publicKeys: document.keys.map(publicJwk) };
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
      async () => ({ signing: undefined, publicKeys: (await source.load()).keys }),
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

  async signingKey(): Promise<SigningKey> {
    const { signing } = await this.state();
    if (!signing) throw new KeySetError('This function verifies tokens only; it has no signing key');
    return signing;
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
