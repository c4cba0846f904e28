/**
 * What the admin tool reads and writes (core/users/user-administration.ts,
 * core/clients/client-administration.ts). Lookups by `sub` go through the `bySub` indexes of users and
 * sessions: queries, never scans. Only listing every client scans, as that is what it asks for.
 */
import {
  DeleteCommand,
  GetCommand,
  ScanCommand,
  type ScanCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { conditionFailure, type DynamoDb, type Item } from '#adapters/aws/dynamodb';
import { tableName } from '#contract/tables';
import type { ClientAdministrationStore } from '#core/clients/client-administration';
import type { ClientRecord } from '#core/clients/records';
import type { UserRecord } from '#core/users/records';
import type { UserAdministrationStore } from '#core/users/user-administration';
import { DynamoClientStore } from './clients.ts';
import { bySub, queryFirst } from './requests.ts';

export interface AdministrationCounts {
  users: number;
  clients: number;
  suspendedClients: number;
  liveSessions: number;
  liveGrants: number;
}

export class DynamoAdministrationStore implements UserAdministrationStore, ClientAdministrationStore {
  private readonly users: string;
  private readonly sessions: string;
  private readonly clients: string;
  private readonly grants: string;
  private readonly clientStore: DynamoClientStore;

  constructor(
    private readonly db: DynamoDb,
    prefix: string,
  ) {
    this.users = tableName(prefix, 'users');
    this.sessions = tableName(prefix, 'sessions');
    this.clients = tableName(prefix, 'clients');
    this.grants = tableName(prefix, 'grants');
    this.clientStore = new DynamoClientStore(db, prefix);
  }

  async findUser(username: string): Promise<UserRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.users, Key: { username }, ConsistentRead: true }),
    );
    return Item as UserRecord | undefined;
  }

  async findUserBySub(sub: string): Promise<UserRecord | undefined> {
    // The index projects the table's key: the username, then the whole item by a consistent read.
    const found = await queryFirst(this.db, bySub(this.users, sub));
    return found ? this.findUser(found.username as string) : undefined;
  }

  async ownerUsername(sub: string): Promise<string | undefined> {
    return (await this.findUserBySub(sub))?.username;
  }

  async setDisabled(
    username: string,
    disabledAt: number | undefined,
  ): Promise<{ lastSessionId?: string } | 'absent'> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.users,
          Key: { username },
          ...(disabledAt === undefined
            ? { UpdateExpression: 'REMOVE disabledAt' }
            : { UpdateExpression: 'SET disabledAt = :at', ExpressionAttributeValues: { ':at': disabledAt } }),
          ConditionExpression: 'attribute_exists(username)',
          // The session a sign-in opened just before this write, which the index may not show yet.
          ReturnValues: 'ALL_NEW',
        }),
      );
      const lastSessionId = Attributes?.lastSessionId as string | undefined;
      return lastSessionId ? { lastSessionId } : {};
    } catch (error) {
      if (conditionFailure(error)) return 'absent';
      throw error;
    }
  }

  findClient(clientId: string): Promise<ClientRecord | undefined> {
    return this.clientStore.findClient(clientId);
  }

  async allClients(): Promise<ClientRecord[]> {
    const clients: Item[] = [];
    let ExclusiveStartKey: ScanCommandInput['ExclusiveStartKey'];
    do {
      const page = await this.db.send(
        new ScanCommand({ TableName: this.clients, ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}) }),
      );
      clients.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return clients as unknown as ClientRecord[];
  }

  async setSuspended(clientId: string, suspendedAt: number | undefined): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.clients,
          Key: { clientId },
          ...(suspendedAt === undefined
            ? { UpdateExpression: 'REMOVE suspendedAt' }
            : {
                UpdateExpression: 'SET suspendedAt = :at',
                ExpressionAttributeValues: { ':at': suspendedAt },
              }),
          ConditionExpression: 'attribute_exists(clientId)',
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailure(error)) return false;
      throw error;
    }
  }

  deleteGrantsOf(clientId: string): Promise<number> {
    return this.clientStore.deleteGrantsOf(clientId);
  }

  /**
   * How many users, clients (suspended among them), live sessions and live grants there are: exact
   * counts by `Select: COUNT` scans, which read every item (an operator's occasional question, not a
   * request path; DescribeTable's ItemCount is free but up to six hours old).
   */
  async counts(nowSeconds: number): Promise<AdministrationCounts> {
    const live = {
      FilterExpression: 'attribute_not_exists(revokedAt) AND expiresAt > :now',
      ExpressionAttributeValues: { ':now': nowSeconds },
    };
    const [users, clients, suspendedClients, liveSessions, liveGrants] = await Promise.all([
      this.count({ TableName: this.users }),
      this.count({ TableName: this.clients }),
      this.count({ TableName: this.clients, FilterExpression: 'attribute_exists(suspendedAt)' }),
      this.count({ TableName: this.sessions, ...live }),
      this.count({ TableName: this.grants, ...live }),
    ]);
    return { users, clients, suspendedClients, liveSessions, liveGrants };
  }

  private async count(input: ScanCommandInput): Promise<number> {
    let total = 0;
    let ExclusiveStartKey: ScanCommandInput['ExclusiveStartKey'];
    do {
      const page = await this.db.send(
        new ScanCommand({ ...input, Select: 'COUNT', ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}) }),
      );
      total += page.Count ?? 0;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return total;
  }

  async deleteOrphan(clientId: string): Promise<boolean> {
    const { Attributes } = await this.db.send(
      new DeleteCommand({ TableName: this.clients, Key: { clientId }, ReturnValues: 'ALL_OLD' }),
    );
    return Attributes !== undefined;
  }
}
