import type { ClientRecord } from '#core/clients/records';
import type { ClientStore } from '#core/clients/registry';

/** An in-memory ClientStore with the same ownership conditions as the DynamoDB one. */
export class MemoryClientStore implements ClientStore {
  readonly clients = new Map<string, ClientRecord>();
  /** grantId → clientId, standing in for the grants table and its byClient index. */
  readonly grants = new Map<string, string>();

  async findClient(clientId: string) {
    return this.clients.get(clientId);
  }
  async createClient(client: ClientRecord) {
    if (this.clients.has(client.clientId)) throw new Error('client id collision');
    this.clients.set(client.clientId, structuredClone(client));
  }
  async countClients(owner: string) {
    return (await this.listClients(owner)).length;
  }
  async listClients(owner: string) {
    return [...this.clients.values()]
      .filter((client) => client.owner === owner)
      .sort((a, b) => a.clientIdIssuedAt - b.clientIdIssuedAt);
  }
  async deleteClient(clientId: string, owner: string) {
    const client = this.clients.get(clientId);
    if (!client) return 'absent' as const;
    if (client.owner !== owner) return 'not_owner' as const;
    this.clients.delete(clientId);
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
