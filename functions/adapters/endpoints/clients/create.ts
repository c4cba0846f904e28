import { httpHandler } from '#adapters/http/handler';
import { json } from '#adapters/http/responses';
import type { ClientRegistry } from '#core/clients/registry';
import { registrationResponse } from '#core/clients/views';
import type { Logger } from '#core/logging';
import type { Sessions } from '#core/users/sessions';

/**
 * POST /client with `Authorization: Bearer <session token>` and RFC 7591 metadata as JSON → 201 with
 * the client's id, its metadata and, for a confidential client, its secret (shown this once only).
 */
export const createClientCreateHandler = (registry: ClientRegistry, sessions: Sessions, logger: Logger) =>
  httpHandler(
    async (request) => {
      // Authenticate before reading the body, so that an anonymous caller learns nothing about validation.
      const { sub, username } = await sessions.authenticate(request.bearerToken());
      const { client, secret } = await registry.register({ sub, username }, request.jsonObject());
      return json(201, registrationResponse(client, secret));
    },
    { logger },
  );
