/** Lambda entry of the Secrets Manager rotation function of the signing key set (see rotation.ts). */
import { setTimeout as sleep } from 'node:timers/promises';
import { AwsSecretStore } from '#adapters/aws/secrets-manager';
import { loadKeySettings } from '#adapters/keys/settings';
import { createLogger } from '#adapters/logger';
import { parsePublicKeySet } from '#core/keys/key-sets';
import { createRotation } from '#core/keys/rotation';

const settings = loadKeySettings(process.env);
const jwksUri = settings.jwksUri;

export const handler = createRotation({
  store: new AwsSecretStore(settings.region),
  secrets: settings.secrets,
  retainSeconds: settings.retainSeconds,
  publishDelaySeconds: settings.publishDelaySeconds,
  fetchPublishedKeys: jwksUri
    ? async () => {
        const response = await fetch(jwksUri, { signal: AbortSignal.timeout(5000) });
        if (!response.ok) throw new Error(`The JWKS endpoint answered HTTP ${response.status}`);
        return parsePublicKeySet(await response.text());
      }
    : undefined,
  clock: Date.now,
  sleep: (milliseconds) => sleep(milliseconds).then(() => undefined),
  logger: createLogger({ service: 'keys-rotate' }),
});
