/**
 * What every function shares, created once per execution environment (module scope) and reused by
 * every invocation: validated configuration, the logger, the DynamoDB client and the key ring.
 */

import { DynamoDb } from '#adapters/aws/dynamodb';
import { AwsSecretStore } from '#adapters/aws/secrets-manager';
import { type Config, loadConfig } from '#adapters/config';
import { SecretPublicKeySource } from '#adapters/keys/secret-key-sources';
import { createLogger } from '#adapters/logger';
import { FileKeySource, KeyRing, SecretKeySetSource } from '#core/keys/key-ring';

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
