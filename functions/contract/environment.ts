/**
 * Every environment variable a tinyoauth function reads, with what it means: the contract between
 * whoever deploys the functions (the CDK construct, the local stack, a test) and the functions
 * themselves. Readers and writers name variables through `EnvironmentName`, so a typo on either side is
 * a compile error instead of a setting silently ignored. The README's Configuration section documents
 * their values.
 */
export const ENVIRONMENT = {
  ISSUER: 'The `iss` of every token and the base URL of every endpoint.',
  RESOURCE_IDENTIFIER: 'The `aud` of access tokens (RFC 9068): the identifier of the protected API.',
  RESOURCE_NAME: 'The display name of the default resource server (RFC 9728 `resource_name`).',
  RESOURCE_SERVERS: 'The resource servers besides the default one, as JSON (contract/resources.ts).',
  SCOPES: 'Space-separated scopes of the default resource server; clients may be registered for them.',
  CLIENT_METADATA_ALLOW_LOCALHOST:
    'true: client metadata documents may be fetched from localhost (local development and tests only).',
  OPEN_REGISTRATION:
    'off, public or all: client registration without an account (RFC 7591), and for which clients.',
  TABLE_PREFIX: 'Prefix of every physical table name (the table name follows it).',
  DYNAMODB_ENDPOINT: 'Another DynamoDB than the regional one (DynamoDB Local).',
  AWS_REGION: 'Set by Lambda: the region of the tables and secrets.',
  AWS_DEFAULT_REGION: 'The region when AWS_REGION is unset (local tools).',
  AWS_LAMBDA_FUNCTION_NAME: 'Set by Lambda: names the service in log lines.',
  LOG_LEVEL: 'debug, info, warn or error, when neither of the two below is set.',
  POWERTOOLS_LOG_LEVEL: 'The log level (Powertools): DEBUG, INFO, WARN or ERROR; wins over LOG_LEVEL.',
  AWS_LAMBDA_LOG_LEVEL: 'Set by Lambda from the function’s logging configuration; wins over both.',
  POWERTOOLS_METRICS_NAMESPACE: 'The CloudWatch namespace of the metrics (contract/metrics.ts).',
  POWERTOOLS_SERVICE_NAME: 'The `service` dimension of every metric: one value per deployment.',
  SIGNING_KEYS_SECRET_ID: 'The Secrets Manager secret holding the private key set (functions that sign).',
  PUBLIC_KEYS_SECRET_ID: 'The Secrets Manager secret holding the public keys only (functions that verify).',
  SIGNING_KEYS_FILE: 'The local key set file when no secret is configured.',
  SESSION_TTL_SECONDS: 'Lifetime of login sessions and their tokens.',
  ACCESS_TOKEN_TTL_SECONDS: 'Lifetime of access tokens.',
  REFRESH_TOKEN_TTL_SECONDS: 'Absolute lifetime of a grant and its refresh tokens.',
  AUTHORIZATION_CODE_TTL_SECONDS: 'Lifetime of authorization codes.',
  LOCKOUT_MAX_FAILURES: 'Failed logins within the window that lock a username.',
  LOCKOUT_SECONDS: 'The failure-counting window, and how long a lock lasts.',
  SCRYPT_LOG_N: 'log2 of scrypt’s N for new password hashes.',
  JWKS_URI: 'Where the authorizer and the key rotation read the published keys.',
  PROTECTED_SCOPES: 'Per-route scope rules for /protected/* (contract/protection.ts).',
  AUTHORIZER_CACHE_TTL_SECONDS: 'How long API Gateway reuses an authorizer decision for one token.',
  KEY_RETAIN_SECONDS: 'How long a retired signing key stays published.',
  KEY_PUBLISH_DELAY_SECONDS: 'How long a new key is published before it signs.',
  MAIL_FROM: 'The sender of account mail (an SES identity in the cloud); mail goes to the outbox without it.',
  SES_CONFIGURATION_SET: 'The SES configuration set account mail is sent with (optional).',
  OUTBOX_DIR: 'Where the local outbox writes each message as a JSON file (npm start and tests).',
} as const;

export type EnvironmentName = keyof typeof ENVIRONMENT;

/** An environment as functions read it: `process.env`, or a plain object in tests and at synth. */
export type Environment = Partial<Record<EnvironmentName, string>> & Record<string, string | undefined>;
