import { config, db, keyRing, logger } from '#commons/runtime';
import { systemClock } from '#domain/clock';
import { oauthServices } from '#domain/wiring';
import { createIntrospectHandler } from './handler.ts';

const { clients, tokenState } = oauthServices({ config, db, keyRing, clock: systemClock }, logger);
export const handler = createIntrospectHandler(clients, tokenState, logger);
