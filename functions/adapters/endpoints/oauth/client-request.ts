/**
 * How the token, revocation and introspection endpoints all begin (RFC 6749 §2.3, §3.2): the form body,
 * no parameter twice, and the client authenticated. An endpoint that reads one more record right after
 * its client names it (`readAheadOf`), and both come back in one round trip (core/oauth/read-ahead.ts).
 */
import type { HttpRequest } from '#adapters/http/request';
import { authenticateClient } from '#core/clients/authentication';
import type { ClientRecord } from '#core/clients/records';
import type { Parameters } from '#core/oauth/parameters';
import {
  type ClientReadAhead,
  type ReadAhead,
  ReadAheadClients,
  type ReadAheadRecords,
} from '#core/oauth/read-ahead';

export async function authenticatedClientRequest(
  clients: ClientReadAhead,
  request: HttpRequest,
  readAheadOf?: (form: Parameters) => ReadAhead | undefined,
): Promise<{ client: ClientRecord; form: Parameters; readAhead: ReadAheadRecords | undefined }> {
  const form = request.form();
  form.refuseRepeated();
  const lookup = new ReadAheadClients(clients, readAheadOf?.(form));
  const client = await authenticateClient(lookup, request.header('authorization'), form);
  return { client, form, readAhead: lookup.records };
}
