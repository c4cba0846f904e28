/** Users, sessions and login counters in DynamoDB, each write a single request. */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { cancellationReasons, conditionFailure, type DynamoDb } from '#adapters/aws/dynamodb';
import { tableName } from '#contract/tables';
import type { AccountStore } from '#core/users/accounts';
import type { LoginAttemptsRecord, SessionRecord, UserRecord } from '#core/users/records';
import type { SessionStore } from '#core/users/sessions';
import { batchGet, transactWrite } from './requests.ts';

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
      await this.db.send(
        new PutCommand({
          TableName: this.users,
          Item: { ...user },
          ConditionExpression: 'attribute_not_exists(username)',
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailure(error)) return false;
      throw error;
    }
  }

  async loginState(username: string): Promise<{ user?: UserRecord; attempts?: LoginAttemptsRecord }> {
    const found = await batchGet(this.db, {
      [this.users]: { Keys: [{ username }], ConsistentRead: true },
      [this.attempts]: { Keys: [{ username }], ConsistentRead: true },
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
        const { Attributes } = await this.db.send(
          new UpdateCommand({
            TableName: this.attempts,
            Key: { username },
            UpdateExpression: 'ADD failures :one',
            ConditionExpression: 'attribute_exists(username) AND expiresAt > :now',
            ExpressionAttributeValues: { ':one': 1, ':now': nowSeconds },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return Attributes as LoginAttemptsRecord;
      } catch (error) {
        if (!conditionFailure(error)) throw error;
      }
      const fresh: LoginAttemptsRecord = { username, failures: 1, expiresAt: nowSeconds + windowSeconds };
      try {
        // No window, or only an expired one that TTL has not removed yet: start a new one.
        await this.db.send(
          new PutCommand({
            TableName: this.attempts,
            Item: { ...fresh },
            ConditionExpression: 'attribute_not_exists(username) OR expiresAt <= :now',
            ExpressionAttributeValues: { ':now': nowSeconds },
          }),
        );
        return fresh;
      } catch (error) {
        if (!conditionFailure(error)) throw error;
        // Another request opened a window between our two writes: count into that one.
      }
    }
    throw new Error('Could not record a failed login after three attempts');
  }

  async lockUntil(username: string, until: number): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.attempts,
        Key: { username },
        UpdateExpression: 'SET expiresAt = :until',
        ExpressionAttributeValues: { ':until': until },
      }),
    );
  }

  async openSession(session: SessionRecord, options: { clearAttempts: boolean }): Promise<void> {
    await transactWrite(this.db, [
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
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.sessions, Key: { sessionId }, ConsistentRead: true }),
    );
    return Item as SessionRecord | undefined;
  }

  async closeSession(session: SessionRecord, nowSeconds: number): Promise<boolean> {
    try {
      await transactWrite(this.db, [
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
      if (cancellationReasons(error)) return false;
      throw error;
    }
  }
}
