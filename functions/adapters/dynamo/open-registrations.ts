/**
 * Clients registered without an account (core/clients/open-registration.ts), each counted against its
 * source address in the same transaction that stores it: the counter item of (address, window) may only
 * grow below its limit, and DynamoDB's TTL deletes it when the window is over.
 */
import { cancellationReasons, type DynamoDb } from '#adapters/aws/dynamodb';
import { tableName } from '#contract/tables';
import type { OpenRegistrationStore, RegistrationCounter } from '#core/clients/open-registration';
import type { ClientRecord } from '#core/clients/records';
import { transactWriteWithRetries } from './transactions.ts';

export class DynamoOpenRegistrationStore implements OpenRegistrationStore {
  private readonly clients: string;
  private readonly limits: string;

  constructor(
    private readonly db: DynamoDb,
    prefix: string,
  ) {
    this.clients = tableName(prefix, 'clients');
    this.limits = tableName(prefix, 'registrationLimits');
  }

  async createOpenClient(client: ClientRecord, counter: RegistrationCounter): Promise<'created' | 'limited'> {
    // No owner attribute at all: the byOwner index is sparse, and an empty key would be refused.
    const { owner: _none, ...item } = client;
    try {
      await transactWriteWithRetries(this.db, [
        {
          Update: {
            TableName: this.limits,
            Key: { source: `${counter.source}#${counter.windowStart}` },
            UpdateExpression: 'SET expiresAt = :expiresAt ADD registrations :one',
            ConditionExpression: 'attribute_not_exists(registrations) OR registrations < :max',
            ExpressionAttributeValues: { ':one': 1, ':max': counter.max, ':expiresAt': counter.expiresAt },
          },
        },
        {
          Put: {
            TableName: this.clients,
            Item: { ...item },
            ConditionExpression: 'attribute_not_exists(clientId)',
          },
        },
      ]);
      return 'created';
    } catch (error) {
      const [count, put] = cancellationReasons(error) ?? [];
      if (put?.Code === 'ConditionalCheckFailed') throw new Error('A new client id collided');
      if (count?.Code === 'ConditionalCheckFailed') return 'limited';
      throw error;
    }
  }
}
