/**
 * What an operator does to a user (the admin tool, infra/admin): find them, disable or enable them, end
 * their sessions. Every token of a user hangs off one of their login sessions (a code's grant names the
 * session it was approved from; liveness checks it on every access token, and the code and refresh
 * transactions require it live), so ending the sessions ends every token at once, with no extra read on
 * any request path. Disabling also keeps them from opening a new one (`AccountStore.openSession`).
 */
import { type Clock, epochSeconds } from '#core/clock';
import { NotFound } from '#core/errors';
import { isLive } from '#core/expiry';
import type { AdminAction, SecurityEvents } from '#core/observability';
import type { AccountSessionStore } from './account-sessions.ts';
import type { UserRecord } from './records.ts';

/** A user named by `sub` (what log lines and tokens carry) or by username (what they sign in with). */
export type UserReference = { sub: string } | { username: string };

export interface UserAdministrationStore {
  findUser(username: string): Promise<UserRecord | undefined>;
  /** By the users table's `bySub` index: a query, never a scan. */
  findUserBySub(sub: string): Promise<UserRecord | undefined>;
  /**
   * Sets (a time) or removes (`undefined`) the user's `disabledAt`; the user's `lastSessionId` as the
   * write left it, or `absent` when there is no such user.
   */
  setDisabled(
    username: string,
    disabledAt: number | undefined,
  ): Promise<{ lastSessionId?: string } | 'absent'>;
}

/** A user as an operator sees them: never the password hash. */
export type UserView = Omit<UserRecord, 'passwordHash'>;

export interface UserAdministrationDependencies {
  store: UserAdministrationStore;
  /** The user's sessions, listed and ended as their own account page does (account-sessions.ts). */
  sessions: AccountSessionStore;
  clock: Clock;
  events: SecurityEvents;
}

export class UserAdministration {
  constructor(private readonly deps: UserAdministrationDependencies) {}

  async find(reference: UserReference): Promise<UserView> {
    const { passwordHash: _, ...view } = await this.user(reference);
    return view;
  }

  /** The user can no longer sign in, and every session (so every token) of theirs ends now. */
  async disable(operator: string, reference: UserReference): Promise<{ sessionsEnded: number }> {
    return this.audited(operator, 'user.disable', reference, async (user) => {
      const now = epochSeconds(this.deps.clock);
      const written = await this.deps.store.setDisabled(user.username, now);
      if (written === 'absent') throw new NotFound('No such user.');
      return { sessionsEnded: await this.endSessionsOf(user, now, written.lastSessionId) };
    });
  }

  /** The user may sign in again; the sessions ended by disabling stay ended. */
  async enable(operator: string, reference: UserReference): Promise<Record<string, never>> {
    return this.audited(operator, 'user.enable', reference, async (user) => {
      if ((await this.deps.store.setDisabled(user.username, undefined)) === 'absent') {
        throw new NotFound('No such user.');
      }
      return {};
    });
  }

  /** Signs the user out everywhere: every session and every token of theirs ends; they may sign in again. */
  async endSessions(operator: string, reference: UserReference): Promise<{ sessionsEnded: number }> {
    return this.audited(operator, 'user.end_sessions', reference, async (user) => ({
      sessionsEnded: await this.endSessionsOf(user, epochSeconds(this.deps.clock), user.lastSessionId),
    }));
  }

  /**
   * Ends every live session of the user. The index is eventually consistent, so the newest session,
   * which it may not show yet, is also ended by the id the user's own item names.
   */
  async endSessionsOf(user: UserRecord, nowSeconds: number, lastSessionId?: string): Promise<number> {
    const listed = await this.deps.sessions.listSessions(user.sub);
    const ids = new Set(listed.filter((session) => isLive(session, nowSeconds)).map((s) => s.sessionId));
    if (lastSessionId) ids.add(lastSessionId);
    let ended = 0;
    for (const id of ids) if (await this.deps.sessions.revokeSession(id, user.sub, nowSeconds)) ended++;
    return ended;
  }

  async user(reference: UserReference): Promise<UserRecord> {
    const user =
      'sub' in reference
        ? await this.deps.store.findUserBySub(reference.sub)
        : await this.deps.store.findUser(reference.username);
    if (!user) throw new NotFound('No such user.');
    return user;
  }

  /** Runs an operator's action on a user, and writes its audit line whichever way it ends. */
  async audited<T extends Record<string, unknown>>(
    operator: string,
    action: string,
    reference: UserReference,
    run: (user: UserRecord) => Promise<T>,
  ): Promise<T> {
    const report = (outcome: AdminAction['outcome'], target: Record<string, string>, detail?: object) =>
      this.deps.events.record({
        kind: 'admin',
        action,
        operator,
        target,
        outcome,
        ...(detail ? { detail: { ...detail } } : {}),
      });
    let target: Record<string, string> =
      'sub' in reference ? { user: reference.sub } : { username: reference.username };
    try {
      const user = await this.user(reference);
      target = { user: user.sub, username: user.username };
      const result = await run(user);
      report('succeeded', target, result);
      return result;
    } catch (error) {
      report('failed', target, { error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }
}
