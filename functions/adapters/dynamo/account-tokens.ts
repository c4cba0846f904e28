/**
 * Single-use account tokens in DynamoDB, by hash. Consuming one is a single UpdateItem whose condition
 * is the whole check (purpose, unconsumed, unexpired), so of any number of concurrent attempts exactly
 * one succeeds; the same condition is a transaction action wherever consuming must go with another write.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionFailure, type DynamoDb } from '#adapters/aws/dynamodb';
import { tableName } from '#contract/tables';
import type { AccountTokenPurpose, AccountTokenRecord, AccountTokenStore } from '#core/users/account-tokens';
import type { TransactAction } from './requests.ts';

const CONSUMABLE =
  'attribute_exists(tokenHash) AND attribute_not_exists(consumedAt) AND purpose = :purpose AND expiresAt > :now';

/** The transaction action that consumes a token, for writes that must go with it. */
export function consumeToken(
  table: string,
  tokenHash: string,
  purpose: AccountTokenPurpose,
  nowSeconds: number,
): TransactAction {
  return {
    Update: {
      TableName: table,
      Key: { tokenHash },
      UpdateExpression: 'SET consumedAt = :now',
      ConditionExpression: CONSUMABLE,
      ExpressionAttributeValues: { ':now': nowSeconds, ':purpose': purpose },
    },
  };
}

export class DynamoAccountTokenStore implements AccountTokenStore {
  private readonly tokens: string;

  constructor(
    private readonly db: DynamoDb,
    prefix: string,
  ) {
    this.tokens = tableName(prefix, 'accountTokens');
  }

  async putToken(record: AccountTokenRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tokens,
        Item: { ...record },
        ConditionExpression: 'attribute_not_exists(tokenHash)',
      }),
    );
  }

  async findToken(tokenHash: string): Promise<AccountTokenRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tokens, Key: { tokenHash }, ConsistentRead: true }),
    );
    return Item as AccountTokenRecord | undefined;
  }

  async consumeToken(tokenHash: string, purpose: AccountTokenPurpose, nowSeconds: number) {
    const action = consumeToken(this.tokens, tokenHash, purpose, nowSeconds).Update;
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({ ...action!, Key: { tokenHash }, ReturnValues: 'ALL_OLD' }),
      );
      return Attributes as AccountTokenRecord | undefined;
    } catch (error) {
      if (conditionFailure(error)) return undefined;
      throw error;
    }
  }
}
