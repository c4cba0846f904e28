/** register, login and logout through their handlers, against DynamoDB Local. */
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDb } from '#adapters/aws/dynamodb';
import { createLoginHandler } from '#adapters/endpoints/users/login';
import { createLogoutHandler } from '#adapters/endpoints/users/logout';
import { createRegisterHandler } from '#adapters/endpoints/users/register';
import type { ApiResult } from '#adapters/http/responses';
import { emailVerification as emailVerificationOf } from '#app/account-services';
import { userAdministration } from '#app/admin-services';
import { accounts as accountsOf, sessions as sessionsOf } from '#app/services';
import { tableName } from '#contract/tables';
import { apiEvent } from '../../../fakes/events.ts';
import { recordingLogger, silentLogger } from '../../../fakes/logger.ts';
import { storedItem, testRuntime, uniqueName } from '../../../fakes/runtime.ts';

const PASSWORD = 'correct horse battery';
const body = (result: ApiResult) => JSON.parse(result.body);
/** The logical names of the tables a request touches, in order (the test prefix left out). */
const tables = (input: Readonly<Record<string, unknown>>): string =>
  (JSON.stringify(input).match(/"TableName":"[^"]+"/g) ?? [])
    .map((match) => match.slice(13, -1).replace(/^test_/, ''))
    .join(' ');

async function setup(logger = silentLogger) {
  const runtime = await testRuntime();
  const accounts = accountsOf(runtime);
  const sessions = sessionsOf(runtime);
  return {
    runtime,
    register: (json: unknown, headers?: Record<string, string>) =>
      createRegisterHandler(
        { accounts, emailVerification: emailVerificationOf(runtime) },
        logger,
      )(apiEvent({ path: '/register', json, ...(headers ? { headers } : {}) })),
    login: (json: unknown) => createLoginHandler(accounts, logger)(apiEvent({ path: '/login', json })),
    logout: (token?: string) =>
      createLogoutHandler(
        sessions,
        logger,
      )(
        apiEvent({
          method: 'POST',
          path: '/logout',
          headers: token ? { authorization: `Bearer ${token}` } : {},
        }),
      ),
    user: (username: string) =>
      storedItem(runtime.db, tableName(runtime.config.tablePrefix, 'users'), { username }),
  };
}

describe('POST /register', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    env = await setup();
  });

  it('creates the user with a scrypt hash and answers 201', async () => {
    const username = uniqueName();
    const result = await env.register({ username: username.toUpperCase(), password: PASSWORD });
    expect(result.statusCode).toBe(201);
    expect(body(result)).toEqual({ result: 'succeeded' });
    const user = await env.user(username);
    expect(user?.passwordHash).toMatch(/^scrypt\$14\$8\$1\$/);
    expect(JSON.stringify(user)).not.toContain(PASSWORD);
  });

  it('answers 409 for a taken username', async () => {
    const username = uniqueName();
    await env.register({ username, password: PASSWORD });
    const again = await env.register({ username, password: 'another password' });
    expect(again.statusCode).toBe(409);
    expect(body(again)).toMatchObject({ result: 'failed', error: 'username_taken' });
  });

  it('creates exactly one user when ten registrations of one name race', async () => {
    const username = uniqueName();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => env.register({ username, password: `password number ${i}` })),
    );
    const statuses = results.map((result) => result.statusCode).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(409)]);
  });

  it.each([
    ['malformed JSON', 400, 'invalid_request', { json: {}, raw: '{"username":' }],
    ['a non-string password', 400, 'invalid_request', { json: { username: 'someone', password: 12345678 } }],
    ['a missing password', 400, 'invalid_request', { json: { username: 'someone' } }],
    ['a short password', 400, 'invalid_request', { json: { username: 'someone', password: 'short' } }],
    [
      'a bad username',
      400,
      'invalid_request',
      { json: { username: 'no spaces allowed', password: PASSWORD } },
    ],
    ['a form body', 415, 'unsupported_media_type', { form: { username: 'someone', password: PASSWORD } }],
    [
      'a 17 KB body',
      413,
      'payload_too_large',
      { json: { username: 'x', password: PASSWORD, pad: 'x'.repeat(17 * 1024) } },
    ],
  ])('answers %s with %i %s', async (_name, status, error, input) => {
    const { raw, ...request } = input as { raw?: string; json?: unknown; form?: Record<string, string> };
    const event = apiEvent({ path: '/register', ...request });
    if (raw !== undefined) event.body = raw;
    const result = await createRegisterHandler(
      { accounts: accountsOf(env.runtime), emailVerification: emailVerificationOf(env.runtime) },
      silentLogger,
    )(event);
    expect(result.statusCode).toBe(status);
    expect(body(result)).toMatchObject({ result: 'failed', error });
  });
});

describe('POST /login and POST /logout', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let username: string;
  beforeAll(async () => {
    env = await setup();
    username = uniqueName();
    await env.register({ username, password: PASSWORD });
  });

  it('answers the API design shape, marks the user online, and logout ends the session everywhere', async () => {
    const result = await env.login({ username, password: PASSWORD });
    expect(result.statusCode).toBe(200);
    const { result: outcome, token } = body(result);
    expect(outcome).toBe('succeeded');
    expect(decodeJwt(token)).toMatchObject({
      iss: env.runtime.config.issuer,
      aud: env.runtime.config.issuer,
    });
    expect(await env.user(username)).toMatchObject({ online: true });

    expect((await env.logout(token)).statusCode).toBe(200);
    expect(await env.user(username)).toMatchObject({ online: false });
    const again = await env.logout(token);
    expect(again.statusCode).toBe(401);
    expect(again.headers?.['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
    expect(body(again).error).toBe('invalid_token');
  });

  it('answers a wrong password and an unknown user identically with 401', async () => {
    const wrong = await env.login({ username, password: 'wrong password' });
    const unknown = await env.login({ username: uniqueName(), password: 'wrong password' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(body(wrong)).toEqual(body(unknown));
    expect(body(wrong)).toMatchObject({ result: 'failed', token: null });
  });

  it('locks after five failures with 429 and Retry-After, for unknown usernames too', async () => {
    const victim = uniqueName();
    await env.register({ username: victim, password: PASSWORD });
    for (const name of [uniqueName(), victim]) {
      for (let i = 0; i < 5; i++)
        expect((await env.login({ username: name, password: 'wrong' })).statusCode).toBe(401);
      const locked = await env.login({ username: name, password: PASSWORD });
      expect(locked.statusCode).toBe(429);
      expect(Number(locked.headers?.['Retry-After'])).toBeGreaterThan(0);
      expect(body(locked)).toMatchObject({ result: 'failed', token: null, error: 'too_many_attempts' });
    }
    env.runtime.clock.advance(env.runtime.config.lockout.windowSeconds);
    expect((await env.login({ username: victim, password: PASSWORD })).statusCode).toBe(200);
  });

  it('checks at most five passwords when twenty wrong ones arrive at once, then stays locked', async () => {
    const victim = uniqueName();
    await env.register({ username: victim, password: PASSWORD });
    for (const name of [victim, uniqueName()]) {
      const results = await Promise.all(
        Array.from({ length: 20 }, () => env.login({ username: name, password: 'wrong password' })),
      );
      const statuses = results.map((result) => result.statusCode).sort();
      expect(statuses).toEqual([...Array(5).fill(401), ...Array(15).fill(429)]);
    }
    const locked = await env.login({ username: victim, password: PASSWORD });
    expect(locked.statusCode).toBe(429);
    expect(body(locked)).toMatchObject({ result: 'failed', token: null, error: 'too_many_attempts' });
  });

  it('makes three DynamoDB requests for a successful login, two of them at once', async () => {
    const name = uniqueName();
    await env.register({ username: name, password: PASSWORD });
    const before = env.runtime.requests.length;
    expect((await env.login({ username: name, password: PASSWORD })).statusCode).toBe(200);
    const made = env.runtime.requests
      .slice(before)
      .map(({ operation, input }) => `${operation} ${tables(input)}`);
    expect(made.slice(0, 2).sort()).toEqual(['GetItem users', 'UpdateItem login_attempts']);
    expect(made[2]).toBe('TransactWriteItems sessions users login_attempts');
    expect(made).toHaveLength(3);
  });

  it('answers logout without a token with 401', async () => {
    expect((await env.logout()).statusCode).toBe(401);
  });

  it('never logs the password or the token', async () => {
    const { logger, lines } = recordingLogger();
    const logged = await setup(logger);
    const name = uniqueName();
    await logged.register({ username: name, password: PASSWORD });
    const { token } = body(await logged.login({ username: name, password: PASSWORD }));
    await logged.login({ username: name, password: 'wrong password' });
    await logged.logout(token);
    expect(lines.length).toBeGreaterThan(0);
    const all = lines.join('\n');
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain('wrong password');
    expect(all).not.toContain(token);
    expect(all).not.toContain('scrypt$');
  });
});

describe('POST /login of a disabled user', () => {
  it('answers 403 account_disabled with the right password only, in the API design shape', async () => {
    const env = await setup();
    const username = uniqueName();
    await env.register({ username, password: PASSWORD });
    await userAdministration(env.runtime).disable('local:test', { username });
    const wrong = await env.login({ username, password: 'not the password' });
    expect(wrong.statusCode).toBe(401);
    expect(body(wrong)).toMatchObject({ error: 'invalid_credentials' });
    const refused = await env.login({ username, password: PASSWORD });
    expect(refused.statusCode).toBe(403);
    expect(body(refused)).toMatchObject({ result: 'failed', token: null, error: 'account_disabled' });
    expect((await env.user(username))?.online).not.toBe(true);
  });
});

describe('when DynamoDB is unreachable', () => {
  it('answers 503 with a generic JSON body and writes nothing', async () => {
    const runtime = await testRuntime();
    const down = {
      ...runtime,
      db: createDynamoDb({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }),
    };
    const { logger, lines } = recordingLogger();
    const result = await createRegisterHandler(
      { accounts: accountsOf(down), emailVerification: emailVerificationOf(down) },
      logger,
    )(apiEvent({ path: '/register', json: { username: uniqueName(), password: PASSWORD } }));
    expect(result.statusCode).toBe(503);
    expect(body(result)).toMatchObject({ result: 'failed', error: 'temporarily_unavailable' });
    expect(result.body).not.toMatch(/127\.0\.0\.1|stack|at /);
    expect(lines.some((line) => line.includes('"level":"ERROR"') && line.includes('"correlation_id"'))).toBe(
      true,
    );
  });
});
