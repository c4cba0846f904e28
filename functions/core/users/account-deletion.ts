/**
 * Deleting a user, the one rule for it (the admin tool today; issue 15's self-service deletion is meant
 * to call the same). The order makes every step safe to repeat and leaves no usable token behind:
 *
 * 1. disable the user, so that no sign-in opens a session during the rest;
 * 2. end every session of theirs, which ends every token issued to them (user-administration.ts);
 * 3. delete the clients they own, with the grants issued to them (ClientRegistry.remove);
 * 4. delete their consents;
 * 5. delete the user item itself, last, so that a failure before it leaves a disabled user to retry on.
 */

import type { ClientRegistry } from '#core/clients/registry';
import { type Clock, epochSeconds } from '#core/clock';
import type { UserAdministration, UserReference } from './user-administration.ts';

export interface AccountDeletionStore {
  /** Deletes every consent the user gave; how many. */
  deleteConsentsOf(sub: string): Promise<number>;
  /** Deletes the user item if it still belongs to `sub`. */
  deleteUser(username: string, sub: string): Promise<void>;
}

export interface AccountDeletionDependencies {
  users: UserAdministration;
  registry: ClientRegistry;
  store: AccountDeletionStore;
  clock: Clock;
}

export interface DeletedAccount {
  sessionsEnded: number;
  clientsDeleted: number;
  consentsDeleted: number;
}

export class AccountDeletion {
  constructor(private readonly deps: AccountDeletionDependencies) {}

  /** Deletes the user and everything that is theirs; `by` is who asked (an operator's identity). */
  delete(by: string, reference: UserReference): Promise<DeletedAccount> {
    const { users, registry, store, clock } = this.deps;
    return users.audited(by, 'user.delete', reference, async (user) => {
      const { sessionsEnded } = await users.disable(by, { username: user.username });
      let clientsDeleted = 0;
      for (const client of await registry.list(user.sub)) {
        await registry.remove({ sub: user.sub, username: user.username }, client.clientId);
        clientsDeleted++;
      }
      const consentsDeleted = await store.deleteConsentsOf(user.sub);
      await store.deleteUser(user.username, user.sub);
      // Anything opened between the disable and now (nothing should be) ends with the user.
      await users.endSessionsOf(user, epochSeconds(clock));
      return { sessionsEnded, clientsDeleted, consentsDeleted };
    });
  }
}
