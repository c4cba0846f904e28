/**
 * Rate limits on what costs someone else something (a mail in their inbox, a reset link): per account
 * and per source address, each a counter in a window kept in DynamoDB (never in memory, which a Lambda
 * function has one of per execution environment). A source address is named by its hash; an account by
 * its username, which is known to exist wherever it is counted.
 */
import { type Clock, epochSeconds } from '#core/clock';
import { TooManyAttempts } from '#core/errors';
import { sha256 } from '#core/secrets';

export interface RateLimitStore {
  /**
   * Counts one event in `bucket`'s window (opening one when none is open) unless `max` are already
   * counted: one conditional write. Refused: when the window ends.
   */
  hit(
    bucket: string,
    window: { nowSeconds: number; windowSeconds: number; max: number },
  ): Promise<{ allowed: true } | { allowed: false; until: number }>;
}

export interface RateLimit {
  max: number;
  windowSeconds: number;
}

/** What each action allows, per account and per source address. */
export const RATE_LIMITS = {
  /** Reset mails: a few per account per hour; an office behind one address gets more. */
  passwordReset: { account: { max: 3, windowSeconds: 3600 }, address: { max: 20, windowSeconds: 3600 } },
  /** Verification mails (sign-up, address change, "send again"). */
  verificationMail: { account: { max: 5, windowSeconds: 3600 }, address: { max: 20, windowSeconds: 3600 } },
} as const satisfies Record<string, { account: RateLimit; address: RateLimit }>;

export type RateLimitedAction = keyof typeof RATE_LIMITS;

export class RateLimiter {
  constructor(private readonly deps: { store: RateLimitStore; clock: Clock }) {}

  /** Counts the action for a source address; TooManyAttempts once its budget is spent. */
  async admitAddress(action: RateLimitedAction, address: string | undefined): Promise<void> {
    if (!address) return;
    const result = await this.hit(`${action}:address:${sha256(address)}`, RATE_LIMITS[action].address);
    if (!result.allowed) throw new TooManyAttempts('Too many requests. Try again later.', result.retryAfter);
  }

  /**
   * Counts the action for an account; TooManyAttempts once its budget is spent. Only where the caller
   * already knows the account exists (a signed-in user): elsewhere use `accountAllows`.
   */
  async admitAccount(action: RateLimitedAction, username: string): Promise<void> {
    const result = await this.hit(`${action}:account:${username}`, RATE_LIMITS[action].account);
    if (!result.allowed) throw new TooManyAttempts('Too many requests. Try again later.', result.retryAfter);
  }

  /**
   * Counts the action for an account and says whether it may go ahead, for callers whose answer must
   * not change with it (a reset requested by someone who may not own the account: the mail is simply
   * not sent again, and the answer stays the one every request gets).
   */
  async accountAllows(action: RateLimitedAction, username: string): Promise<boolean> {
    return (await this.hit(`${action}:account:${username}`, RATE_LIMITS[action].account)).allowed;
  }

  private async hit(bucket: string, limit: RateLimit) {
    const nowSeconds = epochSeconds(this.deps.clock);
    const result = await this.deps.store.hit(bucket, { nowSeconds, ...limit });
    return result.allowed
      ? { allowed: true as const }
      : { allowed: false as const, retryAfter: Math.max(1, result.until - nowSeconds) };
  }
}
