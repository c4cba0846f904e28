/**
 * Every setting tinyoauth reads from its environment, validated once at module scope so that a
 * misconfigured function fails at cold start with a message naming the variable, not mid-request.
 */
import { ConfigError } from '#contract/config-error';
import type { Environment, EnvironmentName } from '#contract/environment';
import { isScopeToken } from '#contract/scopes';

export interface Config {
  issuer: string;
  /** `aud` of access tokens: the identifier of the protected API (RFC 9068 §2.2). */
  resourceIdentifier: string;
  region: string;
  /** Unset in the cloud: the regional endpoint is derived from `region`. */
  dynamoDbEndpoint: string | undefined;
  tablePrefix: string;
  /**
   * Where keys come from: a local file; the signing secret (functions that sign); or the public-key secret
   * (functions that only verify, which are never given private keys).
   */
  keys:
    | { source: 'file'; path: string }
    | { source: 'secretsmanager'; secretId: string }
    | { source: 'secretsmanager-public'; secretId: string };
  sessionTtlSeconds: number;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  authorizationCodeTtlSeconds: number;
  lockout: { maxFailures: number; windowSeconds: number };
  /** log2 of scrypt's N. OWASP's floor is 17 (N = 131072) with r = 8, p = 1. */
  scryptLogN: number;
  /** Every scope a client may be registered for (RFC 8414 `scopes_supported`). */
  scopesSupported: string[];
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export function loadConfig(env: Environment): Config {
  const problems: string[] = [];

  const integer = (name: EnvironmentName, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  const url = (name: EnvironmentName, fallback: string): string => {
    const raw = env[name] || fallback;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('scheme');
      if (parsed.search || parsed.hash) throw new Error('query');
      // RFC 8414 §2: the issuer is compared as a string, so keep it exactly as configured, minus a trailing slash.
      return raw.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be an absolute http(s) URL without query or fragment, got "${raw}"`);
      return fallback;
    }
  };

  const issuer = url('ISSUER', `http://localhost:${env.PORT || '3000'}`);
  const resourceIdentifier = url('RESOURCE_IDENTIFIER', `${issuer}/protected`);

  const logLevel = (env.LOG_LEVEL || 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as Config['logLevel'])) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }

  const keys: Config['keys'] = env.SIGNING_KEYS_SECRET_ID
    ? { source: 'secretsmanager', secretId: env.SIGNING_KEYS_SECRET_ID }
    : env.PUBLIC_KEYS_SECRET_ID
      ? { source: 'secretsmanager-public', secretId: env.PUBLIC_KEYS_SECRET_ID }
      : { source: 'file', path: env.SIGNING_KEYS_FILE || '.data/signing-keys.json' };

  let dynamoDbEndpoint = env.DYNAMODB_ENDPOINT || undefined;
  if (dynamoDbEndpoint) {
    try {
      dynamoDbEndpoint = new URL(dynamoDbEndpoint).toString().replace(/\/$/, '');
    } catch {
      problems.push(`DYNAMODB_ENDPOINT must be a URL, got "${dynamoDbEndpoint}"`);
    }
  }

  const tablePrefix = env.TABLE_PREFIX ?? 'tinyoauth_';
  if (!/^[A-Za-z0-9_.-]*$/.test(tablePrefix)) problems.push('TABLE_PREFIX may hold only A-Z a-z 0-9 _ . -');

  const scopesSupported = (env.SCOPES || 'read write').split(' ').filter(Boolean);
  if (!scopesSupported.every(isScopeToken)) {
    problems.push(`SCOPES must be space-separated RFC 6749 scope tokens, got "${env.SCOPES}"`);
  }

  const config: Config = {
    issuer,
    resourceIdentifier,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    dynamoDbEndpoint,
    tablePrefix,
    keys,
    sessionTtlSeconds: integer('SESSION_TTL_SECONDS', 3600, 60, 30 * 86400),
    accessTokenTtlSeconds: integer('ACCESS_TOKEN_TTL_SECONDS', 900, 60, 86400),
    refreshTokenTtlSeconds: integer('REFRESH_TOKEN_TTL_SECONDS', 30 * 86400, 300, 365 * 86400),
    authorizationCodeTtlSeconds: integer('AUTHORIZATION_CODE_TTL_SECONDS', 60, 10, 600),
    lockout: {
      maxFailures: integer('LOCKOUT_MAX_FAILURES', 5, 1, 100),
      windowSeconds: integer('LOCKOUT_SECONDS', 900, 1, 86400),
    },
    scryptLogN: integer('SCRYPT_LOG_N', 17, 14, 20),
    scopesSupported,
    logLevel: logLevel as Config['logLevel'],
  };

  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return config;
}
