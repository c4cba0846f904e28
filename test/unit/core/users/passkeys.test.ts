import { beforeEach, describe, expect, it } from 'vitest';
import { simpleWebAuthn } from '#adapters/webauthn/ceremonies';
import { InvalidRequest, TooManyAttempts } from '#core/errors';
import {
  AccountDisabled,
  Accounts,
  InvalidCredentials,
  MfaRequired,
  SignInExpired,
} from '#core/users/accounts';
import { Passkeys, relyingParty } from '#core/users/passkeys';
import { Sessions } from '#core/users/sessions';
import { MemoryAccountStore, secondFactorDependencies } from '../../../fakes/accounts.ts';
import { SoftwareAuthenticator } from '../../../fakes/authenticator.ts';
import { manualClock, memoryKeyRing } from '../../../fakes/keys.ts';
import { MemoryPasskeyStore } from '../../../fakes/passkeys.ts';

const ISSUER = 'https://auth.example.com';
const LOCKOUT = { maxFailures: 3, windowSeconds: 600 };

async function setup() {
  const clock = manualClock();
  const store = new MemoryAccountStore();
  const { keyRing } = await memoryKeyRing(clock);
  const sessions = new Sessions({ store, keys: keyRing, issuer: ISSUER, clock });
  const { tokens } = secondFactorDependencies(store, clock);
  const accounts = new Accounts({
    ...secondFactorDependencies(store, clock),
    store,
    sessions,
    clock,
    scrypt: { logN: 10, r: 8, p: 1 },
    sessionTtlSeconds: 3600,
    lockout: LOCKOUT,
  });
  const passkeyStore = new MemoryPasskeyStore();
  const passkeys = new Passkeys({
    store: passkeyStore,
    ceremonies: simpleWebAuthn,
    tokens,
    accounts,
    clock,
    rp: relyingParty(ISSUER),
  });
  const { username, sub } = await accounts.register('alice', 'correct horse battery');
  return { clock, store, accounts, passkeys, passkeyStore, user: { username, sub } };
}

type Env = Awaited<ReturnType<typeof setup>>;

async function registered(env: Env, traits: { synced?: boolean; counting?: boolean } = {}) {
  const authenticator = new SoftwareAuthenticator(ISSUER, traits);
  const options = await env.passkeys.registrationOptions(env.user);
  await env.passkeys.register(env.user, { name: 'My phone', response: authenticator.register(options) });
  return authenticator;
}

describe('passkey registration', () => {
  let env: Env;
  beforeEach(async () => {
    env = await setup();
  });

  it('asks for a discoverable credential of the issuer host, named by sub, and stores it named', async () => {
    const options = (await env.passkeys.registrationOptions(env.user)) as {
      rp: { id: string };
      user: { id: string };
      authenticatorSelection: { residentKey: string };
    };
    expect(options.rp.id).toBe('auth.example.com');
    expect(options.authenticatorSelection.residentKey).toBe('required');
    expect(Buffer.from(options.user.id, 'base64url').toString()).toBe(env.user.sub);
    const authenticator = new SoftwareAuthenticator(ISSUER);
    await env.passkeys.register(env.user, { name: ' My phone ', response: authenticator.register(options) });
    const [stored] = await env.passkeys.list(env.user.sub);
    expect(stored).toMatchObject({ name: 'My phone', credentialId: authenticator.credentialId, kind: 'hwk' });
  });

  it('reports a synced (backup-eligible) passkey as swk', async () => {
    await registered(env, { synced: true });
    expect((await env.passkeys.list(env.user.sub))[0]?.kind).toBe('swk');
  });

  it('refuses a replayed registration response: its challenge is consumed', async () => {
    const authenticator = new SoftwareAuthenticator(ISSUER);
    const response = authenticator.register(await env.passkeys.registrationOptions(env.user));
    await env.passkeys.register(env.user, { name: 'one', response });
    env.passkeyStore.passkeys.clear();
    await expect(env.passkeys.register(env.user, { name: 'two', response })).rejects.toThrow(
      'The passkey could not be registered. Try again.',
    );
  });

  it('refuses a response from another origin, and a challenge issued to another user', async () => {
    const options = await env.passkeys.registrationOptions(env.user);
    const elsewhere = new SoftwareAuthenticator('https://evil.example.com').register(options);
    await expect(env.passkeys.register(env.user, { name: 'x', response: elsewhere })).rejects.toBeInstanceOf(
      InvalidRequest,
    );
    const mallory = { username: 'mallory', sub: 'another-sub' };
    const response = new SoftwareAuthenticator(ISSUER).register(
      await env.passkeys.registrationOptions(env.user),
    );
    await expect(env.passkeys.register(mallory, { name: 'x', response })).rejects.toBeInstanceOf(
      InvalidRequest,
    );
  });

  it('refuses an empty name or one with control characters, before any challenge is consumed', async () => {
    const response = new SoftwareAuthenticator(ISSUER).register(
      await env.passkeys.registrationOptions(env.user),
    );
    await expect(env.passkeys.register(env.user, { name: '  ', response })).rejects.toBeInstanceOf(
      InvalidRequest,
    );
    await expect(env.passkeys.register(env.user, { name: 'a\u202eb', response })).rejects.toBeInstanceOf(
      InvalidRequest,
    );
    await env.passkeys.register(env.user, { name: 'ok', response });
  });

  it('removes a passkey only for its owner', async () => {
    const authenticator = await registered(env);
    await expect(env.passkeys.remove('another-sub', authenticator.credentialId)).rejects.toBeInstanceOf(
      InvalidRequest,
    );
    await env.passkeys.remove(env.user.sub, authenticator.credentialId);
    expect(await env.passkeys.list(env.user.sub)).toEqual([]);
  });
});

describe('passkey sign-in', () => {
  let env: Env;
  beforeEach(async () => {
    env = await setup();
  });

  it('opens a session with amr hwk for a device-bound passkey, and clears the lockout', async () => {
    const authenticator = await registered(env);
    const { session } = await env.passkeys.signIn(
      authenticator.authenticate(await env.passkeys.signInOptions()),
    );
    expect(session).toMatchObject({ username: 'alice', sub: env.user.sub, amr: ['hwk'] });
    expect(env.store.attempts.has('alice')).toBe(false);
  });

  it('reports swk for a synced passkey', async () => {
    const authenticator = await registered(env, { synced: true });
    const { session } = await env.passkeys.signIn(
      authenticator.authenticate(await env.passkeys.signInOptions()),
    );
    expect(session.amr).toEqual(['swk']);
  });

  it('refuses a replayed assertion: its challenge was consumed by the first', async () => {
    const authenticator = await registered(env);
    const response = authenticator.authenticate(await env.passkeys.signInOptions());
    await env.passkeys.signIn(response);
    await expect(env.passkeys.signIn(response)).rejects.toBeInstanceOf(InvalidCredentials);
  });

  it('refuses an expired challenge', async () => {
    const authenticator = await registered(env);
    const options = await env.passkeys.signInOptions();
    env.clock.advance(5 * 60 + 1);
    await expect(env.passkeys.signIn(authenticator.authenticate(options))).rejects.toBeInstanceOf(
      InvalidCredentials,
    );
  });

  it('refuses a registration challenge for a sign-in', async () => {
    const authenticator = await registered(env);
    const options = await env.passkeys.registrationOptions(env.user);
    const response = authenticator.authenticate({
      challenge: (options as { challenge: string }).challenge,
      rpId: 'auth.example.com',
    });
    await expect(env.passkeys.signIn(response)).rejects.toBeInstanceOf(InvalidCredentials);
  });

  it('refuses a counter that went back, and stores the one that grew', async () => {
    const authenticator = await registered(env, { counting: true });
    await env.passkeys.signIn(authenticator.authenticate(await env.passkeys.signInOptions()));
    expect(env.passkeyStore.passkeys.get(authenticator.credentialId)?.counter).toBe(2);
    authenticator.counter = 0;
    await expect(
      env.passkeys.signIn(authenticator.authenticate(await env.passkeys.signInOptions())),
    ).rejects.toBeInstanceOf(InvalidCredentials);
  });

  it('counts failures toward the owner’s lockout, like wrong passwords', async () => {
    const authenticator = await registered(env);
    const forged = (options: unknown) => {
      const response = authenticator.authenticate(options);
      return {
        ...response,
        response: { ...response.response, signature: response.response.signature.slice(4) },
      };
    };
    for (let i = 0; i < LOCKOUT.maxFailures; i++) {
      await expect(env.passkeys.signIn(forged(await env.passkeys.signInOptions()))).rejects.toBeInstanceOf(
        InvalidCredentials,
      );
    }
    await expect(
      env.passkeys.signIn(authenticator.authenticate(await env.passkeys.signInOptions())),
    ).rejects.toBeInstanceOf(TooManyAttempts);
    await expect(env.accounts.login('alice', 'correct horse battery')).rejects.toBeInstanceOf(
      TooManyAttempts,
    );
  });

  it('refuses an unknown credential, a deleted-and-retaken username, and a disabled account', async () => {
    const stranger = new SoftwareAuthenticator(ISSUER);
    await expect(
      env.passkeys.signIn(stranger.authenticate(await env.passkeys.signInOptions())),
    ).rejects.toBeInstanceOf(InvalidCredentials);
    const authenticator = await registered(env);
    const user = env.store.users.get('alice')!;
    env.store.users.set('alice', { ...user, sub: 'someone-else' });
    await expect(
      env.passkeys.signIn(authenticator.authenticate(await env.passkeys.signInOptions())),
    ).rejects.toBeInstanceOf(InvalidCredentials);
    env.store.users.set('alice', { ...user, disabledAt: 1 });
    await expect(
      env.passkeys.signIn(authenticator.authenticate(await env.passkeys.signInOptions())),
    ).rejects.toBeInstanceOf(AccountDisabled);
  });
});

describe('a passkey as the second step after the password', () => {
  let env: Env;
  beforeEach(async () => {
    env = await setup();
    const user = env.store.users.get('alice')!;
    env.store.users.set('alice', { ...user, totpSecret: 'JBSWY3DPEHPK3PXP' });
  });

  async function mfaToken(): Promise<string> {
    const error = await env.accounts.login('alice', 'correct horse battery').catch((thrown) => thrown);
    expect(error).toBeInstanceOf(MfaRequired);
    return (error as MfaRequired).mfaToken;
  }

  it('is offered only to a user with a passkey, and names only theirs', async () => {
    expect(await env.passkeys.offeredAsSecondFactor(await mfaToken())).toBe(false);
    const authenticator = await registered(env);
    const token = await mfaToken();
    expect(await env.passkeys.offeredAsSecondFactor(token)).toBe(true);
    const options = (await env.passkeys.secondFactorOptions(token)) as { allowCredentials: { id: string }[] };
    expect(options.allowCredentials.map(({ id }) => id)).toEqual([authenticator.credentialId]);
  });

  it('opens a session with amr pwd, hwk and mfa, consuming the MFA token', async () => {
    const authenticator = await registered(env);
    const token = await mfaToken();
    const response = authenticator.authenticate(await env.passkeys.secondFactorOptions(token));
    const { session } = await env.passkeys.completeSignIn(token, response);
    expect(session.amr).toEqual(['pwd', 'hwk', 'mfa']);
    const again = authenticator.authenticate(await env.passkeys.signInOptions());
    await expect(env.passkeys.completeSignIn(token, again)).rejects.toBeInstanceOf(SignInExpired);
  });

  it('refuses a discoverable sign-in challenge, and another user’s passkey, counting each', async () => {
    const authenticator = await registered(env);
    const token = await mfaToken();
    const wrongCeremony = authenticator.authenticate(await env.passkeys.signInOptions());
    await expect(env.passkeys.completeSignIn(token, wrongCeremony)).rejects.toBeInstanceOf(
      InvalidCredentials,
    );
    const bob = await env.accounts.register('bob', 'correct horse battery');
    const bobs = new SoftwareAuthenticator(ISSUER);
    const bobUser = { username: bob.username, sub: bob.sub };
    await env.passkeys.register(bobUser, {
      name: 'Bob’s',
      response: bobs.register(await env.passkeys.registrationOptions(bobUser)),
    });
    const foreign = bobs.authenticate(await env.passkeys.secondFactorOptions(token));
    await expect(env.passkeys.completeSignIn(token, foreign)).rejects.toBeInstanceOf(InvalidCredentials);
    expect(env.store.attempts.get('alice')?.failures).toBe(3);
  });
});

describe('a passkey re-checking the signed-in user (deleting the account)', () => {
  it('yields the user for their own passkey, once per challenge, and counts a stranger’s', async () => {
    const env = await setup();
    const authenticator = await registered(env);
    const response = authenticator.authenticate(await env.passkeys.recheckOptions(env.user));
    expect((await env.passkeys.recheck(env.user, response)).sub).toBe(env.user.sub);
    await expect(env.passkeys.recheck(env.user, response)).rejects.toBeInstanceOf(InvalidCredentials);
    const stranger = new SoftwareAuthenticator(ISSUER);
    const foreign = stranger.authenticate(await env.passkeys.recheckOptions(env.user));
    await expect(env.passkeys.recheck(env.user, foreign)).rejects.toBeInstanceOf(InvalidCredentials);
    expect(env.store.attempts.get('alice')?.failures).toBe(3);
  });
});
