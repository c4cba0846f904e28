import { httpHandler } from '#adapters/http/handler';
import type { HttpRequest } from '#adapters/http/request';
import { json } from '#adapters/http/responses';
import type { OpenRegistration } from '#core/clients/open-registration';
import { registrationClientUri } from '#core/clients/registration-tokens';
import type { ClientRegistry, Registration } from '#core/clients/registry';
import { registrationResponse } from '#core/clients/views';
import type { Logger } from '#core/logging';
import type { Sessions } from '#core/users/sessions';

export interface ClientCreateOptions {
  registry: ClientRegistry;
  sessions: Sessions;
  logger: Logger;
  /** Registration without an account; absent when OPEN_REGISTRATION is off. */
  open?: OpenRegistration | undefined;
  /** Below which each client's registration_client_uri (RFC 7592) lies. */
  issuer: string;
}

/** The caller's address as API Gateway saw it: what open registrations are counted by. */
const sourceAddress = (request: HttpRequest): string =>
  request.event.requestContext?.identity?.sourceIp ?? 'unknown';

/**
 * POST /client with `Authorization: Bearer <session token>` and RFC 7591 metadata as JSON → 201 with
 * the client's id, its metadata, its RFC 7592 registration access token and registration_client_uri
 * and, for a confidential client, its secret (each shown this once only). Without any Authorization
 * header, and only when `open` is configured (OPEN_REGISTRATION), the client is registered for no one
 * (core/clients/open-registration.ts).
 */
export const createClientCreateHandler = ({
  registry,
  sessions,
  logger,
  open,
  issuer,
}: ClientCreateOptions) => {
  const created = ({ client, secret, registrationAccessToken }: Registration) =>
    json(
      201,
      registrationResponse(client, {
        secret,
        registrationAccessToken,
        registrationClientUri: registrationClientUri(issuer, client.clientId),
      }),
    );
  return httpHandler(
    async (request) => {
      if (open && request.header('authorization') === undefined) {
        return created(await open.register(sourceAddress(request), request.jsonObject()));
      }
      // Authenticate before reading the body, so that an anonymous caller learns nothing about validation.
      const { sub, username } = await sessions.authenticate(request.bearerToken());
      return created(await registry.register({ sub, username }, request.jsonObject()));
    },
    { logger },
  );
};
