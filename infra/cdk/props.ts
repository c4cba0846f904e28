/**
 * What a team can set on `TinyOAuth`, and the defaults of what it leaves out. These comments are the
 * props' documentation in the npm package's declarations too; the README's "In your own CDK app" has the table.
 */
import type { Duration } from 'aws-cdk-lib';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IHostedZone } from 'aws-cdk-lib/aws-route53';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { ResourceServerDeclaration } from '#contract/resources';
import type { FunctionEnvironment } from './function.ts';
import type { TinyOAuthMail } from './mail.ts';

/** What `/protected/*` (every route marked `authorized`) forwards to, once the authorizer allowed it. */
export type TinyOAuthBackend =
  /** Lambda proxy integration; the caller's identity is in `event.requestContext.authorizer`. */
  | { lambda: IFunction }
  /**
   * HTTP proxy integration to `${httpUrl}/{proxy}`; the caller's identity arrives in the headers of
   * functions/contract/protection.ts (`X-Tinyoauth-Sub`, ...), set by API Gateway over anything the client sent.
   */
  | { httpUrl: string };

export interface TinyOAuthCustomDomain {
  /** e.g. `auth.example.com`; the issuer becomes `https://auth.example.com`. */
  domainName: string;
  /** A certificate in the stack's region that covers `domainName`. */
  certificate: ICertificate;
  /** When given, an alias record for `domainName` is created in it. */
  hostedZone?: IHostedZone;
}

export interface TokenLifetimes {
  /** Login session (and session token). Default 1 hour. */
  session?: Duration;
  /** Access tokens. Default 15 minutes. */
  accessToken?: Duration;
  /** Refresh tokens. Default 30 days. */
  refreshToken?: Duration;
  /** Authorization codes. Default 60 seconds. */
  authorizationCode?: Duration;
}

export interface TinyOAuthProps {
  /** Default: the sample protected service of infra/routes.ts, which echoes the caller's identity. */
  backend?: TinyOAuthBackend;
  /** Serve tinyoauth at its own domain; the default execute-api endpoint is then disabled. */
  customDomain?: TinyOAuthCustomDomain;
  /**
   * The `iss` of every token and the base of every endpoint URL. Default: `https://<customDomain>`, or
   * the stage URL of the API. Set it only when something in front (e.g. CloudFront) serves the API.
   */
  issuer?: string;
  /** The default resource server's identifier, the `aud` of its tokens (RFC 9068). Default: `${issuer}/protected`. */
  resourceIdentifier?: string;
  /**
   * Resource servers besides the default one (RFC 8707, RFC 9728), each serving a path below
   * `/protected/` with its own scopes and token lifetime: functions/contract/resources.ts. Validated at synth.
   */
  resourceServers?: ResourceServerDeclaration[];
  /**
   * Client registration without an account (RFC 7591, as MCP clients register): `public` (public
   * clients only) or `all`; rate limited per source address. Default: off.
   */
  openRegistration?: 'public' | 'all';
  /** Deploy the sample MCP server at `/protected/mcp`, a resource server of its own. Default false. */
  exampleMcpServer?: boolean;
  /** How long sessions, access tokens, refresh tokens and authorization codes live; each has its own default. */
  tokenLifetimes?: TokenLifetimes;
  /**
   * How long API Gateway reuses an authorizer decision for the same token; bounds how late a revocation
   * takes effect at `/protected/*`. Default: functions/contract/protection.ts
   * (`DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS`).
   */
  authorizerCacheTtl?: Duration;
  /** Physical table names are `${tablePrefix}${name}`; two stacks in one account need two prefixes. */
  tablePrefix?: string;
  /** AWS X-Ray tracing of the API stage and every function. Default true. */
  tracing?: boolean;
  /** Retention of every log group. Default one month. */
  logRetention?: RetentionDays;
  /** Stage-wide request rate (per second) and burst. Default 50 and 100. */
  throttling?: { rateLimit: number; burstLimit: number };
  /**
   * Scope rules for `/protected/*`, as functions/contract/protection.ts defines them, e.g.
   * `{ 'GET /protected/reports/*': 'reports:read' }`. Validated at synth.
   */
  protectedScopes?: Record<string, string>;
  /**
   * Where the alarms (`monitoring.alarms`) send their ALARM and OK notifications: the team's own SNS
   * topic, or `'create'` for an encrypted topic of the construct's own (`monitoring.alarmTopic`; subscribe
   * to it). Default: none, the alarms only change state and show on the dashboard.
   */
  alarmTopic?: ITopic | 'create';
  /** How often the signing key is replaced. Default 90 days. */
  keyRotationInterval?: Duration;
  /**
   * For a compromised key only: the next rotation keeps no previous key, so every token and session
   * signed before it stops verifying at once (see the README's Deploying section). Deploy without it afterwards.
   */
  discardPreviousKeysOnRotation?: boolean;
  /** API Gateway stage name. Default `v1`. */
  stageName?: string;
  /** A WAFv2 web ACL (REGIONAL scope) to associate with the stage. */
  webAclArn?: string;
  /**
   * Whether to set this region's API Gateway account CloudWatch role (needed for execution logs; one
   * per account and region, so turn it off when another stack already sets it). Default true.
   */
  cloudWatchRole?: boolean;
  /**
   * Further settings of functions/adapters/config.ts for every function (e.g. `SCOPES`, `LOG_LEVEL`,
   * `LOCKOUT_MAX_FAILURES`), named as functions/contract/environment.ts names them. Validated at synth
   * with the functions' own validation.
   */
  environment?: FunctionEnvironment;
  /**
   * Account mail (verification and password-reset links, notices) through Amazon SES from a verified
   * identity. Without it no mail is sent, and the synth says so.
   */
  mail?: TinyOAuthMail;
}

export const DEFAULT_TABLE_PREFIX = 'tinyoauth_';
export const DEFAULT_STAGE_NAME = 'v1';
export const DEFAULT_THROTTLING = { rateLimit: 50, burstLimit: 100 };
