import { createTokenHandler } from '#adapters/endpoints/oauth/token';
import { config, db, keyRing, logger } from '#app/runtime';
import { oauthServices } from '#app/services';
import { systemClock } from '#core/clock';

const { clients, tokenGrants } = oauthServices({ config, db, keyRing, clock: systemClock }, logger);
export const handler = createTokenHandler(clients, tokenGrants, logger);
