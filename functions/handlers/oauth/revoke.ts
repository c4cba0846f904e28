import { createRevokeHandler } from '#adapters/endpoints/oauth/revoke';
import { config, db, keyRing, logger } from '#app/runtime';
import { oauthServices } from '#app/services';
import { systemClock } from '#core/clock';

const { clients, tokenState } = oauthServices({ config, db, keyRing, clock: systemClock }, logger);
export const handler = createRevokeHandler(clients, tokenState, logger);
