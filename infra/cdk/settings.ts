/**
 * The props of `TinyOAuth` resolved once, defaults applied, and checked with the functions' own
 * validation (config.ts and protection.ts) before anything is created, so a bad setting fails
 * `cdk synth` with their message rather than every cold start.
 */
import { Duration, Token } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { loadConfig } from '#adapters/config';
import type { EnvironmentName } from '#contract/environment';
import { DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS, parseScopeRules } from '#contract/protection';
import { checkScopeRules } from '#contract/resources';
import { KEY_REFRESH_SECONDS } from '#core/keys/key-ring';
import { SAMPLE_MCP_SERVER } from '#infra/resource-server-functions';
import type { FunctionEnvironment } from './function.ts';
import { mailEnvironment } from './mail.ts';
import {
  DEFAULT_STAGE_NAME,
  DEFAULT_TABLE_PREFIX,
  DEFAULT_THROTTLING,
  type TinyOAuthProps,
  type TokenLifetimes,
} from './props.ts';
import type { SigningKeysProps } from './signing-keys.ts';

/** Margin for clock skew and for an instance that loaded its keys just before a change. */
const KEY_CACHE_MARGIN_SECONDS = 60;

/** The token lifetimes as the functions' environment variables, in whole seconds. */
export type LifetimeSeconds = ReturnType<typeof tokenLifetimeSeconds>;

export interface Settings {
  tracing: boolean;
  logRetention: RetentionDays;
  stageName: string;
  throttling: { rateLimit: number; burstLimit: number };
  tablePrefix: string;
  lifetimes: LifetimeSeconds;
  authorizerCacheTtl: Duration;
  /** The `PROTECTED_SCOPES` value, when there are rules. */
  scopeRules: string | undefined;
  /** The `RESOURCE_SERVERS` value, when there are servers besides the default (the MCP example included). */
  resourceServers: string | undefined;
  keyTimings: Pick<SigningKeysProps, 'retainSeconds' | 'publishDelaySeconds' | 'rotationInterval'>;
}

export function resolveSettings(props: TinyOAuthProps): Settings {
  const lifetimes = tokenLifetimeSeconds(props.tokenLifetimes ?? {});
  const settings: Settings = {
    tracing: props.tracing ?? true,
    logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
    stageName: props.stageName ?? DEFAULT_STAGE_NAME,
    throttling: props.throttling ?? DEFAULT_THROTTLING,
    tablePrefix: props.tablePrefix ?? DEFAULT_TABLE_PREFIX,
    lifetimes,
    authorizerCacheTtl: props.authorizerCacheTtl ?? Duration.seconds(DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS),
    scopeRules: props.protectedScopes ? JSON.stringify(props.protectedScopes) : undefined,
    resourceServers: resourceServersOf(props),
    keyTimings: {
      // Tokens signed by the old key (up to a key cache period after the rotation) must keep verifying
      // until they expire; refresh tokens and codes are opaque and signed by nothing.
      retainSeconds: props.discardPreviousKeysOnRotation
        ? 0
        : Math.max(lifetimes.SESSION_TTL_SECONDS, lifetimes.ACCESS_TOKEN_TTL_SECONDS) +
          KEY_REFRESH_SECONDS +
          KEY_CACHE_MARGIN_SECONDS,
      publishDelaySeconds: KEY_REFRESH_SECONDS + KEY_CACHE_MARGIN_SECONDS,
      rotationInterval: props.keyRotationInterval ?? Duration.days(90),
    },
  };
  validate(props, settings);
  return settings;
}

function resourceServersOf(props: TinyOAuthProps): string | undefined {
  const declared = [...(props.resourceServers ?? []), ...(props.exampleMcpServer ? [SAMPLE_MCP_SERVER] : [])];
  return declared.length > 0 ? JSON.stringify(declared) : undefined;
}

/** What every function of the construct reads, whatever it does: the team's settings, then the construct's. */
export function sharedEnvironment(options: {
  environment?: FunctionEnvironment | undefined;
  issuer: string;
  resourceIdentifier: string;
  tablePrefix: string;
  lifetimes: LifetimeSeconds;
  resourceServers: string | undefined;
  openRegistration?: 'public' | 'all' | undefined;
}): FunctionEnvironment {
  return {
    ...options.environment,
    ISSUER: options.issuer,
    RESOURCE_IDENTIFIER: options.resourceIdentifier,
    ...(options.resourceServers ? { RESOURCE_SERVERS: options.resourceServers } : {}),
    ...(options.openRegistration ? { OPEN_REGISTRATION: options.openRegistration } : {}),
    TABLE_PREFIX: options.tablePrefix,
    ...Object.fromEntries(
      Object.entries(options.lifetimes).map(([name, seconds]) => [name, String(seconds)]),
    ),
  };
}

function tokenLifetimeSeconds(lifetimes: TokenLifetimes) {
  const defaults = loadConfig({});
  return {
    SESSION_TTL_SECONDS: lifetimes.session?.toSeconds() ?? defaults.sessionTtlSeconds,
    ACCESS_TOKEN_TTL_SECONDS: lifetimes.accessToken?.toSeconds() ?? defaults.accessTokenTtlSeconds,
    REFRESH_TOKEN_TTL_SECONDS: lifetimes.refreshToken?.toSeconds() ?? defaults.refreshTokenTtlSeconds,
    AUTHORIZATION_CODE_TTL_SECONDS:
      lifetimes.authorizationCode?.toSeconds() ?? defaults.authorizationCodeTtlSeconds,
  } satisfies Partial<Record<EnvironmentName, number>>;
}

/** Values only known at deploy time (tokens) are checked with a stand-in. */
function validate(props: TinyOAuthProps, settings: Settings): void {
  const concrete = (value: string | undefined) =>
    value === undefined || Token.isUnresolved(value) ? 'https://deploy-time.invalid' : value;
  const config = loadConfig(
    sharedEnvironment({
      environment: { ...props.environment, ...(props.mail ? mailEnvironment(props.mail) : {}) },
      issuer: concrete(props.issuer),
      resourceIdentifier: concrete(props.resourceIdentifier),
      tablePrefix: settings.tablePrefix,
      lifetimes: settings.lifetimes,
      resourceServers: settings.resourceServers,
      openRegistration: props.openRegistration,
    }),
  );
  checkScopeRules(parseScopeRules(settings.scopeRules), config.resourceServers);
  // Documents from localhost are for a developer's machine; in the cloud, localhost is the function itself.
  if (props.environment?.CLIENT_METADATA_ALLOW_LOCALHOST !== undefined) {
    throw new Error('CLIENT_METADATA_ALLOW_LOCALHOST is for local development and tests only: leave it out.');
  }
  if (props.backend && 'httpUrl' in props.backend) {
    const url = props.backend.httpUrl;
    if (!Token.isUnresolved(url) && !/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(url)) {
      throw new Error(
        `backend.httpUrl must be an absolute http(s) URL without query or fragment, got "${url}"`,
      );
    }
  }
}
