import { httpHandler } from '#adapters/http/handler';
import { json } from '#adapters/http/responses';
import type { ClientRegistry } from '#core/clients/registry';
import type { Logger } from '#core/logging';
import type { Sessions } from '#core/users/sessions';

/**
 * POST /client/{client_id}/secret with `Authorization: Bearer <session token>` → 200 with a new secret
 * for the caller's confidential client; the previous secret stops working at once. No request body.
 */
export const createClientSecretHandler = (registry: ClientRegistry, sessions: Sessions, logger: Logger) =>
  httpHandler(
    async (request, log) => {
      const { sub: owner } = await sessions.authenticate(request.bearerToken());
      const clientId = request.pathParameter('client_id') ?? '';
      const secret = await registry.rotateSecret(owner, clientId);
      log.info('client secret rotated', { sub: owner, clientId });
      return json(200, { client_id: clientId, client_secret: secret, client_secret_expires_at: 0 });
    },
    { logger },
  );
