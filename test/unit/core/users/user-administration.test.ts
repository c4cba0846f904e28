/** The operator's user actions (core/users/user-administration.ts) over a store whose index lags. */
import { describe, expect, it } from 'vitest';
import { NotFound } from '#core/errors';
import type { AccountSessionStore } from '#core/users/account-sessions';
import type { UserRecord } from '#core/users/records';
import { UserAdministration, type UserAdministrationStore } from '#core/users/user-administration';
import { manualClock } from '../../../fakes/keys.ts';
import { recordingEvents } from '../../../fakes/observability.ts';

const ALICE: UserRecord = {
  username: 'alice',
  sub: '5a3c1b8e-2f44-4d1e-9d61-0b7c7a1e9f00',
  passwordHash: 'scrypt$17$8$1$salt$hash',
  online: true,
  createdAt: 1,
  lastOperationAt: 2,
};

/** Sessions by id, live unless revoked; the index shows only `indexed` of them (it lags). */
function store(indexed: string[], sessions: string[]) {
  const users = new Map([[ALICE.username, { ...ALICE, lastSessionId: sessions.at(-1) }]]);
  const revoked = new Set<string>();
  const port: UserAdministrationStore = {
    findUser: async (username) => users.get(username),
    findUserBySub: async (sub) => [...users.values()].find((user) => user.sub === sub),
    setDisabled: async (username, disabledAt) => {
      const user = users.get(username);
      if (!user) return 'absent';
      const { disabledAt: _, ...rest } = user;
      users.set(username, disabledAt === undefined ? rest : { ...rest, disabledAt });
      return user.lastSessionId ? { lastSessionId: user.lastSessionId } : {};
    },
  };
  const listed: AccountSessionStore = {
    listSessions: async (sub) =>
      indexed.map((sessionId) => ({
        sessionId,
        sub,
        createdAt: 1,
        expiresAt: 2_000_000_000,
        ...(revoked.has(sessionId) ? { revokedAt: 3 } : {}),
      })),
    revokeSession: async (id, sub) => {
      if (!sessions.includes(id) || revoked.has(id) || sub !== ALICE.sub) return false;
      revoked.add(id);
      return true;
    },
  };
  return { port, listed, users, revoked };
}

function administration(indexed: string[], sessions: string[]) {
  const fake = store(indexed, sessions);
  const { events, recorded } = recordingEvents();
  const users = new UserAdministration({
    store: fake.port,
    sessions: fake.listed,
    clock: manualClock(1_800_000_000_000),
    events,
  });
  return { ...fake, users, recorded };
}

describe('disabling a user', () => {
  it('ends the newest session too when the index does not show it yet', async () => {
    const env = administration(['s-1'], ['s-1', 's-2']);
    expect(await env.users.disable('op', { sub: ALICE.sub })).toEqual({ sessionsEnded: 2 });
    expect([...env.revoked].sort()).toEqual(['s-1', 's-2']);
    expect((await env.users.find({ username: 'alice' })).disabledAt).toBe(1_800_000_000);
  });

  it('counts each session once and audits who did it', async () => {
    const env = administration(['s-1', 's-2'], ['s-1', 's-2']);
    expect(await env.users.disable('op', { username: 'alice' })).toEqual({ sessionsEnded: 2 });
    expect(env.recorded).toEqual([
      {
        kind: 'admin',
        action: 'user.disable',
        operator: 'op',
        target: { user: ALICE.sub, username: 'alice' },
        outcome: 'succeeded',
        detail: { sessionsEnded: 2 },
      },
    ]);
  });

  it('never shows the password hash, and fails audited for an unknown user', async () => {
    const env = administration([], []);
    expect(await env.users.find({ sub: ALICE.sub })).not.toHaveProperty('passwordHash');
    await expect(env.users.enable('op', { username: 'bob' })).rejects.toBeInstanceOf(NotFound);
    expect(env.recorded).toEqual([
      expect.objectContaining({ action: 'user.enable', outcome: 'failed', target: { username: 'bob' } }),
    ]);
  });
});
