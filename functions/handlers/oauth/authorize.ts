import { createAuthorizeHandler } from '#adapters/endpoints/oauth/authorize';
import { browserServices } from '#adapters/web/browser-sessions';
import { config, db, keyRing, logger } from '#app/runtime';
import { oauthServices } from '#app/services';
import { systemClock } from '#core/clock';

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
