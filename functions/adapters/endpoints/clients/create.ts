import { httpHandler } from '#adapters/http/handler';
import type { HttpRequest } from '#adapters/http/request';
import { json } from '#adapters/http/responses';
import type { OpenRegistration } from '#core/clients/open-registration';
import type { ClientRegistry } from '#core/clients/registry';
import { registrationResponse } from '#core/clients/views';
import type { Logger } from '#core/logging';
import type { Sessions } from '#core/users/sessions';

/** The caller's address as API Gateway saw it: what open registrations are counted by. */
const sourceAddress = (request: HttpRequest): string =>
  request.event.requestContext?.identity?.sourceIp ?? 'unknown';

/**
 * POST /client with `Authorization: Bearer <session token>` and RFC 7591 metadata as JSON → 201 with
 * the client's id, its metadata and, for a confidential client, its secret (shown this once only).
 * Without any Authorization header, and only when `open` is configured (OPEN_REGISTRATION), the client
 * is registered for no one (core/clients/open-registration.ts).
 */
export const createClientCreateHandler = (
  registry: ClientRegistry,
  sessions: Sessions,
  logger: Logger,
  open?: OpenRegistration,
) =>
  httpHandler(
    async (request) => {
      if (open && request.header('authorization') === undefined) {
        const { client, secret } = await open.register(sourceAddress(request), request.jsonObject());
        return json(201, registrationResponse(client, secret));
      }
      // Authenticate before reading the body, so that an anonymous caller learns nothing about validation.
      const { sub, username } = await sessions.authenticate(request.bearerToken());
      const { client, secret } = await registry.register({ sub, username }, request.jsonObject());
      return json(201, registrationResponse(client, secret));
    },
    { logger },
  );
