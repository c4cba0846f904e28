/**
 * A user's own sessions: listed on the account page, ended one by one, or all at once (a password reset
 * or change, account deletion). Ending a session ends every grant made from it and every token of those
 * grants (core/oauth/liveness.ts), so this is also how a user cuts off every app at once.
 */
import { type Clock, epochSeconds } from '#core/clock';
import { NotFound } from '#core/errors';
import { isLive } from '#core/expiry';
import type { SessionRecord } from './records.ts';

/** A session as listed: what the sessions index holds. */
export type SessionSummary = Pick<
  SessionRecord,
  'sessionId' | 'sub' | 'createdAt' | 'expiresAt' | 'revokedAt' | 'amr'
>;

const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface AccountSessionStore {
  /** The user's sessions (live or not) from the `bySub` index: eventually consistent. */
  listSessions(sub: string): Promise<SessionSummary[]>;
  /** Revokes a session of this `sub` that is not revoked yet; false when there was none. */
  revokeSession(sessionId: string, sub: string, nowSeconds: number): Promise<boolean>;
}

export class AccountSessions {
  constructor(private readonly deps: { store: AccountSessionStore; clock: Clock }) {}

  /** The live sessions, newest first. */
  async list(sub: string): Promise<SessionSummary[]> {
    const now = epochSeconds(this.deps.clock);
    const sessions = await this.deps.store.listSessions(sub);
    return sessions.filter((session) => isLive(session, now)).sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Ends one of the user's sessions; `not_found` for a session that is not theirs or already ended. */
  async end(sub: string, sessionId: string): Promise<void> {
    // Session ids are UUIDs: anything else names none (and would be no valid key to DynamoDB).
    if (!SESSION_ID.test(sessionId)) throw new NotFound('No such session.');
    const ended = await this.deps.store.revokeSession(sessionId, sub, epochSeconds(this.deps.clock));
    if (!ended) throw new NotFound('No such session.');
  }

  /** Ends every live session of the user but `except` (the one the user is using). */
  async endAll(sub: string, options: { except?: string } = {}): Promise<number> {
    const now = epochSeconds(this.deps.clock);
    const sessions = (await this.deps.store.listSessions(sub)).filter(
      (session) => isLive(session, now) && session.sessionId !== options.except,
    );
    await Promise.all(sessions.map((session) => this.deps.store.revokeSession(session.sessionId, sub, now)));
    return sessions.length;
  }
}
