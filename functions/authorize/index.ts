import { config, db, keyRing, logger } from '#commons/runtime';
import { systemClock } from '#domain/clock';
import { oauthServices, userServices } from '#domain/wiring';
import { createAuthorizeHandler } from './handler.ts';

const runtime = { config, db, keyRing, clock: systemClock };
export const handler = createAuthorizeHandler(
  oauthServices(runtime, logger).authorization,
  userServices(runtime).sessions,
  logger,
);
