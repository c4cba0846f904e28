/**
 * Registered OAuth clients in DynamoDB, counted per owner on the owner's user item in the same
 * transaction as each registration and deletion.
 */
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { cancellationReasons, conditionFailure, type DynamoDb } from '#adapters/aws/dynamodb';
import { tableName } from '#contract/tables';
import type { ClientRecord } from '#core/clients/records';
import type { ClientOwner, ClientStore } from '#core/clients/registry';
import type { ClientReadAhead, ReadAhead, ReadAheadRecords } from '#core/oauth/read-ahead';
import { batchGet, queryAll, type TransactAction } from './requests.ts';
import { transactWriteWithRetries } from './transactions.ts';

/** Grant deletions in flight at once while a deleted client's grants are swept. */
const SWEEP_CONCURRENCY = 16;

/** Where each record that can be read ahead with a client lives, and its key. */
const READ_AHEAD_TABLES = {
  code: { table: 'codes', key: (ahead: { codeHash: string }) => ({ codeHash: ahead.codeHash }) },
  refreshToken: {
    table: 'refreshTokens',
    key: (ahead: { tokenHash: string }) => ({ tokenHash: ahead.tokenHash }),
  },
  session: { table: 'sessions', key: (ahead: { sessionId: string }) => ({ sessionId: ahead.sessionId }) },
} as const;

export class DynamoClientStore implements ClientReadAhead, ClientStore {
  protected readonly clients: string;
  protected readonly users: string;

  constructor(
    protected readonly db: DynamoDb,
    protected readonly prefix: string,
  ) {
    this.clients = tableName(prefix, 'clients');
    this.users = tableName(prefix, 'users');
  }

  async findClient(clientId: string): Promise<ClientRecord | undefined> {
    // Consistent, so that a client deleted a moment ago is gone for every endpoint.
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.clients, Key: { clientId }, ConsistentRead: true }),
    );
    return Item as ClientRecord | undefined;
  }

  /** The client and the record `ahead` names in one consistent BatchGetItem: one round trip, the same units. */
  async findClientWith(
    clientId: string,
    ahead: ReadAhead,
  ): Promise<{ client: ClientRecord | undefined; records: ReadAheadRecords }> {
    const other = tableName(this.prefix, READ_AHEAD_TABLES[ahead.kind].table);
    const key = (READ_AHEAD_TABLES[ahead.kind].key as (ahead: ReadAhead) => Record<string, string>)(ahead);
    const found = await batchGet(this.db, {
      [this.clients]: { Keys: [{ clientId }], ConsistentRead: true },
      [other]: { Keys: [key], ConsistentRead: true },
    });
    const record = found[other]?.[0];
    return {
      client: found[this.clients]?.[0] as ClientRecord | undefined,
      records: { ahead, ...(record ? { [ahead.kind]: record } : {}) },
    };
  }

  async createClient(client: ClientRecord, owner: ClientOwner, limit: number) {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await transactWriteWithRetries(this.db, [this.countIn(owner, limit), this.putNew(client)]);
        return 'created' as const;
      } catch (error) {
        const [user, put] = cancellationReasons(error) ?? [];
        if (user?.Code !== 'ConditionalCheckFailed') throw error;
        // The failed condition returns the user item as it was, so no read is needed to tell why.
        if (user.Item?.sub !== owner.sub)
          throw new Error(`No user item "${owner.username}" for ${owner.sub}`);
        if (typeof user.Item.clientCount === 'number') return 'limit_reached' as const;
        if (put?.Code === 'ConditionalCheckFailed') throw new Error('A new client id collided');
        await this.startCounting(owner);
      }
    }
    throw new Error(`Could not count the clients of ${owner.sub}`);
  }

  /** One more client for the owner, if the owner has fewer than `limit`. */
  private countIn(owner: ClientOwner, limit: number): TransactAction {
    return {
      Update: {
        TableName: this.users,
        Key: { username: owner.username },
        UpdateExpression: 'SET clientCount = clientCount + :one',
        ConditionExpression: '#sub = :sub AND clientCount < :limit',
        ExpressionAttributeNames: { '#sub': 'sub' },
        ExpressionAttributeValues: { ':one': 1, ':sub': owner.sub, ':limit': limit },
      },
    };
  }

  private putNew(client: ClientRecord): TransactAction {
    // 128 random bits never collide in practice; the condition makes sure a collision could not
    // silently replace someone else's client.
    return {
      Put: {
        TableName: this.clients,
        Item: { ...client },
        ConditionExpression: 'attribute_not_exists(clientId)',
      },
    };
  }

  /**
   * A user registered before clients were counted has no count: it starts from their clients as the
   * owner index lists them (once; a concurrent registration may have started it first).
   */
  private async startCounting(owner: ClientOwner): Promise<void> {
    const existing = (await this.queryByOwner(owner.sub, 'clientId')).length;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.users,
          Key: { username: owner.username },
          UpdateExpression: 'SET clientCount = :count',
          ConditionExpression: '#sub = :sub AND attribute_not_exists(clientCount)',
          ExpressionAttributeNames: { '#sub': 'sub' },
          ExpressionAttributeValues: { ':count': existing, ':sub': owner.sub },
        }),
      );
    } catch (error) {
      if (!conditionFailure(error)) throw error;
    }
  }

  private queryByOwner(owner: string, projection?: string): Promise<Record<string, unknown>[]> {
    // `owner` is a DynamoDB reserved word, hence the name placeholder.
    return queryAll(this.db, {
      TableName: this.clients,
      IndexName: 'byOwner',
      KeyConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':owner': owner },
      ...(projection ? { ProjectionExpression: projection } : {}),
    });
  }

  async listClients(owner: string): Promise<ClientRecord[]> {
    return (await this.queryByOwner(owner)) as unknown as ClientRecord[];
  }

  async deleteClient(clientId: string, owner: ClientOwner): Promise<'deleted' | 'absent' | 'not_owner'> {
    try {
      await transactWriteWithRetries(this.db, [
        {
          Delete: {
            TableName: this.clients,
            Key: { clientId },
            ConditionExpression: 'attribute_exists(clientId) AND #owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':owner': owner.sub },
          },
        },
        {
          Update: {
            TableName: this.users,
            Key: { username: owner.username },
            UpdateExpression: 'SET clientCount = clientCount - :one',
            ConditionExpression: '#sub = :sub AND clientCount > :zero',
            ExpressionAttributeNames: { '#sub': 'sub' },
            ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':sub': owner.sub },
          },
        },
      ]);
      return 'deleted';
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      const [client, user] = reasons;
      if (client?.Code === 'ConditionalCheckFailed') return client.Item ? 'not_owner' : 'absent';
      // An owner registered before clients were counted: delete as then; counting starts later.
      if (user?.Code === 'ConditionalCheckFailed') return this.deleteUncounted(clientId, owner.sub);
      throw error;
    }
  }

  private async deleteUncounted(
    clientId: string,
    owner: string,
  ): Promise<'deleted' | 'absent' | 'not_owner'> {
    try {
      // Deleting an absent item succeeds and returns nothing, so one request tells all three cases apart.
      const { Attributes } = await this.db.send(
        new DeleteCommand({
          TableName: this.clients,
          Key: { clientId },
          ConditionExpression: 'attribute_not_exists(clientId) OR #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return Attributes ? 'deleted' : 'absent';
    } catch (error) {
      if (conditionFailure(error)) return 'not_owner';
      throw error;
    }
  }

  async deleteGrantsOf(clientId: string): Promise<number> {
    const grants = tableName(this.prefix, 'grants');
    const found = await queryAll(this.db, {
      TableName: grants,
      IndexName: 'byClient',
      KeyConditionExpression: 'clientId = :clientId',
      ExpressionAttributeValues: { ':clientId': clientId },
      ProjectionExpression: 'grantId',
    });
    const ids = found.map((item) => item.grantId as string);
    // Unconditional deletes: a grant already gone (revoked, expired, swept by a parallel DELETE) is fine.
    for (let start = 0; start < ids.length; start += SWEEP_CONCURRENCY) {
      await Promise.all(
        ids
          .slice(start, start + SWEEP_CONCURRENCY)
          .map((grantId) => this.db.send(new DeleteCommand({ TableName: grants, Key: { grantId } }))),
      );
    }
    return ids.length;
  }

  async replaceSecret(
    clientId: string,
    owner: string,
    secretHash: string,
  ): Promise<'replaced' | 'not_found' | 'public'> {
    try {
      // One conditional write: the old hash is gone the moment this succeeds, and a public client can
      // never acquire a secret.
      await this.db.send(
        new UpdateCommand({
          TableName: this.clients,
          Key: { clientId },
          UpdateExpression: 'SET secretHash = :secretHash',
          ConditionExpression: '#owner = :owner AND attribute_exists(secretHash)',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner, ':secretHash': secretHash },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'replaced';
    } catch (error) {
      const failed = conditionFailure(error);
      if (!failed) throw error;
      // The failed condition returns the item as it was (if any), so no second read is needed.
      const current = failed.item as ClientRecord | undefined;
      return current?.owner === owner ? 'public' : 'not_found';
    }
  }
}
