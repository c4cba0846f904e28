import { config, db, keyRing, logger } from '#commons/runtime';
import { browserServices } from '#domain/browser-sessions';
import { systemClock } from '#domain/clock';
import { oauthServices } from '#domain/wiring';
import { createSignUpHandler } from './handler.ts';

const runtime = { config, db, keyRing, clock: systemClock };
const { accounts, browserSessions } = browserServices(runtime);
export const handler = createSignUpHandler(
  {
    accounts,
    browserSessions,
    authorization: oauthServices(runtime, logger).authorization,
    issuer: config.issuer,
  },
  logger,
);
