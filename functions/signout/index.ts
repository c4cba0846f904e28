import { config, db, keyRing, logger } from '#commons/runtime';
import { browserServices } from '#domain/browser-sessions';
import { systemClock } from '#domain/clock';
import { createSignOutHandler } from './handler.ts';

const { sessions, browserSessions } = browserServices({ config, db, keyRing, clock: systemClock });
export const handler = createSignOutHandler({ sessions, browserSessions, issuer: config.issuer }, logger);
