/**
 * Every setting tinyoauth reads from its environment, validated once at module scope so that a
 * misconfigured function fails at cold start with a message naming the variable, not mid-request.
 */
import { ConfigError } from '#contract/config-error';
import type { Environment, EnvironmentName } from '#contract/environment';
import { parseResourceServers, type ResourceServer } from '#contract/resources';
import { isScopeToken } from '#contract/scopes';
import type { OpenRegistrationMode } from '#core/clients/open-registration';

export interface Config {
  issuer: string;
  /** The default `aud` of access tokens: the identifier of the default resource server (RFC 9068 §2.2). */
  resourceIdentifier: string;
  /** Every resource server tokens may be issued for (RFC 8707), the default first. */
  resourceServers: ResourceServer[];
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
  /** Every scope of every resource server: what a client may be registered for (RFC 8414 `scopes_supported`). */
  scopesSupported: string[];
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /**
   * Where account mail goes: SES from a verified identity (MAIL_FROM), the local outbox, or, in Lambda
   * without MAIL_FROM (no `mail` prop), nowhere: a Lambda file system keeps nothing anyone reads.
   */
  mail:
    | { transport: 'ses'; from: string; configurationSet: string | undefined }
    | { transport: 'outbox'; directory: string }
    | { transport: 'none' };
  /** Local development and tests only: client metadata documents may come from `localhost`. */
  clientMetadataAllowLocalhost: boolean;
  /** Client registration without an account: off, public clients only, or all. */
  openRegistration: OpenRegistrationMode;
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** Reads variables, collecting every problem so that one error names every invalid variable at once. */
class SettingsReader {
  private readonly problems: string[] = [];

  constructor(readonly env: Environment) {}

  integer(name: EnvironmentName, range: { fallback: number; min: number; max: number }): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return range.fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < range.min || value > range.max) {
      return this.refuse(
        `${name} must be an integer from ${range.min} to ${range.max}, got "${raw}"`,
        range.fallback,
      );
    }
    return value;
  }

  /** An absolute http(s) URL without query or fragment. */
  url(name: EnvironmentName, fallback: string): string {
    const raw = this.env[name] || fallback;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('scheme');
      if (parsed.search || parsed.hash) throw new Error('query');
      // RFC 8414 §2: the issuer is compared as a string, so keep it exactly as configured, minus a trailing slash.
      return raw.replace(/\/+$/, '');
    } catch {
      return this.refuse(
        `${name} must be an absolute http(s) URL without query or fragment, got "${raw}"`,
        fallback,
      );
    }
  }

  /** One of `values`, case-insensitively. */
  oneOf<Value extends string>(name: EnvironmentName, values: readonly Value[], fallback: Value): Value {
    const value = (this.env[name] || fallback).toLowerCase();
    if (values.includes(value as Value)) return value as Value;
    return this.refuse(`${name} must be one of ${values.join(', ')}, got "${this.env[name]}"`, fallback);
  }

  /** The value `read` returns, or `fallback` with its ConfigError's message as a problem. */
  attempt<Value>(read: () => Value, fallback: Value): Value {
    try {
      return read();
    } catch (error) {
      if (error instanceof ConfigError) return this.refuse(error.message, fallback);
      throw error;
    }
  }

  check(valid: boolean, problem: string): void {
    if (!valid) this.problems.push(problem);
  }

  refuse<Value>(problem: string, fallback: Value): Value {
    this.problems.push(problem);
    return fallback;
  }

  throwIfInvalid(): void {
    if (this.problems.length > 0) {
      throw new ConfigError(`Invalid configuration: ${this.problems.join('; ')}`);
    }
  }
}

export function loadConfig(env: Environment): Config {
  const settings = new SettingsReader(env);
  const issuer = settings.url('ISSUER', `http://localhost:${env.PORT || '3000'}`);
  const resourceIdentifier = settings.url('RESOURCE_IDENTIFIER', `${issuer}/protected`);
  const times = lifetimes(settings);
  const resourceServers = settings.attempt(
    () =>
      parseResourceServers(
        env.RESOURCE_SERVERS,
        {
          identifier: resourceIdentifier,
          name: env.RESOURCE_NAME || 'Protected API',
          path: '/protected',
          scopes: scopesSupported(settings),
          accessTokenTtlSeconds: times.accessTokenTtlSeconds,
        },
        issuer,
      ),
    [],
  );
  const config: Config = {
    issuer,
    resourceIdentifier,
    resourceServers,
    logLevel: settings.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    dynamoDbEndpoint: dynamoDbEndpoint(settings),
    tablePrefix: tablePrefix(settings),
    keys: keySource(env),
    scopesSupported: [...new Set(resourceServers.flatMap((server) => server.scopes))],
    ...times,
    openRegistration: settings.oneOf('OPEN_REGISTRATION', ['off', 'public', 'all'], 'off'),
    clientMetadataAllowLocalhost:
      settings.oneOf('CLIENT_METADATA_ALLOW_LOCALHOST', ['true', 'false'], 'false') === 'true',
    scryptLogN: settings.integer('SCRYPT_LOG_N', { fallback: 17, min: 14, max: 20 }),
    mail: mailSettings(settings),
  };
  settings.throwIfInvalid();
  return config;
}

function keySource(env: Environment): Config['keys'] {
  if (env.SIGNING_KEYS_SECRET_ID) return { source: 'secretsmanager', secretId: env.SIGNING_KEYS_SECRET_ID };
  if (env.PUBLIC_KEYS_SECRET_ID)
    return { source: 'secretsmanager-public', secretId: env.PUBLIC_KEYS_SECRET_ID };
  return { source: 'file', path: env.SIGNING_KEYS_FILE || '.data/signing-keys.json' };
}

function mailSettings(settings: SettingsReader): Config['mail'] {
  const from = settings.env.MAIL_FROM || undefined;
  if (from === undefined) {
    if (settings.env.AWS_LAMBDA_FUNCTION_NAME) return { transport: 'none' };
    return { transport: 'outbox', directory: settings.env.OUTBOX_DIR || '.data/outbox' };
  }
  // One address, optionally with a display name: `tinyoauth <no-reply@example.com>`.
  settings.check(
    /^(?:[^<>@\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/.test(from),
    `MAIL_FROM must be one address like "tinyoauth <no-reply@example.com>", got "${from}"`,
  );
  return { transport: 'ses', from, configurationSet: settings.env.SES_CONFIGURATION_SET || undefined };
}

function dynamoDbEndpoint(settings: SettingsReader): string | undefined {
  const raw = settings.env.DYNAMODB_ENDPOINT || undefined;
  if (!raw) return undefined;
  if (!URL.canParse(raw)) return settings.refuse(`DYNAMODB_ENDPOINT must be a URL, got "${raw}"`, raw);
  return new URL(raw).toString().replace(/\/$/, '');
}

function tablePrefix(settings: SettingsReader): string {
  const prefix = settings.env.TABLE_PREFIX ?? 'tinyoauth_';
  settings.check(/^[A-Za-z0-9_.-]*$/.test(prefix), 'TABLE_PREFIX may hold only A-Z a-z 0-9 _ . -');
  return prefix;
}

function scopesSupported(settings: SettingsReader): string[] {
  const raw = settings.env.SCOPES;
  const scopes = (raw || 'read write').split(' ').filter(Boolean);
  settings.check(
    scopes.every(isScopeToken),
    `SCOPES must be space-separated RFC 6749 scope tokens, got "${raw}"`,
  );
  return scopes;
}

type Lifetimes = Pick<
  Config,
  | 'sessionTtlSeconds'
  | 'accessTokenTtlSeconds'
  | 'refreshTokenTtlSeconds'
  | 'authorizationCodeTtlSeconds'
  | 'lockout'
>;

function lifetimes(settings: SettingsReader): Lifetimes {
  const day = 86400;
  return {
    sessionTtlSeconds: settings.integer('SESSION_TTL_SECONDS', { fallback: 3600, min: 60, max: 30 * day }),
    accessTokenTtlSeconds: settings.integer('ACCESS_TOKEN_TTL_SECONDS', { fallback: 900, min: 60, max: day }),
    refreshTokenTtlSeconds: settings.integer('REFRESH_TOKEN_TTL_SECONDS', {
      fallback: 30 * day,
      min: 300,
      max: 365 * day,
    }),
    authorizationCodeTtlSeconds: settings.integer('AUTHORIZATION_CODE_TTL_SECONDS', {
      fallback: 60,
      min: 10,
      max: 600,
    }),
    lockout: {
      maxFailures: settings.integer('LOCKOUT_MAX_FAILURES', { fallback: 5, min: 1, max: 100 }),
      windowSeconds: settings.integer('LOCKOUT_SECONDS', { fallback: 900, min: 1, max: day }),
    },
  };
}
