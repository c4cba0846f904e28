import { createSignUpHandler } from '#adapters/endpoints/pages/signup';
import { accountPageServices } from '#adapters/web/browser-sessions';
import { config, db, keyRing, logger } from '#app/runtime';
import { systemClock } from '#core/clock';

export const handler = createSignUpHandler(
  accountPageServices({ config, db, keyRing, clock: systemClock }, logger),
  logger,
);
