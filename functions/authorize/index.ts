import { config, db, keyRing, logger } from '#commons/runtime';
import { browserServices } from '#domain/browser-sessions';
import { systemClock } from '#domain/clock';
import { oauthServices } from '#domain/wiring';
import { createAuthorizeHandler } from './handler.ts';

const runtime = { config, db, keyRing, clock: systemClock };
const { sessions, browserSessions, consents } = browserServices(runtime);
export const handler = createAuthorizeHandler(
  oauthServices(runtime, logger).authorization,
  sessions,
  logger,
  {
    browserSessions,
    consents,
    issuer: config.issuer,
  },
);
