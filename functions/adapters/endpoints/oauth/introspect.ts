import { httpHandler } from '#adapters/http/handler';
import { json } from '#adapters/http/responses';
import type { ClientLookup } from '#core/clients/records';
import type { Logger } from '#core/logging';
import type { TokenState } from '#core/oauth/token-state';
import { authenticatedClientRequest } from './client-request.ts';

/** POST /introspect (RFC 7662): `{"active":false}` for anything not live, claims otherwise. */
export const createIntrospectHandler = (clients: ClientLookup, tokens: TokenState, logger: Logger) =>
  httpHandler(
    async (request) => {
      const { client, form } = await authenticatedClientRequest(clients, request);
      return json(200, await tokens.introspect(client, form));
    },
    { logger },
  );
