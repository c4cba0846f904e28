/**
 * Passkeys in DynamoDB: one item per credential id; a user's are found by the `bySub` index. Each
 * change is one conditional write: a credential id is registered once, removed only by its owner, and
 * a use is recorded only over the counter it was verified against.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionFailure, type DynamoDb } from '#adapters/aws/dynamodb';
import { tableName } from '#contract/tables';
import type { PasskeyRecord, PasskeyStore } from '#core/users/passkeys';
import { bySub } from './requests.ts';

export class DynamoPasskeyStore implements PasskeyStore {
  private readonly table: string;

  constructor(
    private readonly db: DynamoDb,
    prefix: string,
  ) {
    this.table = tableName(prefix, 'passkeys');
  }

  /** One conditional write; false when its condition failed. */
  private async conditional(send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (error) {
      if (conditionFailure(error)) return false;
      throw error;
    }
  }

  addPasskey(record: PasskeyRecord): Promise<boolean> {
    return this.conditional(() =>
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: record,
          ConditionExpression: 'attribute_not_exists(credentialId)',
        }),
      ),
    );
  }

  async findPasskey(credentialId: string): Promise<PasskeyRecord | undefined> {
    // Credential ids are at most 1023 bytes (WebAuthn); longer ones name nothing and are not looked up.
    if (credentialId.length === 0 || credentialId.length > 1400) return undefined;
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { credentialId }, ConsistentRead: true }),
    );
    return Item as PasskeyRecord | undefined;
  }

  async listPasskeys(sub: string): Promise<PasskeyRecord[]> {
    const { Items } = await this.db.send(new QueryCommand(bySub(this.table, sub)));
    return ((Items ?? []) as PasskeyRecord[]).sort((a, b) => a.createdAt - b.createdAt);
  }

  removePasskey(credentialId: string, sub: string): Promise<boolean> {
    return this.conditional(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { credentialId },
          ConditionExpression: '#sub = :sub',
          ExpressionAttributeNames: { '#sub': 'sub' },
          ExpressionAttributeValues: { ':sub': sub },
        }),
      ),
    );
  }

  recordUse(use: Parameters<PasskeyStore['recordUse']>[0]): Promise<boolean> {
    return this.conditional(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { credentialId: use.credentialId },
          UpdateExpression: 'SET #counter = :counter, backedUp = :backedUp, lastUsedAt = :now',
          ConditionExpression: '#counter = :previous',
          ExpressionAttributeNames: { '#counter': 'counter' },
          ExpressionAttributeValues: {
            ':counter': use.counter,
            ':backedUp': use.backedUp,
            ':now': use.nowSeconds,
            ':previous': use.previousCounter,
          },
        }),
      ),
    );
  }
}
