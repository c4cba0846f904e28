/**
 * How the token, revocation and introspection endpoints all begin (RFC 6749 §2.3, §3.2): the form body,
 * no parameter twice, and the client authenticated.
 */
import type { HttpRequest } from '#adapters/http/request';
import { authenticateClient } from '#core/clients/authentication';
import type { ClientLookup, ClientRecord } from '#core/clients/records';
import type { Parameters } from '#core/oauth/parameters';

export async function authenticatedClientRequest(
  clients: ClientLookup,
  request: HttpRequest,
): Promise<{ client: ClientRecord; form: Parameters }> {
  const form = request.form();
  form.refuseRepeated();
  return { client: await authenticateClient(clients, request.header('authorization'), form), form };
}
