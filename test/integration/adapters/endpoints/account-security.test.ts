/**
 * Account tokens and rate limits through the handlers, against DynamoDB Local: every mailed token and
 * the MFA token work once and expire (the conditional writes check it, not TTL), "forgot your password?"
 * answers the same whether or not an account matches, and the DynamoDB counters limit mail per account
 * and per source address.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResult } from '#adapters/http/responses';
import { loginEndpoint, recoveryEndpoint, registerEndpoint } from '#app/endpoints';
import { accountSecurityEndpoint } from '#app/passkey-endpoints';
import { tableName } from '#contract/tables';
import { TOKEN_LIFETIMES } from '#core/users/account-tokens';
import { RATE_LIMITS } from '#core/users/rate-limits';
import { apiEvent } from '../../../fakes/events.ts';
import { lastToken, mailsTo } from '../../../fakes/outbox.ts';
import { storedItem, testRuntime, uniqueName } from '../../../fakes/runtime.ts';
import { totpCode } from '../../../fakes/totp.ts';

const PASSWORD = 'correct horse battery';
const body = (result: ApiResult) => JSON.parse(result.body) as Record<string, unknown>;
let counter = 0;
/** A source address no other test uses, so that each test has per-address budgets of its own. */
const newAddress = () => `198.51.${process.pid % 256}.${counter++ % 256}`;

let outbox: string;
beforeAll(async () => {
  outbox = await mkdtemp(join(tmpdir(), 'tinyoauth-outbox-'));
});
afterAll(() => rm(outbox, { recursive: true, force: true }));

async function setup() {
  const runtime = await testRuntime({ mail: { transport: 'outbox', directory: outbox } });
  const handlers = {
    register: registerEndpoint(runtime),
    login: loginEndpoint(runtime),
    recovery: recoveryEndpoint(runtime),
    security: accountSecurityEndpoint(runtime),
  };
  const post = (handler: keyof typeof handlers, path: string, json: unknown, extra = {}) =>
    handlers[handler](apiEvent({ path, json, ...extra })) as Promise<ApiResult>;
  const sourceIp = newAddress();
  async function account(options: { verified?: boolean } = {}) {
    const username = uniqueName();
    const email = `${username}@example.com`;
    const registered = await post(
      'register',
      '/register',
      { username, password: PASSWORD, email },
      { sourceIp },
    );
    expect(registered.statusCode).toBe(201);
    if (options.verified) {
      const token = await lastToken(outbox, email, '/verify_email');
      expect((await post('recovery', '/email/verify', { token })).statusCode).toBe(200);
    }
    return { username, email };
  }
  return { runtime, post, account, sourceIp };
}

describe('email verification links', () => {
  it('verify once, and not after they expire', async () => {
    const { post, account, runtime } = await setup();
    const { email } = await account();
    const token = await lastToken(outbox, email, '/verify_email');
    expect((await post('recovery', '/email/verify', { token })).statusCode).toBe(200);
    const again = await post('recovery', '/email/verify', { token });
    expect(again.statusCode).toBe(400);
    expect(body(again).error).toBe('invalid_token');

    const late = await account();
    const expiring = await lastToken(outbox, late.email, '/verify_email');
    runtime.clock.advance(TOKEN_LIFETIMES.verify_email + 1);
    const expired = await post('recovery', '/email/verify', { token: expiring });
    expect(body(expired).error).toBe('invalid_token');
  });
});

describe('password reset', () => {
  it('answers alike for an account, an unknown name and an unknown address, and mails only the account', async () => {
    const { post, account, sourceIp } = await setup();
    const { username, email } = await account({ verified: true });
    const answers = [];
    for (const json of [
      { username },
      { username: uniqueName() },
      { email: `nobody-${uniqueName()}@example.com` },
    ]) {
      const started = performance.now();
      const answer = await post('recovery', '/password/forgot', json, { sourceIp });
      answers.push({
        status: answer.statusCode,
        body: answer.body,
        slow: performance.now() - started >= 700,
      });
    }
    expect(new Set(answers.map((answer) => JSON.stringify(answer)))).toEqual(
      new Set([JSON.stringify({ status: 202, body: '{"result":"accepted"}', slow: true })]),
    );
    const resets = (await mailsTo(outbox, email)).filter((mail) => mail.subject === 'Reset your password');
    expect(resets).toHaveLength(1);
  });

  it('mails no reset link to an unverified address', async () => {
    const { post, account, sourceIp } = await setup();
    const { username, email } = await account();
    expect((await post('recovery', '/password/forgot', { username }, { sourceIp })).statusCode).toBe(202);
    expect((await mailsTo(outbox, email)).map((mail) => mail.subject)).toEqual([
      'Confirm your email address',
    ]);
  });

  it('sets the password once through a link, ends every session and clears the lockout', async () => {
    const { post, account, runtime, sourceIp } = await setup();
    const { username, email } = await account({ verified: true });
    const session = body(await post('login', '/login', { username, password: PASSWORD })).token as string;
    for (let failure = 0; failure < runtime.config.lockout.maxFailures; failure++)
      await post('login', '/login', { username, password: 'not the password' });
    expect(body(await post('login', '/login', { username, password: PASSWORD })).error).toBe(
      'too_many_attempts',
    );

    await post('recovery', '/password/forgot', { email }, { sourceIp });
    const token = await lastToken(outbox, email, '/reset_password');
    const reset = await post('recovery', '/password/reset', { token, password: 'a brand new passphrase' });
    expect(reset.statusCode).toBe(200);
    const replayed = await post('recovery', '/password/reset', { token, password: 'yet another passphrase' });
    expect(body(replayed).error).toBe('invalid_token');

    const sessionId = JSON.parse(Buffer.from(session.split('.')[1] ?? '', 'base64url').toString()).jti;
    const stored = await storedItem(runtime.db, tableName(runtime.config.tablePrefix, 'sessions'), {
      sessionId,
    });
    expect(stored?.revokedAt).toBeDefined();
    const signedIn = await post('login', '/login', { username, password: 'a brand new passphrase' });
    expect(signedIn.statusCode).toBe(200);
  });

  it('refuses an expired link', async () => {
    const { post, account, runtime, sourceIp } = await setup();
    const { email } = await account({ verified: true });
    await post('recovery', '/password/forgot', { email }, { sourceIp });
    const token = await lastToken(outbox, email, '/reset_password');
    runtime.clock.advance(TOKEN_LIFETIMES.reset_password + 1);
    const late = await post('recovery', '/password/reset', { token, password: 'a brand new passphrase' });
    expect(body(late).error).toBe('invalid_token');
  });
});

describe('rate limits', () => {
  it('stop reset mails to one account silently, with the same answer', async () => {
    const { post, account } = await setup();
    const { username, email } = await account({ verified: true });
    const { max } = RATE_LIMITS.passwordReset.account;
    for (let request = 0; request < max + 2; request++) {
      // From a new address each time: only the account's budget is spent.
      const answer = await post('recovery', '/password/forgot', { username }, { sourceIp: newAddress() });
      expect(answer.statusCode).toBe(202);
    }
    const resets = (await mailsTo(outbox, email)).filter((mail) => mail.subject === 'Reset your password');
    expect(resets).toHaveLength(max);
  });

  it('refuse a source address that spent its budget, whatever it asks about', async () => {
    const { post } = await setup();
    const sourceIp = newAddress();
    const { max } = RATE_LIMITS.passwordReset.address;
    for (let request = 0; request < max; request++) {
      const answer = await post('recovery', '/password/forgot', { username: uniqueName() }, { sourceIp });
      expect(answer.statusCode).toBe(202);
    }
    const refused = await post('recovery', '/password/forgot', { username: uniqueName() }, { sourceIp });
    expect(refused.statusCode).toBe(429);
    expect(body(refused).error).toBe('too_many_attempts');
    const elsewhere = await post(
      'recovery',
      '/password/forgot',
      { username: uniqueName() },
      { sourceIp: newAddress() },
    );
    expect(elsewhere.statusCode).toBe(202);
  }, 60_000);
});

describe('the MFA sign-in step', () => {
  async function enrolled() {
    const env = await setup();
    const { username } = await env.account();
    const session = body(await env.post('login', '/login', { username, password: PASSWORD })).token as string;
    const auth = { headers: { authorization: `Bearer ${session}` } };
    const started = body(await env.post('security', '/account/totp', {}, auth));
    const secret = started.secret as string;
    const confirmed = await env.post(
      'security',
      '/account/totp/confirm',
      { code: totpCode(secret, env.runtime.clock()) },
      auth,
    );
    expect(confirmed.statusCode).toBe(200);
    const codes = body(confirmed).recovery_codes as string[];
    const step = async () => {
      const answer = await env.post('login', '/login', { username, password: PASSWORD });
      expect(answer.statusCode).toBe(403);
      expect(body(answer).error).toBe('mfa_required');
      return body(answer).mfa_token as string;
    };
    return { ...env, secret, codes, step };
  }

  it('takes a TOTP step once and a recovery code once, each MFA token once', async () => {
    const { post, runtime, secret, codes, step } = await enrolled();
    runtime.clock.advance(30);
    const code = totpCode(secret, runtime.clock());
    const first = await step();
    expect((await post('login', '/login', { mfa_token: first, code })).statusCode).toBe(200);
    const used = await post('login', '/login', { mfa_token: first, recovery_code: codes[0] });
    expect(body(used).error).toBe('invalid_mfa_token');
    const replayed = await post('login', '/login', { mfa_token: await step(), code });
    expect(body(replayed).error).toBe('invalid_credentials');

    expect(
      (await post('login', '/login', { mfa_token: await step(), recovery_code: codes[0] })).statusCode,
    ).toBe(200);
    const spent = await post('login', '/login', { mfa_token: await step(), recovery_code: codes[0] });
    expect(body(spent).error).toBe('invalid_credentials');
  });

  it('refuses an expired MFA token', async () => {
    const { post, runtime, secret, step } = await enrolled();
    const token = await step();
    runtime.clock.advance(TOKEN_LIFETIMES.mfa_sign_in + 1);
    const late = await post('login', '/login', { mfa_token: token, code: totpCode(secret, runtime.clock()) });
    expect(body(late).error).toBe('invalid_mfa_token');
  });

  it('counts wrong codes toward the lockout', async () => {
    const { post, runtime, step } = await enrolled();
    const token = await step();
    const answers = [];
    for (let attempt = 0; attempt < runtime.config.lockout.maxFailures; attempt++)
      answers.push(body(await post('login', '/login', { mfa_token: token, code: '000000' })).error);
    expect(answers.at(-1)).toBe('too_many_attempts');
    expect(answers).toContain('invalid_credentials');
  });
});
