/**
 * The sample app's registration as a client of tinyoauth: it registers itself through the client
 * registry and remembers its client id and secret in a state file (SAMPLE_APP_STATE_FILE), so restarts
 * keep the same client as long as the tables still hold it.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createDynamoDb } from '#adapters/aws/dynamodb';
import type { Config } from '#adapters/config';
import { DynamoClientStore } from '#adapters/dynamo/clients';
import { ClientRegistry } from '#core/clients/registry';
import { systemClock } from '#core/clock';
import { matchesHash } from '#core/secrets';

/** The `owner` of the sample client: no user registered it, `npm start` did. */
export const SAMPLE_APP_OWNER = 'tinyoauth-sample-app';
export const SAMPLE_APP_SCOPE = 'read';

export interface SampleClientState {
  issuer: string;
  tablePrefix: string;
  redirectUri: string;
  clientId: string;
  clientSecret: string;
}

async function readRemembered(stateFile: string): Promise<SampleClientState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile, 'utf8')) as SampleClientState;
  } catch {
    return undefined; // first run, or an unreadable file: register anew
  }
}

async function remember(stateFile: string, state: SampleClientState): Promise<void> {
  await mkdir(dirname(stateFile), { recursive: true });
  // The file holds a client secret: readable by its owner only.
  await writeFile(stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/**
 * The registered client for this redirect URI: the remembered one if tinyoauth still has it with the
 * same secret and redirect URI, else a newly registered one (and the stale one removed).
 */
export async function ensureSampleClient(
  config: Config,
  redirectUri: string,
  stateFile: string,
): Promise<SampleClientState> {
  const db = createDynamoDb({ region: config.region, endpoint: config.dynamoDbEndpoint });
  const store = new DynamoClientStore(db, config.tablePrefix);
  const registry = new ClientRegistry({ store, clock: systemClock, scopesSupported: config.scopesSupported });

  const remembered = await readRemembered(stateFile);
  if (remembered && remembered.issuer === config.issuer && remembered.tablePrefix === config.tablePrefix) {
    const stored = await store.findClient(remembered.clientId);
    const usable =
      stored?.owner === SAMPLE_APP_OWNER &&
      stored.redirectUris.length === 1 &&
      stored.redirectUris[0] === redirectUri &&
      matchesHash(remembered.clientSecret, stored.secretHash);
    if (usable) return remembered;
    if (stored?.owner === SAMPLE_APP_OWNER) {
      await registry.remove(SAMPLE_APP_OWNER, remembered.clientId).catch(() => {});
    }
  }

  const { client, secret } = await registry.register(SAMPLE_APP_OWNER, {
    client_name: 'tinyoauth sample app',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: SAMPLE_APP_SCOPE,
  });
  const state: SampleClientState = {
    issuer: config.issuer,
    tablePrefix: config.tablePrefix,
    redirectUri,
    clientId: client.clientId,
    clientSecret: secret as string,
  };
  await remember(stateFile, state);
  return state;
}
