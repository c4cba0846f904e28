import { createLogoutHandler } from '#adapters/endpoints/users/logout';
import { config, db, keyRing, logger } from '#app/runtime';
import { userServices } from '#app/services';
import { systemClock } from '#core/clock';

export const handler = createLogoutHandler(
  userServices({ config, db, keyRing, clock: systemClock }).sessions,
  logger,
);
