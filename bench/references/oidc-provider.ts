/**
 * A peer: node-oidc-provider with a DynamoDB adapter over the AWS SDK's DocumentClient (one item per
 * model and id, as the project's own example adapters store them). Its `callback()` is the request
 * handler a Lambda adapter for Koa would call; that adapter's own weight is left out in its favour.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import Provider from 'oidc-provider';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT }));
const TableName = process.env.OIDC_TABLE ?? 'oidc';

type Payload = Record<string, unknown>;

class DynamoAdapter {
  constructor(private readonly model: string) {}
  private key = (id: string) => ({ id: `${this.model}#${id}` });
  async upsert(id: string, payload: Payload, expiresIn: number) {
    const expiresAt = Math.floor(Date.now() / 1000) + expiresIn;
    await db.send(new PutCommand({ TableName, Item: { ...this.key(id), payload, expiresAt } }));
  }
  async find(id: string) {
    const { Item } = await db.send(new GetCommand({ TableName, Key: this.key(id), ConsistentRead: true }));
    return Item?.payload as Payload | undefined;
  }
  findByUserCode = (userCode: string) => this.find(`userCode#${userCode}`);
  findByUid = (uid: string) => this.find(`uid#${uid}`);
  async consume(id: string) {
    await db.send(
      new UpdateCommand({
        TableName,
        Key: this.key(id),
        UpdateExpression: 'SET payload.consumed = :now',
        ExpressionAttributeValues: { ':now': Math.floor(Date.now() / 1000) },
      }),
    );
  }
  async destroy(id: string) {
    await db.send(new DeleteCommand({ TableName, Key: this.key(id) }));
  }
  async revokeByGrantId(grantId: string) {
    await this.destroy(`grant#${grantId}`);
  }
}

const provider = new Provider('https://auth.example.com', {
  adapter: DynamoAdapter,
  clients: [
    { client_id: 'bench', client_secret: 'bench-secret', redirect_uris: ['https://app.example.com/cb'] },
  ],
});

export const handler = provider.callback();
