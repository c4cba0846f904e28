import { createSignOutHandler } from '#adapters/endpoints/pages/signout';
import { browserServices } from '#adapters/web/browser-sessions';
import { config, db, keyRing, logger } from '#app/runtime';
import { systemClock } from '#core/clock';

const { sessions, browserSessions } = browserServices({ config, db, keyRing, clock: systemClock });
export const handler = createSignOutHandler({ sessions, browserSessions, issuer: config.issuer }, logger);
