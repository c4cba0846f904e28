/**
 * Registered OAuth clients in DynamoDB, counted per owner on the owner's user item in the same
 * transaction as each registration and deletion.
 */
import {
  type DynamoDb,
  isCancelledTransaction,
  isConditionFailure,
  type TransactAction,
} from '#adapters/aws/dynamodb';
import { tableName } from '#contract/tables';
import type { ClientLookup, ClientRecord } from '#core/clients/records';
import type { ClientOwner, ClientStore } from '#core/clients/registry';
import { transactWriteWithRetries } from './transactions.ts';

/** Grant deletions in flight at once while a deleted client's grants are swept. */
const SWEEP_CONCURRENCY = 16;

export class DynamoClientStore implements ClientLookup, ClientStore {
  protected readonly clients: string;
  private readonly users: string;

  constructor(
    protected readonly db: DynamoDb,
    protected readonly prefix: string,
  ) {
    this.clients = tableName(prefix, 'clients');
    this.users = tableName(prefix, 'users');
  }

  async findClient(clientId: string): Promise<ClientRecord | undefined> {
    // Consistent, so that a client deleted a moment ago is gone for every endpoint.
    return (await this.db.get(this.clients, { clientId }, { consistent: true })) as ClientRecord | undefined;
  }

  async createClient(client: ClientRecord, owner: ClientOwner, limit: number) {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await transactWriteWithRetries(this.db, [this.countIn(owner, limit), this.putNew(client)]);
        return 'created' as const;
      } catch (error) {
        if (!isCancelledTransaction(error)) throw error;
        const [user, put] = error.cancellationReasons ?? [];
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
    const existing = (await this.queryByOwner(owner.sub, ['clientId'])).length;
    try {
      await this.db.update(this.users, { username: owner.username }, 'SET clientCount = :count', {
        ConditionExpression: '#sub = :sub AND attribute_not_exists(clientCount)',
        ExpressionAttributeNames: { '#sub': 'sub' },
        ExpressionAttributeValues: { ':count': existing, ':sub': owner.sub },
      });
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  private queryByOwner(owner: string, projection?: string[]): Promise<Record<string, unknown>[]> {
    // `owner` is a DynamoDB reserved word, hence the name placeholder.
    return this.db.query(this.clients, {
      IndexName: 'byOwner',
      KeyConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':owner': owner },
      ...(projection ? { projection } : {}),
    });
  }

  async listClients(owner: string): Promise<ClientRecord[]> {
    return (await this.queryByOwner(owner)) as unknown as ClientRecord[];
  }

  async deleteClient(clientId: string, owner: ClientOwner): Promise<'deleted' | 'absent' | 'not_owner'> {
    const ownerCondition = {
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':owner': owner.sub },
    };
    try {
      await transactWriteWithRetries(this.db, [
        {
          Delete: {
            TableName: this.clients,
            Key: { clientId },
            ConditionExpression: 'attribute_exists(clientId) AND #owner = :owner',
            ...ownerCondition,
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
      if (!isCancelledTransaction(error)) throw error;
      const [client, user] = error.cancellationReasons ?? [];
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
      const previous = await this.db.delete(
        this.clients,
        { clientId },
        {
          ConditionExpression: 'attribute_not_exists(clientId) OR #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        },
      );
      return previous ? 'deleted' : 'absent';
    } catch (error) {
      if (isConditionFailure(error)) return 'not_owner';
      throw error;
    }
  }

  async deleteGrantsOf(clientId: string): Promise<number> {
    const grants = tableName(this.prefix, 'grants');
    const found = await this.db.query(grants, {
      IndexName: 'byClient',
      KeyConditionExpression: 'clientId = :clientId',
      ExpressionAttributeValues: { ':clientId': clientId },
      projection: ['grantId'],
    });
    const ids = found.map((item) => item.grantId as string);
    // Unconditional deletes: a grant already gone (revoked, expired, swept by a parallel DELETE) is fine.
    for (let start = 0; start < ids.length; start += SWEEP_CONCURRENCY) {
      await Promise.all(
        ids.slice(start, start + SWEEP_CONCURRENCY).map((grantId) => this.db.delete(grants, { grantId })),
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
      await this.db.update(this.clients, { clientId }, 'SET secretHash = :secretHash', {
        ConditionExpression: '#owner = :owner AND attribute_exists(secretHash)',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': owner, ':secretHash': secretHash },
      });
      return 'replaced';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The failed condition returns the item as it was (if any), so no second read is needed.
      const current = error.item as ClientRecord | undefined;
      return current?.owner === owner ? 'public' : 'not_found';
    }
  }
}
