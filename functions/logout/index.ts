import { config, db, keyRing, logger } from '#commons/runtime';
import { systemClock } from '#domain/clock';
import { userServices } from '#domain/wiring';
import { createLogoutHandler } from './handler.ts';

export const handler = createLogoutHandler(
  userServices({ config, db, keyRing, clock: systemClock }).sessions,
  logger,
);
