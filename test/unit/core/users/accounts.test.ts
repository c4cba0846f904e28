import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidRequest, InvalidToken, TooManyAttempts, UsernameTaken } from '#core/errors';
import { SESSION_TOKEN_TYPE } from '#core/tokens/jwt';
import { AccountDisabled, Accounts, InvalidCredentials } from '#core/users/accounts';
import { Sessions } from '#core/users/sessions';
import { MemoryAccountStore, secondFactorDependencies } from '../../../fakes/accounts.ts';
import { manualClock, memoryKeyRing } from '../../../fakes/keys.ts';
import { recordingEvents } from '../../../fakes/observability.ts';

const ISSUER = 'https://auth.example.com';
const LOCKOUT = { maxFailures: 3, windowSeconds: 600 };

async function setup() {
  const clock = manualClock();
  const store = new MemoryAccountStore();
  const { keyRing } = await memoryKeyRing(clock);
  const sessions = new Sessions({ store, keys: keyRing, issuer: ISSUER, clock });
  const { events, recorded } = recordingEvents();
  const accounts = new Accounts({
    ...secondFactorDependencies(store, clock),
    events,
    store,
    sessions,
    clock,
    scrypt: { logN: 10, r: 8, p: 1 },
    sessionTtlSeconds: 3600,
    lockout: LOCKOUT,
  });
  return { clock, store, sessions, accounts, events: recorded };
}

describe('registration', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    env = await setup();
  });

  it('normalises the username and stores only a scrypt hash with its parameters', async () => {
    await env.accounts.register('  Alice.Smith ', 'correct horse battery');
    const user = env.store.users.get('alice.smith');
    expect(user?.passwordHash).toMatch(/^scrypt\$10\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(JSON.stringify(user)).not.toContain('correct horse');
    expect(user?.online).toBe(false);
  });

  it.each([
    ['ab', 'too short'],
    ['a'.repeat(65), 'too long'],
    ['al ice', 'space'],
    ['-alice', 'leading punctuation'],
    ['alice@example', 'outside the alphabet'],
  ])('refuses the username %j (%s) before hashing', async (username) => {
    const createUser = vi.spyOn(env.store, 'createUser');
    await expect(env.accounts.register(username, 'long enough password')).rejects.toBeInstanceOf(
      InvalidRequest,
    );
    expect(createUser).not.toHaveBeenCalled();
  });

  it.each([
    ['1234567', 'seven characters'],
    ['x'.repeat(129), '129 characters'],
  ])('refuses the password %s (%s)', async (password) => {
    await expect(env.accounts.register('alice', password)).rejects.toBeInstanceOf(InvalidRequest);
  });

  it('counts password length in code points, not UTF-16 units', async () => {
    // Four emoji are eight UTF-16 units but only four characters.
    await expect(env.accounts.register('alice', '😀😀😀😀')).rejects.toBeInstanceOf(InvalidRequest);
    await expect(env.accounts.register('bob', '😀'.repeat(8))).resolves.toMatchObject({ username: 'bob' });
  });

  it('refuses a taken username, whatever its case', async () => {
    await env.accounts.register('alice', 'password one');
    await expect(env.accounts.register('ALICE', 'password two')).rejects.toBeInstanceOf(UsernameTaken);
  });
});

describe('login', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    env = await setup();
    await env.accounts.register('alice', 'correct horse battery');
  });

  it('issues a session token and marks the user online', async () => {
    env.clock.advance(10);
    const { token, session } = await env.accounts.login('Alice', 'correct horse battery');
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', typ: SESSION_TOKEN_TYPE });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: ISSUER, aud: ISSUER, sub: session.sub, jti: session.sessionId });
    expect(claims.exp).toBe(session.createdAt + 3600);
    expect(env.store.users.get('alice')).toMatchObject({ online: true, lastOperationAt: session.createdAt });
    await expect(env.sessions.authenticate(token)).resolves.toMatchObject({ sessionId: session.sessionId });
  });

  it('answers a wrong password and an unknown user with the same error', async () => {
    const wrong = await env.accounts.login('alice', 'wrong password').catch((error) => error);
    const unknown = await env.accounts.login('mallory', 'wrong password').catch((error) => error);
    expect(wrong).toBeInstanceOf(InvalidCredentials);
    expect(unknown).toBeInstanceOf(InvalidCredentials);
    expect(unknown.description).toBe(wrong.description);
  });

  it('locks after repeated failures, answers 429 with Retry-After even to the right password, and unlocks by itself', async () => {
    for (let i = 0; i < LOCKOUT.maxFailures; i++) {
      await expect(env.accounts.login('alice', 'wrong password')).rejects.toBeInstanceOf(InvalidCredentials);
    }
    const locked = await env.accounts.login('alice', 'correct horse battery').catch((error) => error);
    expect(locked).toBeInstanceOf(TooManyAttempts);
    expect(locked.headers['Retry-After']).toBe(String(LOCKOUT.windowSeconds));

    env.clock.advance(LOCKOUT.windowSeconds - 1);
    await expect(env.accounts.login('alice', 'correct horse battery')).rejects.toBeInstanceOf(
      TooManyAttempts,
    );
    env.clock.advance(1);
    await expect(env.accounts.login('alice', 'correct horse battery')).resolves.toHaveProperty('token');
    expect(env.store.attempts.has('alice')).toBe(false);
  });

  it('locks unknown usernames the same way', async () => {
    for (let i = 0; i < LOCKOUT.maxFailures; i++) {
      await expect(env.accounts.login('mallory', 'guess')).rejects.toBeInstanceOf(InvalidCredentials);
    }
    await expect(env.accounts.login('mallory', 'guess')).rejects.toBeInstanceOf(TooManyAttempts);
  });

  it('checks at most the limit of passwords when twenty guesses arrive at once, known name or not', async () => {
    for (const name of ['alice', 'mallory']) {
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () =>
          env.accounts.login(name, 'wrong password').then(
            () => 'signed in',
            (error: Error) => error.constructor.name,
          ),
        ),
      );
      expect(outcomes.filter((outcome) => outcome === 'InvalidCredentials')).toHaveLength(
        LOCKOUT.maxFailures,
      );
      expect(outcomes.filter((outcome) => outcome === 'TooManyAttempts')).toHaveLength(
        20 - LOCKOUT.maxFailures,
      );
    }
    await expect(env.accounts.login('alice', 'correct horse battery')).rejects.toBeInstanceOf(
      TooManyAttempts,
    );
  });

  it('counts a check before the password is verified, and releases it when the password is right', async () => {
    let countedBeforeVerifying: number | undefined;
    const admit = env.store.admitAttempt.bind(env.store);
    vi.spyOn(env.store, 'admitAttempt').mockImplementation(async (username, window) => {
      const admission = await admit(username, window);
      countedBeforeVerifying = env.store.attempts.get(username)?.failures;
      return admission;
    });
    await env.accounts.login('alice', 'correct horse battery');
    expect(countedBeforeVerifying).toBe(1);
    expect(env.store.attempts.has('alice')).toBe(false);
  });

  it('forgets failures once their window has passed', async () => {
    await env.accounts.login('alice', 'wrong').catch(() => {});
    await env.accounts.login('alice', 'wrong').catch(() => {});
    env.clock.advance(LOCKOUT.windowSeconds);
    await env.accounts.login('alice', 'wrong').catch(() => {});
    expect(env.store.attempts.get('alice')?.failures).toBe(1);
  });
});

describe('sign-in events and disabled accounts', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    env = await setup();
    await env.accounts.register('alice', 'correct horse battery');
  });

  it('reports each sign-in, each failure with its reason, and the lockout once, naming no password', async () => {
    const { session } = await env.accounts.login('alice', 'correct horse battery');
    for (let i = 0; i < LOCKOUT.maxFailures; i++) await env.accounts.login('Alice', 'wrong').catch(() => {});
    await env.accounts.login('alice', 'correct horse battery').catch(() => {});
    await env.accounts.login('no such name!', 'wrong').catch(() => {});

    const failed = { kind: 'sign_in_failed', username: 'alice', reason: 'invalid_credentials' };
    expect(env.events).toEqual([
      { kind: 'sign_in_succeeded', sub: session.sub, sessionId: session.sessionId },
      failed,
      failed,
      { ...failed },
      { kind: 'lockout', username: 'alice', until: env.clock() / 1000 + LOCKOUT.windowSeconds },
      { kind: 'sign_in_failed', username: 'alice', reason: 'locked' },
      { kind: 'sign_in_failed', username: undefined, reason: 'invalid_credentials' },
    ]);
    expect(JSON.stringify(env.events)).not.toContain('correct horse');
  });

  it('refuses a disabled user with the right password only, counting the check, and opens no session', async () => {
    const user = env.store.users.get('alice')!;
    env.store.users.set('alice', { ...user, disabledAt: 1 });

    await expect(env.accounts.login('alice', 'wrong password')).rejects.toBeInstanceOf(InvalidCredentials);
    const refused = await env.accounts.login('alice', 'correct horse battery').catch((error) => error);
    expect(refused).toBeInstanceOf(AccountDisabled);
    expect(refused).toMatchObject({ status: 403, code: 'account_disabled' });
    expect(env.store.sessions.size).toBe(0);
    expect(env.store.attempts.get('alice')?.failures).toBe(2);
    expect(env.events.at(-1)).toEqual({ kind: 'sign_in_failed', username: 'alice', reason: 'disabled' });
  });

  it('opens no session when the operator disabled the user between the read and the write', async () => {
    const findUser = env.store.findUser.bind(env.store);
    vi.spyOn(env.store, 'findUser').mockImplementation(async (username) => {
      const found = await findUser(username);
      env.store.users.set(username, { ...found!, disabledAt: 1 });
      return found;
    });
    await expect(env.accounts.login('alice', 'correct horse battery')).rejects.toBeInstanceOf(
      AccountDisabled,
    );
    expect(env.store.sessions.size).toBe(0);
  });
});

describe('sessions', () => {
  it('ends at logout, at expiry, and refuses tokens of another type', async () => {
    const env = await setup();
    await env.accounts.register('alice', 'correct horse battery');
    const first = await env.accounts.login('alice', 'correct horse battery');
    const second = await env.accounts.login('alice', 'correct horse battery');

    await env.sessions.logout(first.token);
    await expect(env.sessions.authenticate(first.token)).rejects.toBeInstanceOf(InvalidToken);
    await expect(env.sessions.logout(first.token)).rejects.toBeInstanceOf(InvalidToken);
    expect(env.store.users.get('alice')?.online).toBe(false);

    await expect(env.sessions.authenticate(second.token)).resolves.toBeDefined();
    env.clock.advance(3600 + 10);
    await expect(env.sessions.authenticate(second.token)).rejects.toBeInstanceOf(InvalidToken);
  });

  it('refuses a token whose session record is gone or whose signature is forged', async () => {
    const env = await setup();
    await env.accounts.register('alice', 'correct horse battery');
    const { token, session } = await env.accounts.login('alice', 'correct horse battery');
    const [header, payload] = token.split('.');
    await expect(env.sessions.authenticate(`${header}.${payload}.AAAA`)).rejects.toBeInstanceOf(InvalidToken);
    env.store.sessions.delete(session.sessionId);
    await expect(env.sessions.authenticate(token)).rejects.toBeInstanceOf(InvalidToken);
    await expect(env.sessions.authenticate(undefined)).rejects.toBeInstanceOf(InvalidToken);
  });
});
