/** Lambda entry of the custom resource that creates the first signing key (see custom-resource.ts). */

import { AwsSecretStore } from '#adapters/aws/secrets-manager';
import { createKeySetResource } from '#adapters/keys/custom-resource';
import { loadKeySettings } from '#adapters/keys/settings';
import { createLogger } from '#adapters/logger';

const settings = loadKeySettings(process.env);

export const handler = createKeySetResource({
  store: new AwsSecretStore(settings.region),
  secrets: settings.secrets,
  clock: Date.now,
  logger: createLogger({ service: 'keys-initialize' }),
  fetch,
});
