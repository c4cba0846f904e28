import { config, db, keyRing, logger } from '#commons/runtime';
import { systemClock } from '#domain/clock';
import { userServices } from '#domain/wiring';
import { createRegisterHandler } from './handler.ts';

export const handler = createRegisterHandler(
  userServices({ config, db, keyRing, clock: systemClock }).accounts,
  logger,
);
