/**
 * What account security changes on the user item: the email's verified mark, the password hash (by
 * reset link or by the user), and the TOTP secret with its recovery codes. Each change is one
 * conditional write; the reset is one transaction with the token it consumes.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { cancellationReasons, conditionFailure, type DynamoDb } from '#adapters/aws/dynamodb';
import { tableName } from '#contract/tables';
import type { VerificationStore } from '#core/users/email-verification';
import type { PasswordChangeStore } from '#core/users/password-change';
import type { RecoveryStore } from '#core/users/password-recovery';
import type { UserRecord } from '#core/users/records';
import type { TotpStore } from '#core/users/totp-enrolment';
import { consumeToken } from './account-tokens.ts';
import { transactWrite } from './requests.ts';

/** Placeholders for attribute names that are DynamoDB reserved words. */
const NAMES = { '#sub': 'sub' };

export class DynamoAccountSecurityStore
  implements VerificationStore, RecoveryStore, PasswordChangeStore, TotpStore
{
  private readonly users: string;
  private readonly attempts: string;
  private readonly tokens: string;

  constructor(
    private readonly db: DynamoDb,
    prefix: string,
  ) {
    this.users = tableName(prefix, 'users');
    this.attempts = tableName(prefix, 'loginAttempts');
    this.tokens = tableName(prefix, 'accountTokens');
  }

  async findUser(username: string): Promise<UserRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.users, Key: { username }, ConsistentRead: true }),
    );
    return Item as UserRecord | undefined;
  }

  async findUsernamesByEmail(email: string): Promise<string[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.users,
        IndexName: 'byEmail',
        KeyConditionExpression: 'email = :email',
        ExpressionAttributeValues: { ':email': email },
        Limit: 10,
      }),
    );
    return (Items ?? []).map((item) => item.username as string);
  }

  /** One conditional update; false when its condition failed. */
  private async update(input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand(input));
      return true;
    } catch (error) {
      if (conditionFailure(error)) return false;
      throw error;
    }
  }

  markEmailVerified(username: string, binding: { sub: string; email: string }): Promise<boolean> {
    return this.update({
      TableName: this.users,
      Key: { username },
      UpdateExpression: 'SET emailVerified = :true',
      ConditionExpression: '#sub = :sub AND email = :email',
      ExpressionAttributeNames: NAMES,
      ExpressionAttributeValues: { ':true': true, ':sub': binding.sub, ':email': binding.email },
    });
  }

  async resetPassword(reset: Parameters<RecoveryStore['resetPassword']>[0]): Promise<boolean> {
    const consume = consumeToken(this.tokens, reset.tokenHash, 'reset_password', reset.nowSeconds);
    try {
      await transactWrite(this.db, [
        {
          Update: {
            ...consume.Update!,
            ConditionExpression: `${consume.Update!.ConditionExpression} AND username = :username`,
            ExpressionAttributeValues: {
              ...consume.Update!.ExpressionAttributeValues,
              ':username': reset.username,
            },
          },
        },
        {
          Update: {
            TableName: this.users,
            Key: { username: reset.username },
            UpdateExpression: 'SET passwordHash = :hash, lastOperationAt = :now',
            ConditionExpression: '#sub = :sub',
            ExpressionAttributeNames: NAMES,
            ExpressionAttributeValues: {
              ':hash': reset.passwordHash,
              ':now': reset.nowSeconds,
              ':sub': reset.sub,
            },
          },
        },
        // Whoever locked the account guessing passwords, the owner's new one opens it.
        { Delete: { TableName: this.attempts, Key: { username: reset.username } } },
      ]);
      return true;
    } catch (error) {
      if (cancellationReasons(error)?.some((reason) => reason.Code === 'ConditionalCheckFailed'))
        return false;
      throw error;
    }
  }

  replacePasswordHash(change: Parameters<PasswordChangeStore['replacePasswordHash']>[0]): Promise<boolean> {
    return this.update({
      TableName: this.users,
      Key: { username: change.username },
      UpdateExpression: 'SET passwordHash = :hash, lastOperationAt = :now',
      ConditionExpression: 'passwordHash = :expected',
      ExpressionAttributeValues: {
        ':hash': change.passwordHash,
        ':expected': change.expectedHash,
        ':now': change.nowSeconds,
      },
    });
  }

  setPendingTotp(username: string, secret: string): Promise<boolean> {
    return this.update({
      TableName: this.users,
      Key: { username },
      UpdateExpression: 'SET totpPendingSecret = :secret',
      ConditionExpression: 'attribute_exists(username) AND attribute_not_exists(totpSecret)',
      ExpressionAttributeValues: { ':secret': secret },
    });
  }

  confirmTotp(confirmation: Parameters<TotpStore['confirmTotp']>[0]): Promise<boolean> {
    return this.update({
      TableName: this.users,
      Key: { username: confirmation.username },
      UpdateExpression:
        'SET totpSecret = :secret, totpLastStep = :step, recoveryCodes = :codes REMOVE totpPendingSecret',
      ConditionExpression: 'totpPendingSecret = :secret AND attribute_not_exists(totpSecret)',
      ExpressionAttributeValues: {
        ':secret': confirmation.pendingSecret,
        ':step': confirmation.step,
        ':codes': new Set(confirmation.recoveryCodeHashes),
      },
    });
  }

  async disableTotp(username: string): Promise<void> {
    await this.update({
      TableName: this.users,
      Key: { username },
      UpdateExpression: 'REMOVE totpSecret, totpPendingSecret, totpLastStep, recoveryCodes',
      ConditionExpression: 'attribute_exists(username)',
    });
  }
}
