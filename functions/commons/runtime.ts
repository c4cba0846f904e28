/**
 * What every function shares, created once per execution environment (module scope) and reused by
 * every invocation: validated configuration, the logger, the DynamoDB client and the key ring.
 */
import { SecretPublicKeySource } from '../keys/public-keys.ts';
import { type Config, loadConfig } from './config.ts';
import { DynamoDb } from './dynamo.ts';
import { FileKeySource, KeyRing, SecretKeySetSource } from './keys.ts';
import { createLogger } from './logger.ts';
import { AwsSecretStore } from './secrets-manager.ts';

function keyRingFor({ keys, region }: Config): KeyRing {
  switch (keys.source) {
    case 'file':
      return KeyRing.fromKeySet(new FileKeySource(keys.path));
    case 'secretsmanager':
      return KeyRing.fromKeySet(new SecretKeySetSource(new AwsSecretStore(region), keys.secretId));
    case 'secretsmanager-public':
      return KeyRing.fromPublicKeys(new SecretPublicKeySource(new AwsSecretStore(region), keys.secretId));
  }
}

export const config = loadConfig(process.env);
export const logger = createLogger({
  level: config.logLevel,
  service: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'tinyoauth',
});
export const db = new DynamoDb({ region: config.region, endpoint: config.dynamoDbEndpoint });
export const keyRing = keyRingFor(config);
