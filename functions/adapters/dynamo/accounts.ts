/** Users, sessions and login counters in DynamoDB, each write a single request. */
import { type DynamoDb, isCancelledTransaction, isConditionFailure } from '#adapters/aws/dynamodb';
import { tableName } from '#contract/tables';
import type { AccountStore } from '#core/users/accounts';
import type { LoginAttemptsRecord, SessionRecord, UserRecord } from '#core/users/records';
import type { SessionStore } from '#core/users/sessions';

export class DynamoAccountStore implements AccountStore, SessionStore {
  private readonly users: string;
  private readonly sessions: string;
  private readonly attempts: string;

  constructor(
    private readonly db: DynamoDb,
    prefix: string,
  ) {
    this.users = tableName(prefix, 'users');
    this.sessions = tableName(prefix, 'sessions');
    this.attempts = tableName(prefix, 'loginAttempts');
  }

  async createUser(user: UserRecord): Promise<boolean> {
    try {
      await this.db.put(this.users, { ...user }, { ConditionExpression: 'attribute_not_exists(username)' });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async loginState(username: string): Promise<{ user?: UserRecord; attempts?: LoginAttemptsRecord }> {
    const found = await this.db.batchGet({
      [this.users]: { keys: [{ username }], consistent: true },
      [this.attempts]: { keys: [{ username }], consistent: true },
    });
    return {
      user: found[this.users]?.[0] as UserRecord | undefined,
      attempts: found[this.attempts]?.[0] as LoginAttemptsRecord | undefined,
    };
  }

  async recordFailure(
    username: string,
    nowSeconds: number,
    windowSeconds: number,
  ): Promise<LoginAttemptsRecord> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        // Most often a window is already open: count into it.
        return (await this.db.update(this.attempts, { username }, 'ADD failures :one', {
          ConditionExpression: 'attribute_exists(username) AND expiresAt > :now',
          ExpressionAttributeValues: { ':one': 1, ':now': nowSeconds },
        })) as unknown as LoginAttemptsRecord;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const fresh: LoginAttemptsRecord = { username, failures: 1, expiresAt: nowSeconds + windowSeconds };
      try {
        // No window, or only an expired one that TTL has not removed yet: start a new one.
        await this.db.put(
          this.attempts,
          { ...fresh },
          {
            ConditionExpression: 'attribute_not_exists(username) OR expiresAt <= :now',
            ExpressionAttributeValues: { ':now': nowSeconds },
          },
        );
        return fresh;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // Another request opened a window between our two writes: count into that one.
      }
    }
    throw new Error('Could not record a failed login after three attempts');
  }

  async lockUntil(username: string, until: number): Promise<void> {
    await this.db.update(this.attempts, { username }, 'SET expiresAt = :until', {
      ExpressionAttributeValues: { ':until': until },
    });
  }

  async openSession(session: SessionRecord, options: { clearAttempts: boolean }): Promise<void> {
    await this.db.transactWrite([
      { Put: { TableName: this.sessions, Item: { ...session } } },
      {
        Update: {
          TableName: this.users,
          Key: { username: session.username },
          UpdateExpression: 'SET #online = :true, lastOperationAt = :now',
          ConditionExpression: 'attribute_exists(username)',
          ExpressionAttributeNames: { '#online': 'online' }, // a DynamoDB reserved word
          ExpressionAttributeValues: { ':true': true, ':now': session.createdAt },
        },
      },
      ...(options.clearAttempts
        ? [{ Delete: { TableName: this.attempts, Key: { username: session.username } } }]
        : []),
    ]);
  }

  async findSession(sessionId: string): Promise<SessionRecord | undefined> {
    return (await this.db.get(this.sessions, { sessionId }, { consistent: true })) as
      | SessionRecord
      | undefined;
  }

  async closeSession(session: SessionRecord, nowSeconds: number): Promise<boolean> {
    try {
      await this.db.transactWrite([
        {
          Update: {
            TableName: this.sessions,
            Key: { sessionId: session.sessionId },
            UpdateExpression: 'SET revokedAt = :now',
            ConditionExpression:
              'attribute_exists(sessionId) AND attribute_not_exists(revokedAt) AND expiresAt > :now',
            ExpressionAttributeValues: { ':now': nowSeconds },
          },
        },
        {
          Update: {
            TableName: this.users,
            Key: { username: session.username },
            UpdateExpression: 'SET #online = :false, lastOperationAt = :now',
            ConditionExpression: 'attribute_exists(username)',
            ExpressionAttributeNames: { '#online': 'online' },
            ExpressionAttributeValues: { ':false': false, ':now': nowSeconds },
          },
        },
      ]);
      return true;
    } catch (error) {
      if (isCancelledTransaction(error)) return false;
      throw error;
    }
  }
}
