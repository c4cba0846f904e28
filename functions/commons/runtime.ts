/**
 * What every function shares, created once per execution environment (module scope) and reused by
 * every invocation: validated configuration, the logger, the DynamoDB client and the key ring.
 */
import { loadConfig } from './config.ts';
import { DynamoDb } from './dynamo.ts';
import { KeyRing, keySourceFor } from './keys.ts';
import { createLogger } from './logger.ts';

export const config = loadConfig(process.env);
export const logger = createLogger({
  level: config.logLevel,
  service: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'tinyoauth',
});
export const db = new DynamoDb({ region: config.region, endpoint: config.dynamoDbEndpoint });
export const keyRing = new KeyRing(keySourceFor(config));
