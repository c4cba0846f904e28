import { keyRing, logger } from '#commons/runtime';
import { createJwksHandler } from './handler.ts';

export const handler = createJwksHandler(keyRing, logger);
