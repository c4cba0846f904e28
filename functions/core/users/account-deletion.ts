/**
 * Deleting an account, and everything that hangs off it: the one service for it. The user deletes their
 * own (`deleteOwnAccount`, after a password re-check: the account page and the JSON API; or after a
 * passkey's, on the account page); an operator
 * deletes anyone's (`delete`, the admin tool). Both are audited and both run `erase`.
 *
 * The order makes every step safe to repeat and leaves no usable token behind:
 * 1. disable the user, so that no sign-in opens a session during the rest;
 * 2. end every session of theirs, which ends every token issued to them (user-administration.ts);
 * 3. delete the clients they own, with the grants issued to them (ClientRegistry.remove);
 * 4. delete the user's remaining grants, their consents and their passkeys;
 * 5. delete the user item (password hash, TOTP secret, recovery codes) last, so that a failure before it
 *    leaves a disabled user that running the deletion again finishes.
 */
import { type Clock, epochSeconds } from '#core/clock';
import type { Accounts } from './accounts.ts';
import type { UserRecord } from './records.ts';
import type { UserAdministration, UserReference } from './user-administration.ts';

export interface AccountErasureStore {
  /** Deletes every grant of this user (the grants' `bySub` index); how many. */
  deleteGrantsOf(sub: string): Promise<number>;
  /** Deletes every consent the user gave; how many. */
  deleteConsentsOf(sub: string): Promise<number>;
  /** Deletes every passkey of the user (the passkeys' `bySub` index); how many. */
  deletePasskeysOf(sub: string): Promise<number>;
  /** Deletes the user item if it still belongs to `sub`. */
  deleteUser(username: string, sub: string): Promise<void>;
}

/** What deletion needs of the client registry: the user's clients, and deleting one with its grants. */
export interface OwnedClients {
  list(owner: string): Promise<{ clientId: string }[]>;
  remove(owner: { sub: string; username: string }, clientId: string): Promise<unknown>;
}

export interface AccountDeletionDependencies {
  users: UserAdministration;
  clients: OwnedClients;
  store: AccountErasureStore;
  accounts: Accounts;
  clock: Clock;
}

// A type, not an interface: the audit line records it as a plain record.
export type DeletedAccount = {
  sessionsEnded: number;
  clientsDeleted: number;
  grantsDeleted: number;
  consentsDeleted: number;
  passkeysDeleted: number;
};

export class AccountDeletion {
  constructor(private readonly deps: AccountDeletionDependencies) {}

  /** The user deletes their own account: the password is checked again first (and counted). */
  deleteOwnAccount(username: string, password: string): Promise<{ sub: string }> {
    return this.deleteOwnAccountRechecked(() => this.deps.accounts.checkPassword(username, password));
  }

  /** The same after another re-check that yields the user or throws (one of their passkeys). */
  async deleteOwnAccountRechecked(recheck: () => Promise<UserRecord>): Promise<{ sub: string }> {
    const user = await recheck();
    await this.delete(`user:${user.sub}`, { username: user.username });
    return { sub: user.sub };
  }

  /** Deletes the user and everything that is theirs; `by` is who asked (an operator, or the user). */
  delete(by: string, reference: UserReference): Promise<DeletedAccount> {
    const { users } = this.deps;
    return users.audited(by, 'user.delete', reference, (user) => this.erase(by, user));
  }

  private async erase(by: string, user: UserRecord): Promise<DeletedAccount> {
    const { users, clients, store, clock } = this.deps;
    const owner = { sub: user.sub, username: user.username };
    const { sessionsEnded } = await users.disable(by, { username: user.username });
    let clientsDeleted = 0;
    for (const client of await clients.list(user.sub)) {
      await clients.remove(owner, client.clientId).then(
        () => clientsDeleted++,
        (error: unknown) => {
          // Deleted meanwhile (another erasure, the user in another tab): what we wanted.
          if ((error as { code?: string }).code !== 'not_found') throw error;
        },
      );
    }
    const grantsDeleted = await store.deleteGrantsOf(user.sub);
    const consentsDeleted = await store.deleteConsentsOf(user.sub);
    const passkeysDeleted = await store.deletePasskeysOf(user.sub);
    await store.deleteUser(user.username, user.sub);
    // Anything opened between the disable and now (nothing should be) ends with the user.
    await users.endSessionsOf(user, epochSeconds(clock));
    return { sessionsEnded, clientsDeleted, grantsDeleted, consentsDeleted, passkeysDeleted };
  }
}
