/**
 * Authorization codes, grants, refresh tokens and revoked access tokens in DynamoDB. Redeeming a code
 * and rotating a refresh token are each ONE transaction whose first action is the conditional consume,
 * so of many concurrent attempts exactly one can succeed, and nothing is ever half-issued.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { cancellationReasons, conditionFailure, type DynamoDb } from '#adapters/aws/dynamodb';
import { tableName } from '#contract/tables';
import { isClientIdUrl } from '#core/clients/records';
import type { ConsumeResult, GrantStore } from '#core/oauth/grant-store';
import type { CodeRecord, GrantRecord, RefreshTokenRecord, RevokedTokenRecord } from '#core/oauth/records';
import type { TransactAction } from './requests.ts';
import { transactWriteWithRetries } from './transactions.ts';

export class DynamoGrantStore implements GrantStore {
  private readonly codes: string;
  private readonly grants: string;
  private readonly refreshTokens: string;
  private readonly revokedTokens: string;
  private readonly clients: string;
  private readonly sessions: string;

  constructor(
    private readonly db: DynamoDb,
    prefix: string,
  ) {
    this.codes = tableName(prefix, 'codes');
    this.grants = tableName(prefix, 'grants');
    this.refreshTokens = tableName(prefix, 'refreshTokens');
    this.revokedTokens = tableName(prefix, 'revokedTokens');
    this.clients = tableName(prefix, 'clients');
    this.sessions = tableName(prefix, 'sessions');
  }

  async putCode(code: CodeRecord): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.codes, Item: { ...code } }));
  }

  async findCode(codeHash: string): Promise<CodeRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.codes, Key: { codeHash }, ConsistentRead: true }),
    );
    return Item as CodeRecord | undefined;
  }

  async redeemCode({ code, grant, refreshToken, nowSeconds }: Parameters<GrantStore['redeemCode']>[0]) {
    const actions: TransactAction[] = [
      {
        Update: {
          TableName: this.codes,
          Key: { codeHash: code.codeHash },
          UpdateExpression: 'SET consumedAt = :now, grantId = :grantId',
          ConditionExpression:
            'attribute_exists(codeHash) AND attribute_not_exists(consumedAt) AND expiresAt > :now AND clientId = :clientId',
          ExpressionAttributeValues: {
            ':now': nowSeconds,
            ':grantId': grant.grantId,
            ':clientId': code.clientId,
          },
        },
      },
      ...this.clientUsed(code.clientId),
      this.sessionLive(code.sessionId, nowSeconds),
      {
        Put: {
          TableName: this.grants,
          Item: { ...grant },
          ConditionExpression: 'attribute_not_exists(grantId)',
        },
      },
    ];
    if (refreshToken) actions.push({ Put: { TableName: this.refreshTokens, Item: { ...refreshToken } } });
    return this.consume(actions, 'consumedAt');
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.refreshTokens, Key: { tokenHash }, ConsistentRead: true }),
    );
    return Item as RefreshTokenRecord | undefined;
  }

  async rotateRefreshToken({
    presented,
    next,
    sealedSuccessor,
    nowSeconds,
  }: Parameters<GrantStore['rotateRefreshToken']>[0]) {
    const actions: TransactAction[] = [
      {
        Update: {
          TableName: this.refreshTokens,
          Key: { tokenHash: presented.tokenHash },
          UpdateExpression: 'SET rotatedAt = :now, successorHash = :successor, successorSealed = :sealed',
          ConditionExpression:
            'attribute_exists(tokenHash) AND attribute_not_exists(rotatedAt) AND expiresAt > :now AND clientId = :clientId',
          ExpressionAttributeValues: {
            ':now': nowSeconds,
            ':clientId': presented.clientId,
            ':successor': next.tokenHash,
            ':sealed': sealedSuccessor,
          },
        },
      },
      ...this.refreshLive(presented, nowSeconds),
      { Put: { TableName: this.refreshTokens, Item: { ...next } } },
    ];
    return this.consume(actions, 'rotatedAt');
  }

  async reissueSuccessor({
    presented,
    nowSeconds,
    windowStartSeconds,
  }: Parameters<GrantStore['reissueSuccessor']>[0]) {
    const reused = { ok: false as const, reason: 'already_used' as const, grantId: presented.grantId };
    if (presented.successorHash === undefined) return reused;
    const actions: TransactAction[] = [
      {
        // Records the answer, on the condition that the token was rotated within the window into
        // the successor it names (and is the same client's and unexpired).
        Update: {
          TableName: this.refreshTokens,
          Key: { tokenHash: presented.tokenHash },
          UpdateExpression: 'SET reissuedAt = :now',
          ConditionExpression:
            'rotatedAt > :windowStart AND successorHash = :successor AND expiresAt > :now AND clientId = :clientId',
          ExpressionAttributeValues: {
            ':now': nowSeconds,
            ':windowStart': windowStartSeconds,
            ':successor': presented.successorHash,
            ':clientId': presented.clientId,
          },
        },
      },
      {
        // The successor was never used: once it has been, the old token is only a replay.
        ConditionCheck: {
          TableName: this.refreshTokens,
          Key: { tokenHash: presented.successorHash },
          ConditionExpression: 'attribute_exists(tokenHash) AND attribute_not_exists(rotatedAt)',
        },
      },
      ...this.refreshLive(presented, nowSeconds),
    ];
    try {
      await transactWriteWithRetries(this.db, actions);
      return { ok: true as const };
    } catch (error) {
      const cancelled = cancellationReasons(error);
      if (!cancelled) throw error;
      const reasons = cancelled.map((reason) => reason.Code);
      if (reasons.includes('TransactionConflict')) return { ok: false as const, reason: 'conflict' as const };
      // The token's own condition or its successor's failing means it is past answering: reuse.
      const [token, successor] = reasons;
      if (token === 'ConditionalCheckFailed' || successor === 'ConditionalCheckFailed') return reused;
      if (reasons.includes('ConditionalCheckFailed'))
        return { ok: false as const, reason: 'dependency_gone' as const };
      throw error;
    }
  }

  /** What a refresh depends on, checked in its transaction: the grant, its client, its login session. */
  private refreshLive(token: RefreshTokenRecord, nowSeconds: number): TransactAction[] {
    return [
      {
        ConditionCheck: {
          TableName: this.grants,
          Key: { grantId: token.grantId },
          ConditionExpression:
            'attribute_exists(grantId) AND attribute_not_exists(revokedAt) AND expiresAt > :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        },
      },
      ...this.clientExists(token.clientId),
      ...(token.sessionId ? [this.sessionLive(token.sessionId, nowSeconds)] : []),
    ];
  }

  async putGrant(grant: GrantRecord): Promise<boolean> {
    const put: TransactAction = { Put: { TableName: this.grants, Item: { ...grant } } };
    // A client deleted or suspended since it authenticated must not end up with a grant its sweep missed.
    const result = await this.consume([...this.clientUsed(grant.clientId), put], undefined);
    return result.ok;
  }

  async revokeGrant(grantId: string, nowSeconds: number): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.grants,
          Key: { grantId },
          UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now)',
          ConditionExpression: 'attribute_exists(grantId)',
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
    } catch (error) {
      // Revoking a grant that no longer exists (deleted client, TTL) is already done.
      if (!conditionFailure(error)) throw error;
    }
  }

  async revokeAccessToken(record: RevokedTokenRecord): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.revokedTokens, Item: { ...record } }));
  }

  /**
   * As `clientExists`, and the client's first use: an openly registered client stops expiring (its
   * `expiresAt` is removed) once it is granted anything (a code redeemed, client credentials).
   */
  private clientUsed(clientId: string): TransactAction[] {
    if (isClientIdUrl(clientId)) return [];
    return [
      {
        Update: {
          TableName: this.clients,
          Key: { clientId },
          UpdateExpression: 'REMOVE expiresAt',
          // No operator suspended it (a suspension deletes its grants: none may follow).
          ConditionExpression: 'attribute_exists(clientId) AND attribute_not_exists(suspendedAt)',
        },
      },
    ];
  }

  /**
   * The registered client still exists and is not suspended. A client of a metadata document has no item
   * to check: it lives as long as its document, which /token fetches (or reuses within its caching bound)
   * to authenticate it.
   */
  private clientExists(clientId: string): TransactAction[] {
    if (isClientIdUrl(clientId)) return [];
    return [
      {
        ConditionCheck: {
          TableName: this.clients,
          Key: { clientId },
          ConditionExpression: 'attribute_exists(clientId) AND attribute_not_exists(suspendedAt)',
        },
      },
    ];
  }

  private sessionLive(sessionId: string, nowSeconds: number): TransactAction {
    return {
      ConditionCheck: {
        TableName: this.sessions,
        Key: { sessionId },
        ConditionExpression:
          'attribute_exists(sessionId) AND attribute_not_exists(revokedAt) AND expiresAt > :now',
        ExpressionAttributeValues: { ':now': nowSeconds },
      },
    };
  }

  /** Runs a transaction whose first action consumes something, and says why it failed if it did. */
  private async consume(actions: TransactAction[], usedMarker: string | undefined): Promise<ConsumeResult> {
    try {
      // A conflict is retried: the retry meets the other transaction's outcome (e.g. already used).
      await transactWriteWithRetries(this.db, actions);
      return { ok: true };
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const [first] = reasons;
      if (reasons.some((reason) => reason.Code === 'TransactionConflict'))
        return { ok: false, reason: 'conflict' };
      if (first?.Code === 'ConditionalCheckFailed' && usedMarker) {
        const old = first.Item;
        if (old?.[usedMarker] !== undefined) {
          return { ok: false, reason: 'already_used', grantId: old.grantId as string | undefined };
        }
        return { ok: false, reason: 'invalid' };
      }
      if (reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) {
        return { ok: false, reason: 'dependency_gone' };
      }
      throw error;
    }
  }
}
