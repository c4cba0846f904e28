/**
 * What reaches the logs: the refusals a reader needs to tell apart (wrong password, lockout, bad grant,
 * bad client and which client) are visible; passwords, secrets, tokens and authorization codes are not.
 */
import { describe, expect, it } from 'vitest';
import { createTokenHandler } from '#adapters/endpoints/oauth/token';
import { createLoginHandler } from '#adapters/endpoints/users/login';
import { createLogger } from '#adapters/logger';
import type { ClientRecord } from '#core/clients/records';
import type { ClientReadAhead } from '#core/oauth/read-ahead';
import type { TokenGrants } from '#core/oauth/token-grants';
import { sha256 } from '#core/secrets';
import { Accounts } from '#core/users/accounts';
import { Sessions } from '#core/users/sessions';
import { MemoryAccountStore, secondFactorDependencies } from '../../fakes/accounts.ts';
import { apiEvent, basic } from '../../fakes/events.ts';
import { manualClock, memoryKeyRing } from '../../fakes/keys.ts';
import { recordingLogger } from '../../fakes/logger.ts';

const SECRET = 'client-secret-that-must-never-be-logged';
const PASSWORD = 'correct horse battery';
const WRONG_PASSWORD = 'wrong horse battery staple';

const client: ClientRecord = {
  clientId: 'client-42',
  owner: 'user-1',
  clientName: 'Logged app',
  redirectUris: ['https://app.example.com/cb'],
  grantTypes: ['authorization_code'],
  tokenEndpointAuthMethod: 'client_secret_basic',
  scope: 'read',
  secretHash: sha256('the-real-secret'),
  clientIdIssuedAt: 0,
};

const refusals = (lines: string[]) =>
  lines.map((line) => JSON.parse(line)).filter((entry) => entry.message === 'request refused');

async function loginHandler(logger: ReturnType<typeof recordingLogger>['logger']) {
  const clock = manualClock();
  const store = new MemoryAccountStore();
  const { keyRing } = await memoryKeyRing(clock);
  const sessions = new Sessions({ store, keys: keyRing, issuer: 'https://auth.example.com', clock });
  const accounts = new Accounts({
    ...secondFactorDependencies(store, clock),
    store,
    sessions,
    clock,
    scrypt: { logN: 10, r: 8, p: 1 },
    sessionTtlSeconds: 3600,
    lockout: { maxFailures: 2, windowSeconds: 600 },
  });
  await accounts.register('alice', PASSWORD);
  return createLoginHandler(accounts, logger);
}

describe('refusal logs', () => {
  it('name the OAuth error code and the client of a wrong client secret, never the secret', async () => {
    const { logger, lines } = recordingLogger();
    const clients: ClientReadAhead = {
      findClient: async () => client,
      findClientWith: async (_clientId, ahead) => ({ client, records: { ahead } }),
    };
    const token = createTokenHandler(clients, {} as TokenGrants, logger);
    const result = await token(
      apiEvent({
        method: 'POST',
        path: '/token',
        headers: { authorization: basic('client-42', SECRET) },
        form: { grant_type: 'authorization_code', code: 'an-authorization-code' },
      }),
    );
    expect(result.statusCode).toBe(401);
    expect(refusals(lines)).toEqual([
      expect.objectContaining({
        level: 'INFO',
        errorCode: 'invalid_client',
        clientId: 'client-42',
        detail: 'wrong secret',
        status: 401,
      }),
    ]);
    expect(lines.join('\n')).not.toContain(SECRET);
    expect(lines.join('\n')).not.toContain('an-authorization-code');
  });

  it('tell a wrong password from a lockout, and never show the password', async () => {
    const { logger, lines } = recordingLogger();
    const login = await loginHandler(logger);
    const attempt = () =>
      login(
        apiEvent({ method: 'POST', path: '/login', json: { username: 'alice', password: WRONG_PASSWORD } }),
      );
    expect((await attempt()).statusCode).toBe(401);
    expect((await attempt()).statusCode).toBe(401);
    expect((await attempt()).statusCode).toBe(429);
    expect(refusals(lines).map((entry) => entry.errorCode)).toEqual([
      'invalid_credentials',
      'invalid_credentials',
      'too_many_attempts',
    ]);
    expect(lines.join('\n')).not.toContain(WRONG_PASSWORD);
  });
});

describe('the logger', () => {
  it('redacts credentials by name at any depth and keeps identifiers and error codes', () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line) });
    logger.child({ clientId: 'client-42' }).warn('something happened', {
      code: 'an-authorization-code',
      errorCode: 'invalid_grant',
      grantId: 'grant-1',
      password: 'p',
      nested: { refresh_token: 'rt', client_secret: 's', secretHash: 'h', authorization: 'Basic x' },
    });
    const [entry] = lines.map((line) => JSON.parse(line));
    expect(entry).toMatchObject({
      level: 'WARN',
      message: 'something happened',
      service: 'tinyoauth',
      clientId: 'client-42',
      errorCode: 'invalid_grant',
      grantId: 'grant-1',
      code: '[redacted]',
      password: '[redacted]',
      nested: {
        refresh_token: '[redacted]',
        client_secret: '[redacted]',
        secretHash: '[redacted]',
        authorization: '[redacted]',
      },
    });
    expect(lines[0]).not.toMatch(/an-authorization-code|"rt"|Basic x/);
  });

  it('writes nothing below its level', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', write: (line) => lines.push(line) });
    logger.info('quiet');
    logger.debug('quieter');
    logger.error('loud');
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(['loud']);
  });
});
