import { clientCors } from '#adapters/http/cors';
import { httpHandler } from '#adapters/http/handler';
import type { HttpRequest } from '#adapters/http/request';
import { json } from '#adapters/http/responses';
import type { ClientLookup } from '#core/clients/records';
import { InvalidRequest } from '#core/errors';
import type { Logger } from '#core/logging';
import type { UserInfo } from '#core/oidc/userinfo';

/**
 * The access token as RFC 6750 §2 lets a client send it: the Authorization header (GET or POST), or a
 * form-encoded POST body's `access_token`. Never the query string (§2.3): it ends up in logs.
 */
function presentedToken(request: HttpRequest): string | undefined {
  const header = request.bearerToken();
  const isForm = /^application\/x-www-form-urlencoded\b/i.test(request.header('content-type') ?? '');
  if (request.method !== 'POST' || !isForm) return header;
  const form = request.form();
  form.refuseRepeated();
  const body = form.get('access_token');
  if (header !== undefined && body !== undefined) {
    throw new InvalidRequest('Send the access token one way only (RFC 6750 §2).');
  }
  return header ?? body;
}

/**
 * GET and POST /userinfo (OIDC Core §5.3): the claims of the user the access token stands for, as far
 * as its scopes release them. A script of the client's own origin may read the answer.
 */
export const createUserInfoHandler = (userInfo: UserInfo, clients: ClientLookup, logger: Logger) =>
  httpHandler(
    async (request, log, cors) => {
      const { claims, clientId } = await userInfo.claims(presentedToken(request));
      // Only a browser sends Origin: no other caller pays for reading the client.
      if (request.header('origin') !== undefined) {
        cors.toClient((await clients.findClient(clientId)) ?? { redirectUris: [] });
      }
      log.debug('userinfo answered', { clientId, sub: claims.sub });
      return json(200, claims);
    },
    { logger, cors: clientCors(['GET', 'POST']) },
  );
