/**
 * Whether a correctly signed access token is still in force. A signature proves only that tinyoauth
 * issued the token; everything that can end it early lives in DynamoDB and is checked here:
 *
 * - `/revoke` of the access token itself → a `revoked_tokens` item for its `jti`;
 * - `/revoke` of the refresh token, refresh-token reuse or authorization-code replay → `grant.revokedAt`;
 * - logout of the login session the grant came from → `session.revokedAt`;
 * - deletion of the client → its grants are deleted, so the grant is missing.
 */

import { isLive } from '#core/expiry';
import type { SessionRecord } from '#core/users/records';
import type { GrantRecord, RevokedTokenRecord } from './records.ts';

/** Exactly the attributes the decision needs (they are all the lookup projects). */
export interface LivenessRecords {
  grant: Pick<GrantRecord, 'clientId' | 'expiresAt' | 'revokedAt'> | undefined;
  /** Undefined when the token names no session or the session item is missing. */
  session: Pick<SessionRecord, 'sub' | 'expiresAt' | 'revokedAt'> | undefined;
  revokedToken: Pick<RevokedTokenRecord, 'expiresAt'> | undefined;
}

/** The ids that decide whether a token (or a grant) is live; `jti` only for an access token. */
export interface LivenessLookup {
  grantId: string;
  sessionId?: string | undefined;
  jti?: string | undefined;
}

/** Reads what decides whether a signed access token (or a grant) is still in force. */
export interface LivenessStore {
  /** The records of `ids`, in one read; throws when the store is unreachable. */
  lookup(ids: LivenessLookup): Promise<LivenessRecords>;
}

export interface LivenessClaims {
  sub: string;
  client_id: string;
  jti: string;
  gid: string;
  sid?: string | undefined;
}

export type DeadReason =
  | 'grant_missing'
  | 'grant_revoked_or_expired'
  | 'grant_of_other_client'
  | 'session_missing'
  | 'session_revoked_or_expired'
  | 'session_of_other_user'
  | 'token_revoked';

/** Why the token is dead, or undefined when it is live. */
export function deadTokenReason(
  claims: LivenessClaims,
  records: LivenessRecords,
  nowSeconds: number,
): DeadReason | undefined {
  const { grant, session, revokedToken } = records;
  if (!grant) return 'grant_missing';
  if (!isLive(grant, nowSeconds)) return 'grant_revoked_or_expired';
  // The token is signed, so these hold unless the issuer has a bug; a mismatch must not grant access.
  if (grant.clientId !== claims.client_id) return 'grant_of_other_client';
  if (claims.sid !== undefined) {
    if (!session) return 'session_missing';
    if (!isLive(session, nowSeconds)) return 'session_revoked_or_expired';
    if (session.sub !== claims.sub) return 'session_of_other_user';
  }
  // A revocation entry outlives the token only until the token's own expiry; a malformed one still counts.
  if (revokedToken && !(typeof revokedToken.expiresAt === 'number' && revokedToken.expiresAt <= nowSeconds)) {
    return 'token_revoked';
  }
  return undefined;
}
