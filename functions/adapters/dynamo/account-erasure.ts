/**
 * A user's sessions (through the sessions table's `bySub` index) and the erasure of everything else
 * that names the user: grants (grants' `bySub`), consents (keyed by `sub`), passkeys (passkeys' `bySub`) and finally the user item. Deletes are unconditional where "already gone" is the goal.
 */
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionFailure, type DynamoDb } from '#adapters/aws/dynamodb';
import { tableName } from '#contract/tables';
import type { AccountErasureStore } from '#core/users/account-deletion';
import type { AccountSessionStore, SessionSummary } from '#core/users/account-sessions';
import { bySub, queryAll } from './requests.ts';

/** Deletes in flight at once: a sweep of hundreds of items stays well inside the function's timeout. */
const CONCURRENCY = 10;

export class DynamoAccountErasureStore implements AccountSessionStore, AccountErasureStore {
  private readonly sessions: string;
  private readonly grants: string;
  private readonly consents: string;
  private readonly users: string;
  private readonly passkeys: string;

  constructor(
    private readonly db: DynamoDb,
    prefix: string,
  ) {
    this.sessions = tableName(prefix, 'sessions');
    this.grants = tableName(prefix, 'grants');
    this.consents = tableName(prefix, 'consents');
    this.users = tableName(prefix, 'users');
    this.passkeys = tableName(prefix, 'passkeys');
  }

  async listSessions(sub: string): Promise<SessionSummary[]> {
    const items = await queryAll(this.db, bySub(this.sessions, sub));
    return items as unknown as SessionSummary[];
  }

  async revokeSession(sessionId: string, sub: string, nowSeconds: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.sessions,
          Key: { sessionId },
          UpdateExpression: 'SET revokedAt = :now',
          ConditionExpression: '#sub = :sub AND attribute_not_exists(revokedAt) AND expiresAt > :now',
          ExpressionAttributeNames: { '#sub': 'sub' },
          ExpressionAttributeValues: { ':now': nowSeconds, ':sub': sub },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailure(error)) return false;
      throw error;
    }
  }

  private async deleteAll(table: string, keys: Record<string, unknown>[]): Promise<void> {
    for (let start = 0; start < keys.length; start += CONCURRENCY) {
      await Promise.all(
        keys
          .slice(start, start + CONCURRENCY)
          .map((Key) => this.db.send(new DeleteCommand({ TableName: table, Key }))),
      );
    }
  }

  async deleteGrantsOf(sub: string): Promise<number> {
    const found = await queryAll(this.db, bySub(this.grants, sub));
    await this.deleteAll(
      this.grants,
      found.map((item) => ({ grantId: item.grantId })),
    );
    return found.length;
  }

  async deletePasskeysOf(sub: string): Promise<number> {
    const found = await queryAll(this.db, bySub(this.passkeys, sub));
    await this.deleteAll(
      this.passkeys,
      found.map((item) => ({ credentialId: item.credentialId })),
    );
    return found.length;
  }

  async deleteConsentsOf(sub: string): Promise<number> {
    const found = await queryAll(this.db, {
      TableName: this.consents,
      KeyConditionExpression: '#sub = :sub',
      ExpressionAttributeNames: { '#sub': 'sub' },
      ExpressionAttributeValues: { ':sub': sub },
      ProjectionExpression: 'clientId',
    });
    await this.deleteAll(
      this.consents,
      found.map((item) => ({ sub, clientId: item.clientId })),
    );
    return found.length;
  }

  async deleteUser(username: string, sub: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.users,
          Key: { username },
          ConditionExpression: '#sub = :sub',
          ExpressionAttributeNames: { '#sub': 'sub' },
          ExpressionAttributeValues: { ':sub': sub },
        }),
      );
    } catch (error) {
      // Gone already, or the name was taken by someone else since: either way not ours to delete.
      if (!conditionFailure(error)) throw error;
    }
  }
}
