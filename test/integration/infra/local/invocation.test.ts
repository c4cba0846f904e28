/**
 * Every sample event through its function, exactly as `npm run invoke -- <function> events/<function>.json`
 * runs it (infra/local/invocation.ts), on tables of this file's own in the shared test DynamoDB: so the
 * README's invoke instructions hold for every function, and the first invoke of the login events succeeds.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalBackend, prepareBackend } from '#infra/local/backend';
import { invokeFunction, prepareSampleUser } from '#infra/local/invocation';
import { SAMPLE_USER } from '#infra/local/sample-user';
import { projectPath } from '#infra/paths';
import { AUTHORIZER, type FunctionName, functions } from '#infra/routes';

const savedPrefix = process.env.TABLE_PREFIX;
let backend: LocalBackend;
const lines: string[] = [];
const log = (line: string) => lines.push(line);

beforeAll(async () => {
  // Before any handler loads: handlers read their configuration once, when first imported.
  process.env.TABLE_PREFIX = `invoke_${randomBytes(4).toString('hex')}_`;
  backend = await prepareBackend(process.env, { command: 'test', whenInUse: 'share' });
});
afterAll(async () => {
  await backend?.stop();
  process.env.TABLE_PREFIX = savedPrefix;
});

const eventText = (name: FunctionName) => readFileSync(projectPath(`events/${name}.json`), 'utf8');

/** As invoke.ts does it: the sample user when the event signs in, then the function. */
async function invoke(name: FunctionName) {
  await prepareSampleUser(name, { endpoint: backend.endpoint, env: process.env, log });
  return invokeFunction(name, JSON.parse(eventText(name)), { log });
}

describe('npm run invoke -- <function> events/<function>.json', () => {
  it('signs in as the sample user on the first invoke of login, registering it once', async () => {
    const outcome = await invoke('login');
    expect(outcome).toMatchObject({ kind: 'result', result: { statusCode: 200 } });
    expect(lines).toContain(
      `Sample user ${SAMPLE_USER.username} (whom the sample events sign in as) registered`,
    );
    lines.length = 0;
    expect(await invoke('signIn')).toMatchObject({ kind: 'result', result: { statusCode: 303 } });
    expect(lines.filter((line) => line.includes('registered'))).toEqual([]);
  });

  it('never registers the sample user on a DynamoDB that is not local', async () => {
    lines.length = 0;
    await prepareSampleUser('login', {
      endpoint: 'https://dynamodb.eu-west-1.amazonaws.com',
      env: process.env,
      log,
    });
    expect(lines).toEqual([
      `Sample user ${SAMPLE_USER.username} (whom the sample events sign in as) not registered: https://dynamodb.eu-west-1.amazonaws.com is not a local DynamoDB`,
    ]);
  });

  it.each(Object.keys(functions) as FunctionName[])(
    '%s answers its sample event: successfully unless the event has placeholders to fill in',
    async (name) => {
      const outcome = await invoke(name);
      if (name === AUTHORIZER) {
        // A TOKEN authorizer refuses a token by throwing `Unauthorized`; the placeholder is no token.
        expect(outcome).toMatchObject({ kind: 'error', error: { message: 'Unauthorized' } });
        return;
      }
      if (outcome.kind === 'error') throw outcome.error;
      const { statusCode } = outcome.result as { statusCode: number };
      expect(statusCode).toBeLessThan(eventText(name).includes('REPLACE_WITH_') ? 500 : 400);
    },
  );
});
