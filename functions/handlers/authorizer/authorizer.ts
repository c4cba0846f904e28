/**
 * Lambda authorizer (TOKEN) for `/protected/*`. Everything with a cost (settings, the remote JWKS and
 * its key cache, the DynamoDB client) is created once per cold start; a warm invocation does no I/O
 * beyond the one revocation lookup, and none at all for keys it has already fetched.
 */
import type { APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import { loadAuthorizerSettings } from '#adapters/authorizer-settings';
import { DynamoDb } from '#adapters/aws/dynamodb';
import { loadConfig } from '#adapters/config';
import { DynamoRevocationStore } from '#adapters/dynamo/liveness';
import { createLogger } from '#adapters/logger';
import { createAuthorizer, remoteKeySet } from '#core/authorizer/decision';

const config = loadConfig(process.env);
const settings = loadAuthorizerSettings(process.env, config.issuer);

const authorize = createAuthorizer({
  keys: remoteKeySet(settings.jwksUri),
  revocation: new DynamoRevocationStore(
    new DynamoDb({ region: config.region, endpoint: config.dynamoDbEndpoint }),
    config.tablePrefix,
  ),
  clock: Date.now,
  resourceIdentifier: config.resourceIdentifier,
  issuer: config.issuer,
  scopeRules: settings.scopeRules,
  logger: createLogger({ level: config.logLevel, service: 'authorizer' }),
});

export const handler = (event: APIGatewayTokenAuthorizerEvent, context?: Partial<Context>) =>
  authorize(event, context?.awsRequestId);
