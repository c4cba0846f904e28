/**
 * What an operator does to clients (the admin tool, infra/admin): list them, suspend and resume them,
 * delete them. A suspended client cannot authenticate (`invalid_client`, authentication.ts), /authorize
 * treats it as unknown, and no grant can be made or refreshed for it (the grant store's transactions
 * require it unsuspended); its grants are deleted when it is suspended, which ends every token issued
 * to it, as liveness requires a grant for each.
 */
import { type Clock, epochSeconds } from '#core/clock';
import { NotFound } from '#core/errors';
import type { AdminAction, SecurityEvents } from '#core/observability';
import type { ClientRecord } from './records.ts';
import { isClientId } from './records.ts';
import type { ClientRegistry, ClientStore } from './registry.ts';

export interface ClientAdministrationStore extends Pick<ClientStore, 'deleteGrantsOf'> {
  findClient(clientId: string): Promise<ClientRecord | undefined>;
  /** Every client, a page at a time (a scan: listing all is what the operator asked for). */
  allClients(): Promise<ClientRecord[]>;
  /** Sets (a time) or removes (`undefined`) `suspendedAt`; false when there is no such client. */
  setSuspended(clientId: string, suspendedAt: number | undefined): Promise<boolean>;
  /** The username of the owner `sub`, when the owner still exists (the registry counts clients per owner). */
  ownerUsername(sub: string): Promise<string | undefined>;
  /** Deletes a client whose owner no longer exists; false when there was no such client. */
  deleteOrphan(clientId: string): Promise<boolean>;
}

/** A client as an operator sees it: never the hash of a credential. */
export type ClientView = Omit<ClientRecord, 'secretHash' | 'registrationTokenHash'>;

export interface ClientAdministrationDependencies {
  store: ClientAdministrationStore;
  registry: ClientRegistry;
  clock: Clock;
  events: SecurityEvents;
}

const view = ({ secretHash: _, registrationTokenHash: __, ...client }: ClientRecord): ClientView => client;

export class ClientAdministration {
  constructor(private readonly deps: ClientAdministrationDependencies) {}

  async list(): Promise<ClientView[]> {
    const clients = await this.deps.store.allClients();
    return clients.sort((a, b) => a.clientIdIssuedAt - b.clientIdIssuedAt).map(view);
  }

  async find(clientId: string): Promise<ClientView> {
    return view(await this.client(clientId));
  }

  /** The client stops authenticating now, and every token issued to it dies with its grants. */
  suspend(operator: string, clientId: string): Promise<{ grantsDeleted: number }> {
    return this.audited(operator, 'client.suspend', clientId, async () => {
      if (!(await this.deps.store.setSuspended(clientId, epochSeconds(this.deps.clock)))) {
        throw new NotFound('No such client.');
      }
      return { grantsDeleted: await this.deps.store.deleteGrantsOf(clientId) };
    });
  }

  /** The client may authenticate again; the grants deleted by suspending it stay deleted. */
  resume(operator: string, clientId: string): Promise<Record<string, never>> {
    return this.audited(operator, 'client.resume', clientId, async () => {
      if (!(await this.deps.store.setSuspended(clientId, undefined))) throw new NotFound('No such client.');
      return {};
    });
  }

  /** Deletes the client and its grants, as its owner's DELETE /client/{id} does. */
  delete(operator: string, clientId: string): Promise<{ grantsDeleted: number }> {
    return this.audited(operator, 'client.delete', clientId, async (client) => {
      const username = await this.deps.store.ownerUsername(client.owner);
      if (username) return this.deps.registry.remove({ sub: client.owner, username }, clientId);
      if (!(await this.deps.store.deleteOrphan(clientId))) throw new NotFound('No such client.');
      return { grantsDeleted: await this.deps.store.deleteGrantsOf(clientId) };
    });
  }

  private async client(clientId: string): Promise<ClientRecord> {
    const client = isClientId(clientId) ? await this.deps.store.findClient(clientId) : undefined;
    if (!client) throw new NotFound('No such client.');
    return client;
  }

  private async audited<T extends object>(
    operator: string,
    action: string,
    clientId: string,
    run: (client: ClientRecord) => Promise<T>,
  ): Promise<T> {
    const report = (outcome: AdminAction['outcome'], detail: object) =>
      this.deps.events.record({
        kind: 'admin',
        action,
        operator,
        target: { client: clientId },
        outcome,
        detail: { ...detail },
      });
    try {
      const result = await run(await this.client(clientId));
      report('succeeded', result);
      return result;
    } catch (error) {
      report('failed', { error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }
}
