import { createJwksHandler } from '#adapters/endpoints/discovery/jwks';
import { keyRing, logger } from '#app/runtime';

export const handler = createJwksHandler(keyRing, logger);
