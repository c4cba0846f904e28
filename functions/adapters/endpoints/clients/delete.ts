import { httpHandler } from '#adapters/http/handler';
import type { ClientConfiguration } from '#core/clients/configuration';
import type { ClientRegistry } from '#core/clients/registry';
import type { Logger } from '#core/logging';
import type { Sessions } from '#core/users/sessions';

export interface ClientDeleteOptions {
  registry: ClientRegistry;
  sessions: Sessions;
  configuration: ClientConfiguration;
  logger: Logger;
}

/** A session token is a JWT; a registration access token has no dots (core/clients/registration-tokens.ts). */
export const isSessionToken = (token: string | undefined): boolean => token?.includes('.') ?? false;

/**
 * DELETE /client/{client_id} → 204: the client and every grant issued to it are gone. Either with
 * `Authorization: Bearer <session token>` of its owner (someone else's client and an unknown one are
 * both 404), or with `Authorization: Bearer <registration access token>` (RFC 7592 §2.3; any refused
 * token, an unknown client's included, is 401 `invalid_token`).
 */
export const createClientDeleteHandler = ({
  registry,
  sessions,
  configuration,
  logger,
}: ClientDeleteOptions) =>
  httpHandler(
    async (request, log) => {
      const token = request.bearerToken();
      const clientId = request.pathParameter('client_id') ?? '';
      if (token !== undefined && !isSessionToken(token)) {
        const { grantsDeleted } = await configuration.remove(clientId, token);
        log.info('client deleted by its registration access token', { clientId, grantsDeleted });
        return { status: 204 };
      }
      const { sub, username } = await sessions.authenticate(token);
      const { grantsDeleted } = await registry.remove({ sub, username }, clientId);
      log.info('client deleted', { sub, clientId, grantsDeleted });
      return { status: 204 };
    },
    { logger },
  );
