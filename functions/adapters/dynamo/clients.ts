/** Registered OAuth clients in DynamoDB. */
import { type DynamoDb, isConditionFailure } from '#adapters/aws/dynamodb';
import { tableName } from '#contract/tables';
import type { ClientLookup, ClientRecord } from '#core/clients/records';
import type { ClientStore } from '#core/clients/registry';

/** Grant deletions in flight at once while a deleted client's grants are swept. */
const SWEEP_CONCURRENCY = 16;

export class DynamoClientStore implements ClientLookup, ClientStore {
  protected readonly clients: string;

  constructor(
    protected readonly db: DynamoDb,
    protected readonly prefix: string,
  ) {
    this.clients = tableName(prefix, 'clients');
  }

  async findClient(clientId: string): Promise<ClientRecord | undefined> {
    // Consistent, so that a client deleted a moment ago is gone for every endpoint.
    return (await this.db.get(this.clients, { clientId }, { consistent: true })) as ClientRecord | undefined;
  }

  async createClient(client: ClientRecord): Promise<void> {
    // 128 random bits never collide in practice; the condition makes sure a collision could not
    // silently replace someone else's client.
    await this.db.put(this.clients, { ...client }, { ConditionExpression: 'attribute_not_exists(clientId)' });
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

  async countClients(owner: string): Promise<number> {
    return (await this.queryByOwner(owner, ['clientId'])).length;
  }

  async listClients(owner: string): Promise<ClientRecord[]> {
    return (await this.queryByOwner(owner)) as unknown as ClientRecord[];
  }

  async deleteClient(clientId: string, owner: string): Promise<'deleted' | 'absent' | 'not_owner'> {
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
