/** Registered OAuth clients in DynamoDB. */
import type { DynamoDb } from '#commons/dynamo';
import type { ClientRecord } from '#domain/records';
import { tableName } from '#infra/tables';

/** What the authorization and token endpoints need of the client registry. */
export interface ClientLookup {
  findClient(clientId: string): Promise<ClientRecord | undefined>;
}

export class DynamoClientStore implements ClientLookup {
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
}
