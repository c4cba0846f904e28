/**
 * Deleting an account, and everything that hangs off it. The one service for it: the account page and
 * the JSON API call `deleteOwnAccount` (after a password re-check); an administrator's tool calls `erase`.
 *
 * Order matters. The sessions go first: every grant made from them, and every token of those grants,
 * dies at once (core/oauth/liveness.ts). Then the clients the user owns (each with its grants), the
 * user's remaining grants and consents, and the user item last (which holds the password hash,
 * the TOTP secret and the recovery codes). Each step can be repeated, so an erasure interrupted half-way
 * is finished by running it again: the user item, which `erase` starts from, is the last thing to go.
 */
import type { AccountSessions } from './account-sessions.ts';
import type { Accounts } from './accounts.ts';
import type { UserRecord } from './records.ts';

export interface AccountErasureStore {
  /** Deletes every grant of this user (the `bySub` index); how many. */
  deleteGrantsOf(sub: string): Promise<number>;
  deleteConsentsOf(sub: string): Promise<void>;
  /** Deletes the user item if it is still this `sub`'s. */
  deleteUser(username: string, sub: string): Promise<void>;
}

/** What deletion needs of the client registry: the user's clients, and deleting one with its grants. */
export interface OwnedClients {
  list(owner: string): Promise<{ clientId: string }[]>;
  remove(owner: { sub: string; username: string }, clientId: string): Promise<unknown>;
}

export interface AccountDeletionDependencies {
  store: AccountErasureStore;
  sessions: AccountSessions;
  clients: OwnedClients;
  accounts: Accounts;
}

export class AccountDeletion {
  constructor(private readonly deps: AccountDeletionDependencies) {}

  /** The user deletes their own account: the password is checked again first (and counted). */
  async deleteOwnAccount(username: string, password: string): Promise<{ sub: string }> {
    const user = await this.deps.accounts.checkPassword(username, password);
    await this.erase(user);
    return { sub: user.sub };
  }

  /** Deletes the user and everything of theirs, without asking: the caller has decided. */
  async erase(user: Pick<UserRecord, 'username' | 'sub'>): Promise<void> {
    const owner = { sub: user.sub, username: user.username };
    await this.deps.sessions.endAll(user.sub);
    for (const client of await this.deps.clients.list(user.sub)) {
      await this.deps.clients.remove(owner, client.clientId).catch((error: unknown) => {
        // Deleted meanwhile (another erasure, the user in another tab): what we wanted.
        if ((error as { code?: string }).code !== 'not_found') throw error;
      });
    }
    await this.deps.store.deleteGrantsOf(user.sub);
    await this.deps.store.deleteConsentsOf(user.sub);
    await this.deps.store.deleteUser(user.username, user.sub);
  }
}
