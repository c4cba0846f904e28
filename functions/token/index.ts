import { config, db, keyRing, logger } from '#commons/runtime';
import { systemClock } from '#domain/clock';
import { oauthServices } from '#domain/wiring';
import { createTokenHandler } from './handler.ts';

const { clients, tokenGrants } = oauthServices({ config, db, keyRing, clock: systemClock }, logger);
export const handler = createTokenHandler(clients, tokenGrants, logger);
