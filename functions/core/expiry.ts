/**
 * Expiry as tinyoauth checks it: by comparing `expiresAt` with the clock on every read, never by trusting
 * DynamoDB's TTL, which may delete an item up to two days late.
 */

/** True while an expiring item is still in force at `nowSeconds`. */
export const isLive = (
  item: { expiresAt: number; revokedAt?: number } | undefined,
  nowSeconds: number,
): boolean => item !== undefined && item.revokedAt === undefined && item.expiresAt > nowSeconds;
