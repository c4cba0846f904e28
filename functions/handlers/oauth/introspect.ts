import { createIntrospectHandler } from '#adapters/endpoints/oauth/introspect';
import { config, db, keyRing, logger } from '#app/runtime';
import { oauthServices } from '#app/services';
import { systemClock } from '#core/clock';

const { clients, tokenState } = oauthServices({ config, db, keyRing, clock: systemClock }, logger);
export const handler = createIntrospectHandler(clients, tokenState, logger);
