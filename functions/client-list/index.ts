import { config, db, keyRing, logger } from '#commons/runtime';
import { clientServices } from '#domain/clients';
import { systemClock } from '#domain/clock';
import { createClientListHandler } from './handler.ts';

const { registry, sessions } = clientServices({ config, db, keyRing, clock: systemClock });
export const handler = createClientListHandler(registry, sessions, logger);
