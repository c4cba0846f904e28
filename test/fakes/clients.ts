import type { ClientConfigurationStore, ManagedMetadata, ManagementGuard } from '#core/clients/configuration';
import type { ClientRecord } from '#core/clients/records';
import type { ClientOwner, ClientStore } from '#core/clients/registry';

/** What the client store keeps of a user: whose they are, and (once counting began) how many clients. */
interface OwnerCount {
  sub: string;
  clientCount?: number;
}

/**
 * An in-memory ClientStore with the same ownership conditions and counting as the DynamoDB one: each
 * method is one atomic step, as each DynamoDB transaction is, and an owner without a count (registered
 * before clients were counted) is counted once from their clients.
 */
export class MemoryClientStore implements ClientStore {
  readonly clients = new Map<string, ClientRecord>();
  /** grantId → clientId, standing in for the grants table and its byClient index. */
  readonly grants = new Map<string, string>();
  /** username → the user item's count, standing in for the users table. */
  readonly users = new Map<string, OwnerCount>();

  async findClient(clientId: string) {
    return this.clients.get(clientId);
  }
  async createClient(client: ClientRecord, owner: ClientOwner, limit: number) {
    if (this.clients.has(client.clientId)) throw new Error('client id collision');
    const user = this.users.get(owner.username) ?? { sub: owner.sub, clientCount: 0 };
    if (user.sub !== owner.sub) throw new Error('the username belongs to another user');
    const count = user.clientCount ?? (await this.listClients(owner.sub)).length;
    if (count >= limit) return 'limit_reached' as const;
    this.users.set(owner.username, { ...user, clientCount: count + 1 });
    this.clients.set(client.clientId, structuredClone(client));
    return 'created' as const;
  }
  async listClients(owner: string) {
    return [...this.clients.values()]
      .filter((client) => client.owner === owner)
      .sort((a, b) => a.clientIdIssuedAt - b.clientIdIssuedAt);
  }
  async deleteClient(clientId: string, owner: ClientOwner) {
    const client = this.clients.get(clientId);
    if (!client) return 'absent' as const;
    if (client.owner !== owner.sub) return 'not_owner' as const;
    this.clients.delete(clientId);
    const user = this.users.get(owner.username);
    if (user?.clientCount) this.users.set(owner.username, { ...user, clientCount: user.clientCount - 1 });
    return 'deleted' as const;
  }
  async deleteGrantsOf(clientId: string) {
    const ids = [...this.grants].filter(([, owner]) => owner === clientId).map(([grantId]) => grantId);
    for (const id of ids) this.grants.delete(id);
    return ids.length;
  }
  async replaceSecret(clientId: string, owner: string, secretHash: string) {
    const client = this.clients.get(clientId);
    if (!client || client.owner !== owner) return 'not_found' as const;
    if (client.secretHash === undefined) return 'public' as const;
    this.clients.set(clientId, { ...client, secretHash });
    return 'replaced' as const;
  }
}

/** The MemoryClientStore with RFC 7592's conditional writes, each one atomic step as in DynamoDB. */
export class MemoryClientConfigurationStore extends MemoryClientStore implements ClientConfigurationStore {
  private live(clientId: string, guard: ManagementGuard): ClientRecord | undefined {
    const client = this.clients.get(clientId);
    if (!client || client.registrationTokenHash !== guard.expectedHash || client.suspendedAt !== undefined)
      return undefined;
    return client.expiresAt !== undefined && client.expiresAt <= guard.now ? undefined : client;
  }
  async updateManagedClient(
    clientId: string,
    change: ManagementGuard & { tokenHash: string; metadata?: ManagedMetadata },
  ) {
    const client = this.live(clientId, change);
    if (!client) return undefined;
    const next: ClientRecord = { ...client, ...change.metadata, registrationTokenHash: change.tokenHash };
    for (const [name, value] of Object.entries(next)) {
      if (value === undefined) delete (next as unknown as Record<string, unknown>)[name];
    }
    this.clients.set(clientId, next);
    return structuredClone(next);
  }
  async deleteManagedClient(client: ClientRecord, guard: ManagementGuard) {
    if (!this.live(client.clientId, guard)) return false;
    this.clients.delete(client.clientId);
    for (const [username, user] of this.users) {
      if (user.sub === client.owner && user.clientCount)
        this.users.set(username, { ...user, clientCount: user.clientCount - 1 });
    }
    return true;
  }
}

/** The scopes the client tests' registry supports, and a minimal web app's registration metadata. */
export const SCOPES = ['read', 'write', 'admin'];
export const WEB_APP = { redirect_uris: ['https://app.example.com/callback'] };
