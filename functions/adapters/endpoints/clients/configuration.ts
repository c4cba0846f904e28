import { httpHandler } from '#adapters/http/handler';
import { json } from '#adapters/http/responses';
import type { ClientConfiguration, ManagedClient } from '#core/clients/configuration';
import { registrationClientUri } from '#core/clients/registration-tokens';
import { registrationResponse } from '#core/clients/views';
import { InvalidToken } from '#core/errors';
import type { Logger } from '#core/logging';

export interface ClientConfigurationOptions {
  configuration: ClientConfiguration;
  /** Below which each client's registration_client_uri lies. */
  issuer: string;
  logger: Logger;
}

/**
 * RFC 7592 at a client's registration_client_uri, with `Authorization: Bearer <registration access
 * token>`: GET → 200 with the client's metadata (never its secret); PUT with the whole metadata as JSON
 * → 200 with the metadata as replaced. Both answer a new registration access token, which replaces the
 * one presented (core/clients/configuration.ts). Any refused token is 401 `invalid_token`.
 */
export const createClientConfigurationHandler = ({
  configuration,
  issuer,
  logger,
}: ClientConfigurationOptions) =>
  httpHandler(
    async (request, log) => {
      const token = request.bearerToken();
      if (token === undefined) {
        throw new InvalidToken('A registration access token is required.', { detail: 'no bearer token' });
      }
      const clientId = request.pathParameter('client_id') ?? '';
      const managed: ManagedClient =
        request.method === 'PUT'
          ? await configuration.update(clientId, token, () => request.jsonObject())
          : await configuration.read(clientId, token);
      if (request.method === 'PUT') log.info('client updated by its registration access token', { clientId });
      return json(
        200,
        registrationResponse(managed.client, {
          registrationAccessToken: managed.registrationAccessToken,
          registrationClientUri: registrationClientUri(issuer, clientId),
        }),
      );
    },
    { logger },
  );
