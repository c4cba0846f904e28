import { createClientSecretHandler } from '#adapters/endpoints/clients/secret';
import { config, db, keyRing, logger } from '#app/runtime';
import { clientServices } from '#core/clients/registry';
import { systemClock } from '#core/clock';

const { registry, sessions } = clientServices({ config, db, keyRing, clock: systemClock });
export const handler = createClientSecretHandler(registry, sessions, logger);
