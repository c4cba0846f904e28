/**
 * What every local run needs before a handler can work: a DynamoDB (DYNAMODB_ENDPOINT, or DynamoDB Local
 * on `.data/dynamodb`, see data-directory.ts), the tables, and the signing key set. Shared by `npm start`
 * and `npm run invoke`.
 */
import { resolve } from 'node:path';
import { createDynamoDb } from '#adapters/aws/dynamodb';
import { AwsUnavailable } from '#adapters/aws/unavailable';
import { type Config, loadConfig } from '#adapters/config';
import { FileKeySource } from '#adapters/keys/file-key-source';
import {
  type DataDirectoryDynamoDb,
  type DataDirectoryOptions,
  dynamoDbOnDataDirectory,
  shown,
} from './data-directory.ts';
import type { DynamoDbLocal } from './dynamodb-local.ts';
import { type EnsureTablesResult, ensureTables } from './tables.ts';

type Env = Record<string, string | undefined>;

/** The DynamoDB that DYNAMODB_ENDPOINT names, or the one shared with another process, does not answer. */
export class DynamoDbUnreachable extends Error {
  override readonly name = 'DynamoDbUnreachable';
}

export interface LocalBackend {
  config: Config;
  endpoint: string;
  /** Present when this process started DynamoDB Local (and so must stop it). */
  dynamoDbLocal: DynamoDbLocal | undefined;
  tables: EnsureTablesResult;
  /** Human-readable lines saying what is where. */
  summary: string[];
  stop(): Promise<void>;
}

/**
 * Prepares DynamoDB, tables and keys. `onDynamoDbLocal` hears of a started DynamoDB Local at once, so
 * that a signal arriving while the tables are still being created can stop it too.
 */
export async function prepareBackend(env: Env, options: DataDirectoryOptions): Promise<LocalBackend> {
  let config = loadConfig(env);
  const summary: string[] = [];
  let local: DataDirectoryDynamoDb | undefined;
  if (config.dynamoDbEndpoint) {
    summary.push(`DynamoDB  ${config.dynamoDbEndpoint} (DYNAMODB_ENDPOINT)`);
  } else {
    local = await dynamoDbOnDataDirectory(env, options);
    // Handlers read their configuration from the environment when they are first loaded.
    env.DYNAMODB_ENDPOINT = local.endpoint;
    config = loadConfig(env);
    summary.push(`DynamoDB  ${local.description}`);
  }
  const endpoint = config.dynamoDbEndpoint!;
  const dynamoDbLocal = local?.dynamoDbLocal;
  const stop = async () => {
    await local?.stop();
  };

  try {
    const db = createDynamoDb({ region: config.region, endpoint });
    const tables = await ensureTables(db, config.tablePrefix).catch((error: unknown) => {
      if (error instanceof AwsUnavailable && !dynamoDbLocal) {
        throw new DynamoDbUnreachable(
          local
            ? `The ${local.description} does not answer (${error.message}): is it stopping?`
            : `DynamoDB at ${endpoint} (DYNAMODB_ENDPOINT) does not answer (${error.message}): start it, or unset DYNAMODB_ENDPOINT to let DynamoDB Local run.`,
        );
      }
      throw error;
    });
    const count = tables.created.length + tables.updated.length + tables.unchanged.length;
    summary.push(
      `Tables    ${count} with prefix "${config.tablePrefix}" (${tables.created.length} created, ${tables.updated.length} updated)`,
    );

    if (config.keys.source === 'file') {
      const keySet = await new FileKeySource(config.keys.path).load();
      summary.push(`Keys      ${shown(resolve(config.keys.path))} (current kid ${keySet.keys[0]?.kid})`);
    } else {
      summary.push(`Keys      Secrets Manager secret ${config.keys.secretId} (SIGNING_KEYS_SECRET_ID)`);
    }
    return { config, endpoint, dynamoDbLocal, tables, summary, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
