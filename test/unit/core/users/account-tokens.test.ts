import { describe, expect, it } from 'vitest';
import { sha256 } from '#core/secrets';
import { AccountTokens, TOKEN_LIFETIMES } from '#core/users/account-tokens';
import { MemoryAccountStore } from '../../../fakes/accounts.ts';
import { manualClock } from '../../../fakes/keys.ts';

function setup() {
  const clock = manualClock();
  const store = new MemoryAccountStore();
  return { clock, store, tokens: new AccountTokens({ store, clock }) };
}

describe('account tokens', () => {
  it('are 256 random bits, stored only as their hash', async () => {
    const { store, tokens } = setup();
    const { token } = await tokens.issue('reset_password', { username: 'alice', sub: 's' });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect([...store.tokens.keys()]).toEqual([sha256(token)]);
    expect(JSON.stringify([...store.tokens.values()])).not.toContain(token);
  });

  it('are consumed once, for their purpose only', async () => {
    const { tokens } = setup();
    const { token } = await tokens.issue('verify_email', {
      username: 'alice',
      sub: 's',
      email: 'a@example.com',
    });
    expect(await tokens.consume(token, 'reset_password')).toBeUndefined();
    expect((await tokens.consume(token, 'verify_email'))?.email).toBe('a@example.com');
    expect(await tokens.consume(token, 'verify_email')).toBeUndefined();
    expect(await tokens.peek(token, 'verify_email')).toBeUndefined();
  });

  it('expire after their lifetime, whatever TTL has not deleted yet', async () => {
    const { clock, tokens } = setup();
    const { token } = await tokens.issue('mfa_sign_in', { username: 'alice', sub: 's', amr: ['pwd'] });
    clock.advance(TOKEN_LIFETIMES.mfa_sign_in - 1);
    expect(await tokens.peek(token, 'mfa_sign_in')).toBeDefined();
    clock.advance(1);
    expect(await tokens.peek(token, 'mfa_sign_in')).toBeUndefined();
    expect(await tokens.consume(token, 'mfa_sign_in')).toBeUndefined();
  });

  it('name nothing when malformed', async () => {
    const { tokens } = setup();
    for (const presented of [undefined, 42, '', 'short', `${'a'.repeat(43)}=`])
      expect(await tokens.consume(presented, 'reset_password')).toBeUndefined();
  });
});
