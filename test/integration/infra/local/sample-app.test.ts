/** The sample app's self-registration (infra/local/sample-client.ts): the same client across restarts. */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDb } from '#adapters/aws/dynamodb';
import { loadConfig } from '#adapters/config';
import { DynamoClientStore } from '#adapters/dynamo/clients';
import { matchesHash } from '#core/secrets';
import { ensureSampleClient, SAMPLE_APP_OWNER, SAMPLE_APP_SCOPE } from '#infra/local/sample-client';

const config = loadConfig(process.env);
const store = new DynamoClientStore(
  createDynamoDb({ region: config.region, endpoint: config.dynamoDbEndpoint }),
  config.tablePrefix,
);

describe('ensureSampleClient', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'tinyoauth-sample-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('registers a confidential client once and reuses it on the next start', async () => {
    const file = join(directory, 'reuse.json');
    const redirectUri = 'http://localhost:3001/callback';
    const first = await ensureSampleClient(config, redirectUri, file);
    const stored = await store.findClient(first.clientId);
    expect(stored).toMatchObject({
      owner: SAMPLE_APP_OWNER,
      redirectUris: [redirectUri],
      grantTypes: ['authorization_code', 'refresh_token'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      scope: SAMPLE_APP_SCOPE,
    });
    expect(matchesHash(first.clientSecret, stored?.secretHash)).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const second = await ensureSampleClient(config, redirectUri, file);
    expect(second).toEqual(first);
  });

  it('replaces the client when the port (so the redirect URI) changes, removing the old one', async () => {
    const file = join(directory, 'port.json');
    const before = await ensureSampleClient(config, 'http://localhost:3001/callback', file);
    const after = await ensureSampleClient(config, 'http://localhost:3999/callback', file);
    expect(after.clientId).not.toBe(before.clientId);
    expect(await store.findClient(before.clientId)).toBeUndefined();
    expect(JSON.parse(await readFile(file, 'utf8')).clientId).toBe(after.clientId);
  });

  it('registers anew when the remembered client is gone or its secret no longer matches', async () => {
    const file = join(directory, 'stale.json');
    const redirectUri = 'http://localhost:3001/callback';
    const first = await ensureSampleClient(config, redirectUri, file);
    await writeFile(file, JSON.stringify({ ...first, clientSecret: 'not-the-secret' }));
    const second = await ensureSampleClient(config, redirectUri, file);
    expect(second.clientId).not.toBe(first.clientId);

    await writeFile(file, '{ not json');
    const third = await ensureSampleClient(config, redirectUri, file);
    expect(third.clientId).not.toBe(second.clientId);
  });
});
