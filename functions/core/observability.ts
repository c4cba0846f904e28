/**
 * The core's observability port: the moments an operator counts, alarms on or audits, reported as they
 * happen. The adapter (adapters/observability.ts) turns each into a CloudWatch metric (EMF), an audit
 * log line, or both; the core only says what happened and to whom.
 *
 * Identifiers (a user's `sub`, a username, a client id) belong to the audit line only: the adapter never
 * makes one a metric dimension, where every distinct value would be a metric of its own, billed and
 * kept for 15 months.
 */

/** The grant a token response was issued for (RFC 6749 §4.1, §4.4, §6). */
export type IssuedGrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';

/** Who did something: an end user, an OAuth client, or an operator through the admin tool. */
export type Actor =
  | { user: string }
  | { username: string }
  | { client: string }
  /** The operator's identity: an AWS principal ARN in the cloud, the OS user locally. */
  | { operator: string }
  | { system: string };

/** An operator's action through the admin tool, and what became of it. */
export interface AdminAction {
  kind: 'admin';
  /** e.g. `user.disable`, `client.suspend`, `keys.rotate`. */
  action: string;
  operator: string;
  /** What it acted on: `{ user: sub }`, `{ client: clientId }`, … */
  target: Record<string, string>;
  outcome: 'succeeded' | 'failed';
  /** What changed (sessions ended, grants revoked, …), or why it failed. */
  detail?: Record<string, unknown>;
}

export type SecurityEvent =
  | { kind: 'sign_in_succeeded'; sub: string; sessionId: string }
  | {
      kind: 'sign_in_failed';
      /** The normalised username tried, only when it is one a user could have. */
      username: string | undefined;
      reason: 'invalid_credentials' | 'locked' | 'disabled';
    }
  /** A username's failure window just filled: it is locked until `until` (epoch seconds). */
  | { kind: 'lockout'; username: string; until: number }
  | { kind: 'tokens_issued'; grantType: IssuedGrantType; clientId: string; sub: string; grantId: string }
  /** A rotated refresh token presented again outside the reuse window: the grant was revoked. */
  | { kind: 'refresh_token_reused'; grantId: string | undefined }
  /** A used authorization code presented again: the grant was revoked. */
  | { kind: 'code_replayed'; grantId: string | undefined }
  /** The `/protected/*` authorizer's decision (metric only: it runs on every uncached request). */
  | { kind: 'access_allowed' }
  | { kind: 'access_denied' }
  | { kind: 'client_registered'; clientId: string; owner: string }
  | { kind: 'keys_rotated'; keyIds: string[]; by: Actor }
  /** A signing function loaded its key set: how old the ES256 key that signs is (a gauge). */
  | { kind: 'signing_key_age'; ageSeconds: number }
  | AdminAction;

export interface SecurityEvents {
  record(event: SecurityEvent): void;
}

/** Where nothing is observed (tests of other things, tools that report elsewhere). */
export const unobserved: SecurityEvents = { record: () => {} };
