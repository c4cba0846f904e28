import { config, db, keyRing, logger } from '#commons/runtime';
import { accountPageServices } from '#domain/browser-sessions';
import { systemClock } from '#domain/clock';
import { createSignInHandler } from './handler.ts';

export const handler = createSignInHandler(
  accountPageServices({ config, db, keyRing, clock: systemClock }, logger),
  logger,
);
