import { publicCors } from '#adapters/http/cors';
import { httpHandler } from '#adapters/http/handler';
import { json } from '#adapters/http/responses';
import type { KeyRing } from '#core/keys/key-ring';
import type { Logger } from '#core/logging';

/**
 * GET /.well-known/jwks.json: the public keys of the current and previous signing keys of both
 * algorithms, so that tokens signed before a rotation keep verifying until they expire. Cacheable for a
 * few minutes, and readable by any origin's scripts (an SPA validating its ID tokens).
 */
export const createJwksHandler = (keyRing: KeyRing, logger: Logger) =>
  httpHandler(
    async () =>
      json(
        200,
        { keys: await keyRing.publicKeys() },
        {
          'Content-Type': 'application/jwk-set+json',
          'Cache-Control': 'public, max-age=300',
        },
      ),
    { logger, cors: publicCors(['GET']) },
  );
