/**
 * RFC 7592 management writes on the clients table (core/clients/configuration.ts). Each is one write
 * conditioned on the stored registration-token hash and on the client being live: not suspended and,
 * for an open registration, not past `expiresAt` (DynamoDB's TTL deletes late, so the write checks).
 */
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { cancellationReasons, conditionFailure } from '#adapters/aws/dynamodb';
import type { ClientConfigurationStore, ManagedMetadata, ManagementGuard } from '#core/clients/configuration';
import type { ClientRecord } from '#core/clients/records';
import { DynamoClientStore } from './clients.ts';
import { bySub, queryFirst } from './requests.ts';
import { transactWriteWithRetries } from './transactions.ts';

const GUARD =
  'registrationTokenHash = :expected AND attribute_not_exists(suspendedAt) AND ' +
  '(attribute_not_exists(expiresAt) OR expiresAt > :now)';

const guardValues = (guard: ManagementGuard) => ({ ':expected': guard.expectedHash, ':now': guard.now });

/** SET for each given attribute, REMOVE for each absent one: the metadata is replaced whole. */
function replacement(metadata: ManagedMetadata) {
  const set: string[] = [];
  const remove: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  Object.entries(metadata).forEach(([attribute, value], index) => {
    names[`#m${index}`] = attribute;
    if (value === undefined) {
      remove.push(`#m${index}`);
    } else {
      set.push(`#m${index} = :m${index}`);
      values[`:m${index}`] = value;
    }
  });
  return { set, remove, names, values };
}

export class DynamoClientConfigurationStore extends DynamoClientStore implements ClientConfigurationStore {
  async updateManagedClient(
    clientId: string,
    change: ManagementGuard & { tokenHash: string; metadata?: ManagedMetadata },
  ): Promise<ClientRecord | undefined> {
    const { set, remove, names, values } = change.metadata
      ? replacement(change.metadata)
      : { set: [], remove: [], names: {}, values: {} };
    const update = [`SET ${['registrationTokenHash = :tokenHash', ...set].join(', ')}`];
    if (remove.length > 0) update.push(`REMOVE ${remove.join(', ')}`);
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.clients,
          Key: { clientId },
          UpdateExpression: update.join(' '),
          ConditionExpression: GUARD,
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: { ...values, ...guardValues(change), ':tokenHash': change.tokenHash },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes as ClientRecord;
    } catch (error) {
      if (conditionFailure(error)) return undefined;
      throw error;
    }
  }

  async deleteManagedClient(client: ClientRecord, guard: ManagementGuard): Promise<boolean> {
    const username = client.owner ? await this.usernameOf(client.owner) : undefined;
    if (!username) return this.deleteUncountedManaged(client.clientId, guard);
    try {
      // As the owner's delete: the client and its count on the owner's user item, together.
      await transactWriteWithRetries(this.db, [
        {
          Delete: {
            TableName: this.clients,
            Key: { clientId: client.clientId },
            ConditionExpression: GUARD,
            ExpressionAttributeValues: guardValues(guard),
          },
        },
        {
          Update: {
            TableName: this.users,
            Key: { username },
            UpdateExpression: 'SET clientCount = clientCount - :one',
            ConditionExpression: '#sub = :sub AND clientCount > :zero',
            ExpressionAttributeNames: { '#sub': 'sub' },
            ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':sub': client.owner },
          },
        },
      ]);
      return true;
    } catch (error) {
      const [deleted, counted] = cancellationReasons(error) ?? [];
      if (deleted?.Code === 'ConditionalCheckFailed') return false;
      // An owner whose clients are not counted (or whose user item changed hands): nothing to count off.
      if (counted?.Code === 'ConditionalCheckFailed')
        return this.deleteUncountedManaged(client.clientId, guard);
      throw error;
    }
  }

  private async deleteUncountedManaged(clientId: string, guard: ManagementGuard): Promise<boolean> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.clients,
          Key: { clientId },
          ConditionExpression: GUARD,
          ExpressionAttributeValues: guardValues(guard),
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailure(error)) return false;
      throw error;
    }
  }

  /** The username keying the owner's user item (which counts their clients), by the bySub index. */
  private async usernameOf(sub: string): Promise<string | undefined> {
    const found = await queryFirst(this.db, bySub(this.users, sub));
    return found?.username as string | undefined;
  }
}
