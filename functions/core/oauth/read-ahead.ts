/**
 * Reading ahead: four steps read their client and then one more record (authorize: the user's session;
 * token: the code or the refresh token; revoke: the refresh token). Named before the client is read,
 * that record can come back with the client in ONE consistent round trip (a store's BatchGetItem): the
 * same read units, one round trip less. Nothing else changes: each check runs where it ran before and
 * fails with the same error, and a record is only ever used for the very key it was read under.
 */
import type { ClientLookup, ClientRecord } from '#core/clients/records';
import { sha256 } from '#core/secrets';
import type { SessionRecord } from '#core/users/records';
import type { Parameters } from './parameters.ts';
import type { CodeRecord, RefreshTokenRecord } from './records.ts';

/** The one record to read with the client. */
export type ReadAhead =
  | { kind: 'code'; codeHash: string }
  | { kind: 'refreshToken'; tokenHash: string }
  | { kind: 'session'; sessionId: string };

/** What was read with the client: the record `ahead` names, or nothing when it does not exist. */
export interface ReadAheadRecords {
  ahead: ReadAhead;
  code?: CodeRecord;
  refreshToken?: RefreshTokenRecord;
  session?: SessionRecord;
}

/** The port: a client and one more record, read together. */
export interface ClientReadAhead extends ClientLookup {
  findClientWith(
    clientId: string,
    ahead: ReadAhead,
  ): Promise<{ client: ClientRecord | undefined; records: ReadAheadRecords }>;
}

const looksLikeJwt = (token: string) => token.split('.').length === 3;

/** What a token request will read after its client: the code or refresh token it presents. */
export function readAheadOfTokenRequest(form: Parameters): ReadAhead | undefined {
  const grantType = form.get('grant_type');
  const code = grantType === 'authorization_code' ? form.get('code') : undefined;
  if (code) return { kind: 'code', codeHash: sha256(code) };
  const refreshToken = grantType === 'refresh_token' ? form.get('refresh_token') : undefined;
  if (refreshToken) return { kind: 'refreshToken', tokenHash: sha256(refreshToken) };
  return undefined;
}

/** What a revocation request will read after its client: the refresh token (an access token needs no read). */
export function readAheadOfRevocation(form: Parameters): ReadAhead | undefined {
  const token = form.get('token');
  return token && !looksLikeJwt(token) ? { kind: 'refreshToken', tokenHash: sha256(token) } : undefined;
}

/**
 * The record read ahead under exactly this key, as `{ record }` (undefined inside when it does not
 * exist); undefined when nothing was read ahead for it, and the caller reads it itself.
 */
export function readAheadCode(found: ReadAheadRecords | undefined, codeHash: string) {
  return found?.ahead.kind === 'code' && found.ahead.codeHash === codeHash
    ? { record: found.code }
    : undefined;
}
export function readAheadRefreshToken(found: ReadAheadRecords | undefined, tokenHash: string) {
  return found?.ahead.kind === 'refreshToken' && found.ahead.tokenHash === tokenHash
    ? { record: found.refreshToken }
    : undefined;
}
export function readAheadSession(found: ReadAheadRecords | undefined, sessionId: string) {
  return found?.ahead.kind === 'session' && found.ahead.sessionId === sessionId
    ? { record: found.session }
    : undefined;
}

/**
 * A `ClientLookup` for one request that reads `ahead` with the client, and keeps what it read for the
 * steps after. Without `ahead` it is a plain lookup.
 */
export class ReadAheadClients implements ClientLookup {
  records: ReadAheadRecords | undefined;

  constructor(
    private readonly store: ClientReadAhead,
    private readonly ahead: ReadAhead | undefined,
  ) {}

  async findClient(clientId: string): Promise<ClientRecord | undefined> {
    if (!this.ahead) return this.store.findClient(clientId);
    const { client, records } = await this.store.findClientWith(clientId, this.ahead);
    this.records = records;
    return client;
  }
}
