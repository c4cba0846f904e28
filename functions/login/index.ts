import { config, db, keyRing, logger } from '#commons/runtime';
import { systemClock } from '#domain/clock';
import { userServices } from '#domain/wiring';
import { createLoginHandler } from './handler.ts';

export const handler = createLoginHandler(
  userServices({ config, db, keyRing, clock: systemClock }).accounts,
  logger,
);
