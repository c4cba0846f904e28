/**
 * Rate-limit counters in DynamoDB: one item per bucket, counted by one conditional UpdateItem (the
 * login counter's pattern, accounts.ts): a window is opened by the first event, counted into while it
 * is open and not full, and restarted once it has ended (TTL only tidies up).
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionFailure, type DynamoDb } from '#adapters/aws/dynamodb';
import { tableName } from '#contract/tables';
import type { RateLimitStore } from '#core/users/rate-limits';

export class DynamoRateLimitStore implements RateLimitStore {
  private readonly limits: string;

  constructor(
    private readonly db: DynamoDb,
    prefix: string,
  ) {
    this.limits = tableName(prefix, 'rateLimits');
  }

  async hit(bucket: string, { nowSeconds, windowSeconds, max }: Parameters<RateLimitStore['hit']>[1]) {
    const end = nowSeconds + windowSeconds;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.limits,
            Key: { bucketId: bucket },
            UpdateExpression:
              'SET #hits = if_not_exists(#hits, :zero) + :one, expiresAt = if_not_exists(expiresAt, :end)',
            ConditionExpression: 'attribute_not_exists(bucketId) OR (expiresAt > :now AND #hits < :max)',
            ExpressionAttributeNames: { '#hits': 'hits' },
            ExpressionAttributeValues: {
              ':zero': 0,
              ':one': 1,
              ':end': end,
              ':now': nowSeconds,
              ':max': max,
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { allowed: true as const };
      } catch (error) {
        const failed = conditionFailure(error);
        if (!failed) throw error;
        const until = failed.item?.expiresAt;
        if (typeof until === 'number' && until > nowSeconds) return { allowed: false as const, until };
      }
      try {
        // The window has ended (TTL has not removed it yet): this event starts the next one.
        await this.db.send(
          new UpdateCommand({
            TableName: this.limits,
            Key: { bucketId: bucket },
            UpdateExpression: 'SET #hits = :one, expiresAt = :end',
            ExpressionAttributeNames: { '#hits': 'hits' },
            ConditionExpression: 'expiresAt <= :now',
            ExpressionAttributeValues: { ':one': 1, ':end': end, ':now': nowSeconds },
          }),
        );
        return { allowed: true as const };
      } catch (error) {
        if (!conditionFailure(error)) throw error;
      }
    }
    throw new Error('Could not count a rate-limited event after three tries');
  }
}
