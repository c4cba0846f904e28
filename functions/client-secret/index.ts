import { config, db, keyRing, logger } from '#commons/runtime';
import { clientServices } from '#domain/clients';
import { systemClock } from '#domain/clock';
import { createClientSecretHandler } from './handler.ts';

const { registry, sessions } = clientServices({ config, db, keyRing, clock: systemClock });
export const handler = createClientSecretHandler(registry, sessions, logger);
