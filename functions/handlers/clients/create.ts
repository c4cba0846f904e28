import { createClientCreateHandler } from '#adapters/endpoints/clients/create';
import { config, db, keyRing, logger } from '#app/runtime';
import { clientServices } from '#core/clients/registry';
import { systemClock } from '#core/clock';

const { registry, sessions } = clientServices({ config, db, keyRing, clock: systemClock });
export const handler = createClientCreateHandler(registry, sessions, logger);
