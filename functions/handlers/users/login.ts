import { createLoginHandler } from '#adapters/endpoints/users/login';
import { config, db, keyRing, logger } from '#app/runtime';
import { userServices } from '#app/services';
import { systemClock } from '#core/clock';

export const handler = createLoginHandler(
  userServices({ config, db, keyRing, clock: systemClock }).accounts,
  logger,
);
