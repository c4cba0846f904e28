import { createSignInHandler } from '#adapters/endpoints/pages/signin';
import { accountPageServices } from '#adapters/web/browser-sessions';
import { config, db, keyRing, logger } from '#app/runtime';
import { systemClock } from '#core/clock';

export const handler = createSignInHandler(
  accountPageServices({ config, db, keyRing, clock: systemClock }, logger),
  logger,
);
