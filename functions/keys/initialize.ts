/** Lambda entry of the custom resource that creates the first signing key (see custom-resource.ts). */
import { createLogger } from '#commons/logger';
import { AwsSecretStore } from '#commons/secrets-manager';
import { createKeySetResource } from './custom-resource.ts';
import { loadKeySettings } from './settings.ts';

const settings = loadKeySettings(process.env);

export const handler = createKeySetResource({
  store: new AwsSecretStore(settings.region),
  secrets: settings.secrets,
  clock: Date.now,
  logger: createLogger({ service: 'keys-initialize' }),
  fetch,
});
