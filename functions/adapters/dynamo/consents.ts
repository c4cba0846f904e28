/** Remembered consent in DynamoDB: one item per user and client, the approved scopes as a string set. */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDb } from '#adapters/aws/dynamodb';
import { tableName } from '#contract/tables';
import type { ConsentRecord, ConsentStore } from '#core/oauth/consents';

export class DynamoConsentStore implements ConsentStore {
  private readonly consents: string;

  constructor(
    private readonly db: DynamoDb,
    prefix: string,
  ) {
    this.consents = tableName(prefix, 'consents');
  }

  async findConsent(sub: string, clientId: string): Promise<ConsentRecord | undefined> {
    // Consistent: the request right after an approval must see it.
    const { Item: item } = await this.db.send(
      new GetCommand({ TableName: this.consents, Key: { sub, clientId }, ConsistentRead: true }),
    );
    if (!item) return undefined;
    const scopes = item.scopes instanceof Set ? [...(item.scopes as Set<string>)] : [];
    return {
      sub,
      clientId,
      scopes,
      createdAt: item.createdAt as number,
      updatedAt: item.updatedAt as number,
    };
  }

  async addScopes(
    sub: string,
    clientId: string,
    scopes: readonly string[],
    nowSeconds: number,
  ): Promise<void> {
    // ADD on a string set is a union done by DynamoDB, so two approvals at once both count. An empty
    // set cannot be stored; the item is then created without one.
    const add = scopes.length > 0 ? ' ADD scopes :scopes' : '';
    await this.db.send(
      new UpdateCommand({
        TableName: this.consents,
        Key: { sub, clientId },
        UpdateExpression: `SET updatedAt = :now, createdAt = if_not_exists(createdAt, :now)${add}`,
        ExpressionAttributeValues: {
          ':now': nowSeconds,
          ...(scopes.length > 0 ? { ':scopes': new Set(scopes) } : {}),
        },
      }),
    );
  }
}
