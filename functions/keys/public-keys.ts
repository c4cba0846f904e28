/**
 * The keys of a function that verifies tokens but never signs (`keys: 'publish'` in infra/routes.ts):
 * in the cloud it reads the public secret only, so it cannot leak a private key whatever it does. It
 * offers the same two methods as KeyRing (functions/commons/keys.ts), so it can stand in for one.
 */
import type { JWK } from 'jose';
import { KeySetError, type SigningKey } from '#commons/keys';
import { type PublicKeySet, parsePublicKeySet } from './key-sets.ts';
import type { SecretStore } from './secrets-manager.ts';

export interface PublicKeySource {
  load(): Promise<PublicKeySet>;
}

/** The public secret that the key Lambdas maintain (PUBLIC_KEYS_SECRET_ID). */
export class SecretPublicKeySource implements PublicKeySource {
  constructor(
    private readonly store: SecretStore,
    private readonly secretId: string,
  ) {}

  async load(): Promise<PublicKeySet> {
    const text = await this.store.getSecretString(this.secretId);
    if (text === undefined) throw new KeySetError('The public key secret does not exist');
    return parsePublicKeySet(text);
  }
}

/**
 * Public keys loaded once, kept in memory and reloaded after `refreshSeconds`, like KeyRing, so that a
 * rotation reaches warm functions without a redeploy.
 */
export class PublicKeyRing {
  private loaded: { at: number; keys: Promise<JWK[]> } | undefined;

  constructor(
    private readonly source: PublicKeySource,
    private readonly clock: () => number = Date.now,
    private readonly refreshSeconds = 300,
  ) {}

  async publicKeys(): Promise<JWK[]> {
    const now = this.clock();
    if (!this.loaded || now - this.loaded.at > this.refreshSeconds * 1000) {
      const keys = this.source.load().then((set) => set.keys);
      this.loaded = { at: now, keys };
      // A failed load must not be cached: the next request tries again.
      keys.catch(() => {
        if (this.loaded?.keys === keys) this.loaded = undefined;
      });
    }
    return this.loaded.keys;
  }

  /** Never: this function was deployed without access to private keys. */
  async signingKey(): Promise<SigningKey> {
    throw new KeySetError('This function verifies tokens only; it has no access to a signing key');
  }
}
