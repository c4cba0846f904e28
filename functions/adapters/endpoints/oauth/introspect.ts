import { httpHandler } from '#adapters/http/handler';
import { json } from '#adapters/http/responses';
import type { Logger } from '#core/logging';
import type { Introspection } from '#core/oauth/introspection';
import type { ClientReadAhead } from '#core/oauth/read-ahead';
import { authenticatedClientRequest } from './client-request.ts';

/** POST /introspect (RFC 7662): `{"active":false}` for anything not live, claims otherwise. */
export const createIntrospectHandler = (
  clients: ClientReadAhead,
  introspection: Introspection,
  logger: Logger,
) =>
  httpHandler(
    async (request) => {
      const { client, form } = await authenticatedClientRequest(clients, request);
      return json(200, await introspection.introspect(client, form));
    },
    { logger },
  );
