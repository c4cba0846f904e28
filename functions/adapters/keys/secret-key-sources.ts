/**
 * The key sources of the cloud: the signing secret (the full key set, for functions that sign) and the
 * public secret (`keys: 'publish'` in infra/routes.ts), so a function that only verifies cannot leak a
 * private key whatever it does. `KeyRing` (core/keys/key-ring.ts) caches and refreshes both.
 */
import type { KeySource, PublicKeySource } from '#core/keys/key-ring';
import { type PublicKeySet, parsePublicKeySet } from '#core/keys/key-secrets';
import { type KeySetDocument, KeySetError, parseKeySet } from '#core/keys/key-set';
import type { SecretStore } from '#core/keys/secret-store';

/** The key set as the `SecretString` of an AWS Secrets Manager secret. */
export class SecretKeySetSource implements KeySource {
  constructor(
    private readonly store: SecretStore,
    private readonly secretId: string,
  ) {}

  async load(): Promise<KeySetDocument> {
    const text = await this.store.getSecretString(this.secretId);
    if (text === undefined) throw new KeySetError('The signing key secret does not exist');
    return parseKeySet(text);
  }
}

/** The public secret that the key Lambdas maintain (PUBLIC_KEYS_SECRET_ID). */
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
