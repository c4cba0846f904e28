/** Users, sessions and login counters in DynamoDB, each write a single request. */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { cancellationReasons, conditionFailure, type DynamoDb } from '#adapters/aws/dynamodb';
import { tableName } from '#contract/tables';
import type { AccountStore, Admission, SecondFactorProof } from '#core/users/accounts';
import type { LoginAttemptsRecord, SessionRecord, UserRecord } from '#core/users/records';
import type { SessionStore } from '#core/users/sessions';
import { consumeToken } from './account-tokens.ts';
import { type TransactAction, transactWrite } from './requests.ts';

export class DynamoAccountStore implements AccountStore, SessionStore {
  private readonly users: string;
  private readonly sessions: string;
  private readonly attempts: string;
  private readonly tokens: string;

  constructor(
    private readonly db: DynamoDb,
    prefix: string,
  ) {
    this.users = tableName(prefix, 'users');
    this.sessions = tableName(prefix, 'sessions');
    this.attempts = tableName(prefix, 'loginAttempts');
    this.tokens = tableName(prefix, 'accountTokens');
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

  async findUser(username: string): Promise<UserRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.users, Key: { username }, ConsistentRead: true }),
    );
    return Item as UserRecord | undefined;
  }

  async admitAttempt(
    username: string,
    { nowSeconds, windowSeconds, maxFailures }: Parameters<AccountStore['admitAttempt']>[1],
  ): Promise<Admission> {
    const windowEnd = nowSeconds + windowSeconds;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        // No window yet, or an open one with room left: count this check into it (or open it).
        const { Attributes } = await this.db.send(
          new UpdateCommand({
            TableName: this.attempts,
            Key: { username },
            UpdateExpression:
              'SET failures = if_not_exists(failures, :zero) + :one, expiresAt = if_not_exists(expiresAt, :end)',
            ConditionExpression: 'attribute_not_exists(username) OR (expiresAt > :now AND failures < :max)',
            ExpressionAttributeValues: {
              ':zero': 0,
              ':one': 1,
              ':end': windowEnd,
              ':now': nowSeconds,
              ':max': maxFailures,
            },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { admitted: true, counted: Attributes?.failures as number };
      } catch (error) {
        const failed = conditionFailure(error);
        if (!failed) throw error;
        // The failed condition returns the counter as it was: a full open window is the lock.
        const open = failed.item as LoginAttemptsRecord | undefined;
        if (open && open.expiresAt > nowSeconds) return { admitted: false, lockedUntil: open.expiresAt };
      }
      try {
        // Only a window that has ended (and that TTL has not removed yet): start a new one with this check.
        await this.db.send(
          new UpdateCommand({
            TableName: this.attempts,
            Key: { username },
            UpdateExpression: 'SET failures = :one, expiresAt = :end',
            ConditionExpression: 'expiresAt <= :now',
            ExpressionAttributeValues: { ':one': 1, ':end': windowEnd, ':now': nowSeconds },
          }),
        );
        return { admitted: true, counted: 1 };
      } catch (error) {
        if (!conditionFailure(error)) throw error;
        // Another request started the new window first: count into that one.
      }
    }
    throw new Error('Could not count a login attempt after three tries');
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

  async openSession(
    session: SessionRecord,
    proof?: SecondFactorProof,
  ): Promise<'opened' | 'disabled' | 'proof_used'> {
    const actions: TransactAction[] = [
      { Put: { TableName: this.sessions, Item: { ...session } } },
      this.markOnline(session, proof),
      // The check this login was admitted with, and every failure before it, are cleared.
      { Delete: { TableName: this.attempts, Key: { username: session.username } } },
    ];
    if (proof) actions.push(consumeToken(this.tokens, proof.mfaTokenHash, 'mfa_sign_in', session.createdAt));
    try {
      await transactWrite(this.db, actions);
      return 'opened';
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons?.some((reason) => reason.Code === 'ConditionalCheckFailed')) throw error;
      // The user update returns the item it refused: disabled (or deleted) beats a spent factor. Any
      // other refusal is a code, recovery code or MFA token consumed by another request first.
      const refused = reasons[1];
      if (
        refused?.Code === 'ConditionalCheckFailed' &&
        (!refused.Item || refused.Item.disabledAt !== undefined)
      )
        return 'disabled';
      return proof ? 'proof_used' : 'disabled';
    }
  }

  /** The user's update of a sign-in, consuming the second factor's step or recovery code with it. */
  private markOnline(session: SessionRecord, proof: SecondFactorProof | undefined): TransactAction {
    // lastSessionId lets an operator's disable end this session before the sessions index shows it.
    const set = ['#online = :true', 'lastOperationAt = :now', 'lastSessionId = :session'];
    // A disabled (or deleted) user gets no session, however the sign-in raced the operator.
    const conditions = ['attribute_exists(username)', 'attribute_not_exists(disabledAt)', '#sub = :sub'];
    const values: Record<string, unknown> = {
      ':true': true,
      ':now': session.createdAt,
      ':sub': session.sub,
      ':session': session.sessionId,
    };
    let remove = '';
    if (proof?.totpStep !== undefined) {
      set.push('totpLastStep = :step');
      conditions.push(
        'attribute_exists(totpSecret)',
        '(attribute_not_exists(totpLastStep) OR totpLastStep < :step)',
      );
      values[':step'] = proof.totpStep;
    }
    if (proof?.recoveryCodeHash !== undefined) {
      remove = ' DELETE recoveryCodes :codes';
      conditions.push('contains(recoveryCodes, :code)');
      values[':codes'] = new Set([proof.recoveryCodeHash]);
      values[':code'] = proof.recoveryCodeHash;
    }
    return {
      Update: {
        TableName: this.users,
        Key: { username: session.username },
        UpdateExpression: `SET ${set.join(', ')}${remove}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: { '#online': 'online', '#sub': 'sub' }, // reserved words
        ExpressionAttributeValues: values,
      },
    };
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
