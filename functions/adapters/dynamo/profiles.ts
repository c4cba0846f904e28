/**
 * Users as OpenID Connect sees them: found by `sub` through the `bySub` index (which projects only the
 * profile, contract/tables.ts), and their profile changed by one conditional update.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionFailure, type DynamoDb } from '#adapters/aws/dynamodb';
import { tableName } from '#contract/tables';
import type { ClaimsSource, UserLookup } from '#core/oidc/claims';
import type { ProfileChanges, ProfileStore } from '#core/users/profile';
import type { UserRecord } from '#core/users/records';
import { bySub, queryFirst } from './requests.ts';

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
    return (await queryFirst(this.db, bySub(this.users, sub))) as ClaimsSource | undefined;
  }

  async findUser(username: string): Promise<UserRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.users, Key: { username }, ConsistentRead: true }),
    );
    return Item as UserRecord | undefined;
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
    // A changed address is unverified until a link mailed to it is followed.
    if ('email' in changes) remove.push('emailVerified');
    const expression = `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`;
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.users,
          Key: { username },
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(username)',
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes as UserRecord;
    } catch (error) {
      if (conditionFailure(error)) return undefined;
      throw error;
    }
  }
}
