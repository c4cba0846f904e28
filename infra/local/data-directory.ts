/**
 * DynamoDB Local on the local data directory (`.data/dynamodb`, or DYNAMODB_LOCAL_DATA_DIR): started by
 * this process, which then owns it, or, when another process already runs it there, that one's, since
 * a second java on the same directory would write the same database file (dynamodb-owner.ts).
 * `npm run invoke` uses the DynamoDB of a running `npm start`; a second `npm start` refuses to start.
 */
import { mkdir } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { PROJECT_ROOT } from '#infra/paths';
import { assertJava, type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.ts';
import { claimDataDirectory, endpointOf, type Owner } from './dynamodb-owner.ts';

type Env = Record<string, string | undefined>;

/** Another process runs DynamoDB Local on the data directory, and this one may not (or cannot) use it. */
export class DataDirectoryInUse extends Error {
  override readonly name = 'DataDirectoryInUse';
}

/** Where `npm start` keeps DynamoDB Local's data (git-ignored); DYNAMODB_LOCAL_DATA_DIR overrides it. */
export const dataDirectory = (env: Env): string =>
  env.DYNAMODB_LOCAL_DATA_DIR
    ? resolve(env.DYNAMODB_LOCAL_DATA_DIR)
    : resolve(PROJECT_ROOT, '.data/dynamodb');

/** A path as the summary shows it: relative to the project when inside it. */
export const shown = (path: string): string =>
  path.startsWith(PROJECT_ROOT) ? relative(PROJECT_ROOT, path) : path;

export interface DataDirectoryOptions {
  /** This process as other processes' messages name it: `npm start`, `npm run invoke`. */
  command: string;
  /** When another process runs DynamoDB Local there: use its DynamoDB, or refuse to start. */
  whenInUse: 'share' | 'refuse';
  /** Hears of a DynamoDB Local this process started at once (start.ts stops it on a signal). */
  onDynamoDbLocal?: (local: DynamoDbLocal) => void;
}

export interface DataDirectoryDynamoDb {
  endpoint: string;
  /** Present when this process started DynamoDB Local (and so must stop it). */
  dynamoDbLocal: DynamoDbLocal | undefined;
  /** One line for the summary: whose DynamoDB Local, where, with which data. */
  description: string;
  /** Stops this process's DynamoDB Local and gives the directory up; nothing when it was shared. */
  stop(): Promise<void>;
}

/** How long `npm run invoke` waits for the DynamoDB Local of an `npm start` that is still starting. */
const OWNER_START_TIMEOUT_MS = 60_000;

async function sharedWith(owner: Owner, dbPath: string, options: DataDirectoryOptions) {
  const who = `${owner.command} (pid ${owner.pid})`;
  if (options.whenInUse === 'refuse') {
    throw new DataDirectoryInUse(
      `${who} already runs DynamoDB Local on ${shown(dbPath)}: stop it first, or give this ${options.command} data of its own with DYNAMODB_LOCAL_DATA_DIR (or a DynamoDB with DYNAMODB_ENDPOINT).`,
    );
  }
  const ready = await endpointOf(dbPath, { timeoutMs: OWNER_START_TIMEOUT_MS });
  if (!ready?.endpoint) {
    throw new DataDirectoryInUse(
      `${who} holds ${shown(dbPath)}, but its DynamoDB Local is not answering: wait until it is up, or stop it.`,
    );
  }
  return {
    endpoint: ready.endpoint,
    dynamoDbLocal: undefined,
    description: `DynamoDB Local of ${who} at ${ready.endpoint}, data in ${shown(dbPath)}`,
    stop: async () => {},
  };
}

/** The DynamoDB Local of the data directory: this process's own, or the one already running there. */
export async function dynamoDbOnDataDirectory(
  env: Env,
  options: DataDirectoryOptions,
): Promise<DataDirectoryDynamoDb> {
  const dbPath = dataDirectory(env);
  await mkdir(dbPath, { recursive: true });
  const claim = claimDataDirectory(dbPath, options.command);
  if ('owner' in claim) return sharedWith(claim.owner, dbPath, options);

  const { release } = claim.claimed;
  process.once('exit', release);
  const giveUp = () => {
    release();
    process.off('exit', release);
  };
  try {
    assertJava();
    const local = await startDynamoDbLocal({ dbPath });
    options.onDynamoDbLocal?.(local);
    claim.claimed.ready(local.endpoint);
    return {
      endpoint: local.endpoint,
      dynamoDbLocal: local,
      description: `DynamoDB Local at ${local.endpoint}, data in ${shown(dbPath)}`,
      stop: async () => {
        await local.stop();
        giveUp();
      },
    };
  } catch (error) {
    giveUp();
    throw error;
  }
}
