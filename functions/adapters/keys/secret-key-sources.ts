/**
 * The keys of a function that verifies tokens but never signs (`keys: 'publish'` in infra/routes.ts):
 * in the cloud it reads the public secret only, so it cannot leak a private key whatever it does.
 * `KeyRing.fromPublicKeys` (functions/commons/keys.ts) caches and refreshes it like a full key set.
 */

import type { SecretStore } from '#adapters/aws/secrets-manager';
import { KeySetError, type PublicKeySource } from '#core/keys/key-ring';
import { type PublicKeySet, parsePublicKeySet } from '#core/keys/key-sets';

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
