/**
 * Lambda authorizer (TOKEN) for `/protected/*`. Everything with a cost (settings, the remote JWKS and
 * its key cache, the DynamoDB client) is created once per cold start; a warm invocation does no I/O
 * beyond the one revocation lookup, and none at all for keys it has already fetched.
 */
import type { APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import { loadConfig } from '#commons/config';
import { DynamoDb } from '#commons/dynamo';
import { createLogger } from '#commons/logger';
import { DynamoRevocationStore } from '#stores/revocation';
import { createAuthorizer, remoteKeySet } from './authorizer.ts';
import { loadAuthorizerSettings } from './settings.ts';

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
