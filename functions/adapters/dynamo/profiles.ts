/**
 * Users as OpenID Connect sees them: found by `sub` through the `bySub` index (which projects only the
 * profile, contract/tables.ts), and their profile changed by one conditional update.
 */
import { type DynamoDb, isConditionFailure } from '#adapters/aws/dynamodb';
import { tableName } from '#contract/tables';
import type { ClaimsSource, UserLookup } from '#core/oidc/claims';
import type { ProfileChanges, ProfileStore } from '#core/users/profile';
import type { UserRecord } from '#core/users/records';

export class DynamoProfileStore implements UserLookup, ProfileStore {
  private readonly users: string;

  constructor(
    private readonly db: DynamoDb,
    prefix: string,
  ) {
    this.users = tableName(prefix, 'users');
  }

  async findUserBySub(sub: string): Promise<ClaimsSource | undefined> {
    // An index read is eventually consistent: a profile changed a moment ago may show its old value.
    const [item] = await this.db.query(this.users, {
      IndexName: 'bySub',
      KeyConditionExpression: '#sub = :sub',
      ExpressionAttributeNames: { '#sub': 'sub' },
      ExpressionAttributeValues: { ':sub': sub },
      Limit: 1,
    });
    return item as ClaimsSource | undefined;
  }

  async findUser(username: string): Promise<UserRecord | undefined> {
    return (await this.db.get(this.users, { username }, { consistent: true })) as UserRecord | undefined;
  }

  async updateProfile(
    username: string,
    changes: ProfileChanges,
    nowSeconds: number,
  ): Promise<UserRecord | undefined> {
    const set = ['updatedAt = :now'];
    const remove: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':now': nowSeconds };
    for (const [field, value] of Object.entries(changes)) {
      // `name` is a DynamoDB reserved word, hence the placeholders.
      names[`#${field}`] = field;
      if (value === null || value === undefined) remove.push(`#${field}`);
      else {
        set.push(`#${field} = :${field}`);
        values[`:${field}`] = value;
      }
    }
    const expression = `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`;
    try {
      return (await this.db.update(this.users, { username }, expression, {
        ConditionExpression: 'attribute_exists(username)',
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
      })) as unknown as UserRecord;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }
}
