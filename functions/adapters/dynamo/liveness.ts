/**
 * Where the authorizer learns whether a signed token has been revoked: one BatchGetItem for the grant,
 * the login session (when the token has one) and the token's revocation entry. Eventually consistent
 * (half the cost of a strong read; a write is visible within about a second), projected to the few
 * attributes the decision needs (plus the key, so that a present item never comes back empty) so each
 * item stays one 0.5-RCU read.
 */
import type { DynamoDb, Item } from '#adapters/aws/dynamodb';
import { tableName } from '#contract/tables';
import type { LivenessLookup, LivenessRecords, LivenessStore } from '#core/oauth/liveness';
import { batchGet, projection } from './requests.ts';

const optionalNumber = (value: unknown): number | undefined =>
  typeof value === 'number' ? value : undefined;

export class DynamoLivenessStore implements LivenessStore {
  private readonly grants: string;
  private readonly sessions: string;
  private readonly revokedTokens: string;

  constructor(
    private readonly db: DynamoDb,
    tablePrefix: string,
  ) {
    this.grants = tableName(tablePrefix, 'grants');
    this.sessions = tableName(tablePrefix, 'sessions');
    this.revokedTokens = tableName(tablePrefix, 'revokedTokens');
  }

  async lookup({ grantId, sessionId, jti }: LivenessLookup): Promise<LivenessRecords> {
    const result = await batchGet(this.db, {
      [this.grants]: {
        Keys: [{ grantId }],
        ...projection(['grantId', 'clientId', 'expiresAt', 'revokedAt']),
      },
      ...(sessionId !== undefined
        ? {
            [this.sessions]: {
              Keys: [{ sessionId }],
              ...projection(['sessionId', 'sub', 'expiresAt', 'revokedAt']),
            },
          }
        : {}),
      // A refresh token has no jti of its own: only an access token can be revoked individually.
      ...(jti !== undefined
        ? { [this.revokedTokens]: { Keys: [{ jti }], ...projection(['jti', 'expiresAt']) } }
        : {}),
    });
    const first = (table: string): Item | undefined => result[table]?.[0];
    const grant = first(this.grants);
    const session = first(this.sessions);
    const revokedToken = first(this.revokedTokens);
    // Wrong types never make a record look live: a non-number expiry fails isLive, a present revokedAt
    // of any type counts as revoked.
    return {
      grant: grant && {
        clientId: String(grant.clientId),
        expiresAt: optionalNumber(grant.expiresAt) ?? 0,
        ...(grant.revokedAt !== undefined ? { revokedAt: optionalNumber(grant.revokedAt) ?? 0 } : {}),
      },
      session: session && {
        sub: String(session.sub),
        expiresAt: optionalNumber(session.expiresAt) ?? 0,
        ...(session.revokedAt !== undefined ? { revokedAt: optionalNumber(session.revokedAt) ?? 0 } : {}),
      },
      revokedToken: revokedToken && {
        expiresAt: optionalNumber(revokedToken.expiresAt) ?? Number.POSITIVE_INFINITY,
      },
    };
  }
}
