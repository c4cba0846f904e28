/**
 * `npm run admin -- <command>` against the local stack, as an operator runs it: a process of its own on
 * the test run's DynamoDB Local (DYNAMODB_ENDPOINT, as with a running `npm start`), its result as JSON on
 * stdout, its audit lines on stderr, and its exit code.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, clientRegistry, runtimeFrom } from '#app/services';
import { projectPath } from '#infra/paths';
import { silentLogger } from '../../fakes/logger.ts';

const directory = mkdtempSync(join(tmpdir(), 'tinyoauth-admin-'));
const env = {
  ...process.env,
  // Tables and a key file of this file's own: rotating keys must not touch the other tests' file.
  TABLE_PREFIX: `admin_${randomBytes(4).toString('hex')}_`,
  SIGNING_KEYS_FILE: join(directory, 'signing-keys.json'),
  LOG_LEVEL: 'info',
};

interface Run {
  code: number;
  result: unknown;
  stderr: string;
  audit: Record<string, unknown>[];
}

function admin(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', projectPath('infra/admin/cli.ts'), ...args],
      { env, cwd: projectPath('.'), timeout: 60_000 },
      (error, stdout, stderr) => {
        const audit = stderr
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .filter((line) => String(line.message).startsWith('audit '));
        const code = error ? Number(error.code ?? 1) : 0;
        resolve({ code, result: code === 0 ? JSON.parse(stdout) : undefined, stderr, audit });
      },
    );
  });
}

let username: string;
let clientId: string;

beforeAll(async () => {
  // The tables and the key file, as the tool prepares them for itself.
  expect((await admin('counts')).code).toBe(0);
  const runtime = { ...runtimeFrom(env), logger: silentLogger };
  username = `admin-${randomBytes(4).toString('hex')}`;
  const user = await accounts(runtime).register(username, 'correct horse battery', {});
  await accounts(runtime).login(username, 'correct horse battery');
  const { client } = await clientRegistry(runtime).register(
    { sub: user.sub, username },
    { client_name: 'Admin CLI app', redirect_uris: ['https://app.example.com/cb'], scope: 'read' },
  );
  clientId = client.clientId;
}, 120_000);
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('npm run admin', () => {
  it('shows a user by username and by sub, counts, and lists clients', async () => {
    const shown = await admin('user', 'show', '--username', username);
    expect(shown.code, shown.stderr).toBe(0);
    const user = shown.result as Record<string, unknown>;
    expect(user).toMatchObject({ username, online: true });
    expect(user).not.toHaveProperty('passwordHash');
    expect((await admin('user', 'show', '--sub', String(user.sub))).result).toEqual(user);
    expect((await admin('counts')).result).toMatchObject({ users: 1, clients: 1, liveSessions: 1 });
    const listed = (await admin('client', 'list')).result as Record<string, unknown>[];
    expect(listed.map((client) => client.clientId)).toEqual([clientId]);
  }, 60_000);

  it('disables a user, ending their session, with an audit line naming the OS user', async () => {
    const disabled = await admin('user', 'disable', '--username', username);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.result).toEqual({ sessionsEnded: 1 });
    expect(disabled.audit).toEqual([
      expect.objectContaining({
        level: 'INFO',
        event: 'admin.user.disable',
        outcome: 'succeeded',
        actor: { operator: `local:${userInfo().username}` },
        target: expect.objectContaining({ username }),
        sessionsEnded: 1,
        timestamp: expect.any(String),
      }),
    ]);
    expect((await admin('counts')).result).toMatchObject({ liveSessions: 0 });
    expect((await admin('user', 'enable', '--username', username)).code).toBe(0);
  }, 60_000);

  it('suspends and resumes a client', async () => {
    expect((await admin('client', 'suspend', clientId)).result).toEqual({ grantsDeleted: 0 });
    expect((await admin('client', 'show', clientId)).result).toMatchObject({
      suspendedAt: expect.any(Number),
    });
    expect((await admin('counts')).result).toMatchObject({ suspendedClients: 1 });
    expect((await admin('client', 'resume', clientId)).code).toBe(0);
    expect((await admin('client', 'show', clientId)).result).not.toHaveProperty('suspendedAt');
  }, 60_000);

  it('rotates the local signing keys', async () => {
    const before = JSON.parse(readFileSync(env.SIGNING_KEYS_FILE, 'utf8')).keys.map(
      (key: { kid: string }) => key.kid,
    );
    const rotated = await admin('keys', 'rotate');
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.audit).toEqual([
      expect.objectContaining({ event: 'admin.keys.rotate', outcome: 'succeeded' }),
    ]);
    const after = JSON.parse(readFileSync(env.SIGNING_KEYS_FILE, 'utf8')).keys.map(
      (key: { kid: string }) => key.kid,
    );
    expect(after).toEqual(expect.arrayContaining(before));
    expect(after.length).toBeGreaterThan(before.length);
  }, 60_000);

  it('deletes a user with their client, and fails with exit code 1 on what does not exist, 2 on bad usage', async () => {
    const deleted = await admin('user', 'delete', '--username', username);
    expect(deleted.result).toEqual({
      sessionsEnded: 0,
      clientsDeleted: 1,
      grantsDeleted: 0,
      consentsDeleted: 0,
      passkeysDeleted: 0,
    });
    expect((await admin('counts')).result).toMatchObject({ users: 0, clients: 0 });

    const missing = await admin('user', 'show', '--username', username);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No such user.');
    const failed = await admin('client', 'suspend', clientId);
    expect(failed.code).toBe(1);
    expect(failed.audit).toEqual([
      expect.objectContaining({ event: 'admin.client.suspend', outcome: 'failed' }),
    ]);

    const usage = await admin('user', 'show', username);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--sub <sub>');
    expect((await admin('frobnicate')).code).toBe(2);
  }, 60_000);
});
