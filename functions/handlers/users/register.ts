import { createRegisterHandler } from '#adapters/endpoints/users/register';
import { config, db, keyRing, logger } from '#app/runtime';
import { userServices } from '#app/services';
import { systemClock } from '#core/clock';

export const handler = createRegisterHandler(
  userServices({ config, db, keyRing, clock: systemClock }).accounts,
  logger,
);
