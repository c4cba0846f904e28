/**
 * The sample app's registration as a client of tinyoauth: it registers itself through the client
 * registry and remembers its client id and secret in a state file (SAMPLE_APP_STATE_FILE), so restarts
 * keep the same client as long as the tables still hold it.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createDynamoDb, type DynamoDb } from '#adapters/aws/dynamodb';
import type { Config } from '#adapters/config';
import { DynamoAccountStore } from '#adapters/dynamo/accounts';
import { DynamoClientStore } from '#adapters/dynamo/clients';
import { type ClientOwner, ClientRegistry } from '#core/clients/registry';
import { epochSeconds, systemClock } from '#core/clock';
import { withIdentityScopes } from '#core/oidc/claims';
import { matchesHash } from '#core/secrets';

/** The `owner` of the sample client: no user registered it, `npm start` did. */
export const SAMPLE_APP_OWNER = 'tinyoauth-sample-app';
/** It signs its user in with OpenID Connect (name and email to greet them) and reads their data. */
export const SAMPLE_APP_SCOPE = 'openid profile email read';

/**
 * The account the sample client is registered under: clients are counted on their owner's user item,
 * so the owner needs one. No password opens it (its hash is not a scrypt hash, so every check fails).
 */
async function ensureSampleOwner(db: DynamoDb, config: Config): Promise<ClientOwner> {
  const now = epochSeconds(systemClock);
  await new DynamoAccountStore(db, config.tablePrefix).createUser({
    username: SAMPLE_APP_OWNER,
    sub: SAMPLE_APP_OWNER,
    passwordHash: 'none',
    createdAt: now,
    online: false,
    lastOperationAt: now,
    clientCount: 0,
  });
  return { sub: SAMPLE_APP_OWNER, username: SAMPLE_APP_OWNER };
}

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
/** Where RP-initiated logout sends the browser back to: the app's home page, next to its callback. */
export const postLogoutRedirectUri = (redirectUri: string): string => new URL('/', redirectUri).toString();

export async function ensureSampleClient(
  config: Config,
  redirectUri: string,
  stateFile: string,
): Promise<SampleClientState> {
  const db = createDynamoDb({ region: config.region, endpoint: config.dynamoDbEndpoint });
  const store = new DynamoClientStore(db, config.tablePrefix);
  const registry = new ClientRegistry({
    store,
    clock: systemClock,
    scopesSupported: withIdentityScopes(config.scopesSupported),
  });

  const owner = await ensureSampleOwner(db, config);
  const remembered = await readRemembered(stateFile);
  if (remembered && remembered.issuer === config.issuer && remembered.tablePrefix === config.tablePrefix) {
    const stored = await store.findClient(remembered.clientId);
    const usable =
      stored?.owner === SAMPLE_APP_OWNER &&
      stored.redirectUris.length === 1 &&
      stored.redirectUris[0] === redirectUri &&
      stored.scope === SAMPLE_APP_SCOPE &&
      stored.postLogoutRedirectUris?.[0] === postLogoutRedirectUri(redirectUri) &&
      matchesHash(remembered.clientSecret, stored.secretHash);
    if (usable) return remembered;
    if (stored?.owner === SAMPLE_APP_OWNER) {
      await registry.remove(owner, remembered.clientId).catch(() => {});
    }
  }

  const { client, secret } = await registry.register(owner, {
    client_name: 'tinyoauth sample app',
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [postLogoutRedirectUri(redirectUri)],
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
