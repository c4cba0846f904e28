/**
 * The SDK floor: the least a Lambda handler that reads DynamoDB through the AWS SDK's DocumentClient can
 * be, bundled like the functions. Every function is measured against it (bench/targets.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT }));

export const handler = async () => {
  const { Item } = await client.send(
    new GetCommand({ TableName: process.env.FLOOR_TABLE ?? 'floor', Key: { clientId: 'floor' } }),
  );
  return { statusCode: 200, body: JSON.stringify({ found: Item !== undefined }) };
};
