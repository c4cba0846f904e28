/**
 * `TinyOAuth`: the whole authorization server as one construct, driven entirely by the shared
 * definitions (infra/routes.ts, infra/tables.ts, infra/gateway-responses.ts, infra/protection.ts), so
 * that a route, function or table added there appears here with no change to this file.
 *
 * Teams use it inside their own stacks, in front of their own backend:
 *
 *     new TinyOAuth(this, 'Auth', { backend: { httpUrl: 'https://orders.internal.example.com' } });
 */

import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  type DomainName,
  EndpointType,
  HttpIntegration,
  IdentitySource,
  type Integration,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type RequestValidator,
  ResponseType,
  RestApi,
  SecurityPolicy,
  TokenAuthorizer,
} from 'aws-cdk-lib/aws-apigateway';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ARecord, type IHostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayDomain } from 'aws-cdk-lib/aws-route53-targets';
import { CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { loadConfig } from '#adapters/config';
import {
  CACHE_TTL_VARIABLE,
  DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS,
  IDENTITY_HEADERS,
  parseScopeRules,
  SCOPE_RULES_VARIABLE,
} from '#contract/protection';
import { KEY_REFRESH_SECONDS } from '#core/keys/key-ring';
import { GATEWAY_RESPONSE_CONTENT_TYPE, gatewayResponses } from '#infra/gateway-responses';
import {
  AUTHORIZER,
  type FunctionDefinition,
  type FunctionName,
  functions,
  type RouteDefinition,
  routes,
} from '#infra/routes';
import {
  acknowledge,
  acknowledgeAuthorizedMethod,
  acknowledgePublicMethod,
  REASONS,
} from './acknowledgements.ts';
import { TinyOAuthTables } from './dynamodb.ts';
import { TinyOAuthFunction } from './function.ts';
import { SigningKeys } from './signing-keys.ts';

/** What `/protected/*` (every route marked `authorized`) forwards to, once the authorizer allowed it. */
export type TinyOAuthBackend =
  /** Lambda proxy integration; the caller's identity is in `event.requestContext.authorizer`. */
  | { lambda: IFunction }
  /**
   * HTTP proxy integration to `${httpUrl}/{proxy}`; the caller's identity arrives in the headers of
   * infra/protection.ts (`X-Tinyoauth-Sub`, ...), set by API Gateway over anything the client sent.
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
  /** `aud` of access tokens (RFC 9068). Default: `${issuer}/protected`. */
  resourceIdentifier?: string;
  tokenLifetimes?: TokenLifetimes;
  /**
   * How long API Gateway reuses an authorizer decision for the same token; bounds how late a revocation
   * takes effect at `/protected/*`. Default: infra/protection.ts (`DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS`).
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
   * Scope rules for `/protected/*`, as infra/protection.ts defines them, e.g.
   * `{ 'GET /protected/reports/*': 'reports:read' }`. Validated at synth.
   */
  protectedScopes?: Record<string, string>;
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
   * Further settings of functions/commons/config.ts for every function (e.g. `SCOPES`, `LOG_LEVEL`,
   * `LOCKOUT_MAX_FAILURES`). Validated at synth with the functions' own validation.
   */
  environment?: Record<string, string>;
}

export const DEFAULT_TABLE_PREFIX = 'tinyoauth_';
export const DEFAULT_STAGE_NAME = 'v1';
export const DEFAULT_THROTTLING = { rateLimit: 50, burstLimit: 100 };
/** Margin for clock skew and for an instance that loaded its keys just before a change. */
const KEY_CACHE_MARGIN_SECONDS = 60;
/**
 * API Gateway's TOKEN authorizer rejects (401, without invoking the function) any Authorization header
 * that does not look like `Bearer <JWS compact serialization>`; the scheme is case-insensitive (RFC 7235).
 */
const BEARER_JWT = '^[Bb][Ee][Aa][Rr][Ee][Rr] +[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*$';

export class TinyOAuth extends Construct {
  readonly api: RestApi;
  /** The functions created, by their name in infra/routes.ts (a route served by `backend` has none). */
  readonly functions: Partial<Record<FunctionName, TinyOAuthFunction>>;
  readonly tables: TinyOAuthTables;
  readonly keys: SigningKeys;
  readonly authorizer: TokenAuthorizer;
  /** Base URL of the API: the custom domain, else the stage URL (both end in `/`). */
  readonly apiUrl: string;
  readonly issuer: string;
  readonly resourceIdentifier: string;
  readonly jwksUrl: string;
  /** `${issuer}/.well-known/oauth-authorization-server` (see the README's Deploying section about the stage path). */
  readonly metadataUrl: string;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: TinyOAuthProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const tracing = props.tracing ?? true;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const stageName = props.stageName ?? DEFAULT_STAGE_NAME;
    const throttling = props.throttling ?? DEFAULT_THROTTLING;
    const tablePrefix = props.tablePrefix ?? DEFAULT_TABLE_PREFIX;
    const lifetimes = tokenLifetimeSeconds(props.tokenLifetimes ?? {});
    const cacheTtl = props.authorizerCacheTtl ?? Duration.seconds(DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS);
    validateProps(props, tablePrefix, lifetimes);

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: logRetention,
      // The audit trail of who called what: kept after the stack is gone, until its retention ends.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = new RestApi(this, 'Api', {
      restApiName: `${stack.stackName}-tinyoauth`,
      description: 'tinyoauth: OAuth 2.0 authorization server',
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: props.cloudWatchRole ?? true,
      // With a custom domain the issuer is that domain; a second way in would be a second issuer URL.
      disableExecuteApiEndpoint: props.customDomain !== undefined,
      deployOptions: {
        stageName,
        throttlingRateLimit: throttling.rateLimit,
        throttlingBurstLimit: throttling.burstLimit,
        tracingEnabled: tracing,
        // Errors only, and never request or response bodies: those hold passwords and tokens.
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: false,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
      },
    });
    // API Gateway would create the execution log group itself, without retention; create it first.
    const executionLogs = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${stageName}`,
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api.deploymentStage.node.addDependency(executionLogs);

    let domain: DomainName | undefined;
    if (props.customDomain) {
      domain = this.api.addDomainName('Domain', {
        domainName: props.customDomain.domainName,
        certificate: props.customDomain.certificate,
        endpointType: EndpointType.REGIONAL,
        securityPolicy: SecurityPolicy.TLS_1_2,
      });
      if (props.customDomain.hostedZone) {
        new ARecord(this, 'DomainRecord', {
          zone: props.customDomain.hostedZone,
          recordName: props.customDomain.domainName,
          target: RecordTarget.fromAlias(new ApiGatewayDomain(domain)),
        });
      }
    }

    this.issuer = (
      props.issuer ??
      (props.customDomain
        ? `https://${props.customDomain.domainName}`
        : `https://${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${stageName}`)
    ).replace(/\/+$/, '');
    this.apiUrl = props.customDomain ? `https://${props.customDomain.domainName}/` : this.api.url;
    this.resourceIdentifier = props.resourceIdentifier ?? `${this.issuer}/protected`;
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;
    this.metadataUrl = `${this.issuer}/.well-known/oauth-authorization-server`;

    this.tables = new TinyOAuthTables(this, 'Tables', { tablePrefix });
    this.keys = new SigningKeys(this, 'Keys', {
      // Tokens signed by the old key (up to a key cache period after the rotation) must keep verifying
      // until they expire; refresh tokens and codes are opaque and signed by nothing.
      retainSeconds: props.discardPreviousKeysOnRotation
        ? 0
        : Math.max(lifetimes.SESSION_TTL_SECONDS, lifetimes.ACCESS_TOKEN_TTL_SECONDS) +
          KEY_REFRESH_SECONDS +
          KEY_CACHE_MARGIN_SECONDS,
      publishDelaySeconds: KEY_REFRESH_SECONDS + KEY_CACHE_MARGIN_SECONDS,
      rotationInterval: props.keyRotationInterval ?? Duration.days(90),
      jwksUrl: this.jwksUrl,
      tracing,
      logRetention,
    });

    const sharedEnvironment: Record<string, string> = {
      ...props.environment,
      ISSUER: this.issuer,
      RESOURCE_IDENTIFIER: this.resourceIdentifier,
      TABLE_PREFIX: tablePrefix,
      ...Object.fromEntries(Object.entries(lifetimes).map(([name, seconds]) => [name, String(seconds)])),
    };
    const scopeRules = props.protectedScopes ? JSON.stringify(props.protectedScopes) : undefined;

    const backendServes = (name: FunctionName) =>
      props.backend !== undefined &&
      name !== AUTHORIZER &&
      routes.some((route) => route.function === name) &&
      routes.every((route) => route.function !== name || route.authorized);

    this.functions = {};
    for (const [name, definition] of Object.entries(functions) as [FunctionName, FunctionDefinition][]) {
      if (backendServes(name)) continue;
      const environment = { ...sharedEnvironment };
      if (definition.keys === 'sign') environment.SIGNING_KEYS_SECRET_ID = this.keys.signingSecret.secretArn;
      if (definition.keys === 'publish') environment.PUBLIC_KEYS_SECRET_ID = this.keys.publicSecret.secretArn;
      if (name === AUTHORIZER) {
        // The authorizer verifies tokens against the published JWKS, fetched over HTTPS: it reads no secret.
        environment.JWKS_URI = this.jwksUrl;
        environment[CACHE_TTL_VARIABLE] = String(cacheTtl.toSeconds());
        if (scopeRules) environment[SCOPE_RULES_VARIABLE] = scopeRules;
      }
      const fn = new TinyOAuthFunction(this, name, {
        entry: definition.entry,
        description: definition.description,
        memoryMB: definition.memoryMB,
        environment,
        withoutDeadLetterQueue: REASONS.synchronousNoDlq,
        tracing,
        logRetention,
      });
      for (const statement of this.tables.statementsFor(definition)) fn.addToRolePolicy(statement);
      if (definition.keys === 'sign') this.keys.grantSign(fn);
      if (definition.keys === 'publish') this.keys.grantPublish(fn);
      // No function may answer before its keys exist.
      if (definition.keys) fn.node.addDependency(this.keys.ready);
      this.functions[name] = fn;
    }

    const authorizerFunction = this.functions[AUTHORIZER];
    if (!authorizerFunction)
      throw new Error(
        `infra/routes.ts names "${AUTHORIZER}" as the authorizer, but it defines no such function`,
      );
    this.authorizer = new TokenAuthorizer(this, 'Authorizer', {
      authorizerName: 'tinyoauth',
      handler: authorizerFunction,
      identitySource: IdentitySource.header('Authorization'),
      validationRegex: BEARER_JWT,
      resultsCacheTtl: cacheTtl,
    });

    // Bodies are form-encoded (RFC 6749) and checked by the functions; the validator checks the
    // parameters each method declares as required (its path parameters).
    const validator = this.api.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    for (const route of routes) this.addRoute(route, props.backend, validator);

    for (const response of gatewayResponses) {
      this.api.addGatewayResponse(`Response${response.type}`, {
        type: ResponseType.of(response.type),
        ...(response.statusCode !== undefined ? { statusCode: String(response.statusCode) } : {}),
        responseHeaders: Object.fromEntries(
          Object.entries(response.headers).map(([name, value]) => [name, staticMappingValue(name, value)]),
        ),
        templates: {
          [GATEWAY_RESPONSE_CONTENT_TYPE]: staticTemplate(response.type, JSON.stringify(response.body)),
        },
      });
    }

    if (props.webAclArn) {
      new CfnWebACLAssociation(this, 'WebAcl', {
        resourceArn: this.api.deploymentStage.stageArn,
        webAclArn: props.webAclArn,
      });
    }

    if (!props.webAclArn)
      acknowledge(this.api.deploymentStage, 'AwsSolutions', 'AwsSolutions-APIG3', REASONS.noWebAcl);
    if (!tracing)
      acknowledge(
        this.api.deploymentStage,
        'Serverless',
        'Serverless-APIGWXrayEnabled',
        REASONS.tracingDisabled,
      );
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      acknowledge(
        cloudWatchRole,
        'AwsSolutions',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        REASONS.cloudWatchRoleManagedPolicy,
      );
    }
  }

  private addRoute(
    route: RouteDefinition,
    backend: TinyOAuthBackend | undefined,
    validator: RequestValidator,
  ): void {
    const resource = this.api.root.resourceForPath(route.path);
    const parameters = pathParameters(route.path);
    const requestParameters = Object.fromEntries(
      parameters.map(({ name }) => [`method.request.path.${name}`, true]),
    );
    const integration =
      route.authorized && backend ? backendIntegration(route, backend, parameters) : undefined;
    const fn = this.functions[route.function];
    if (!integration && !fn)
      throw new Error(`Route ${route.method} ${route.path} has no function "${route.function}"`);
    const method = resource.addMethod(
      route.method,
      integration ?? new LambdaIntegration(fn as TinyOAuthFunction, { allowTestInvoke: false }),
      {
        requestValidator: validator,
        requestParameters,
        ...(route.authorized
          ? { authorizer: this.authorizer, authorizationType: AuthorizationType.CUSTOM }
          : { authorizationType: AuthorizationType.NONE }),
      },
    );
    if (route.authorized) acknowledgeAuthorizedMethod(method);
    else acknowledgePublicMethod(method, route);
  }
}

/** `{name}` and `{name+}` of an API Gateway resource path. */
function pathParameters(path: string): { name: string; greedy: boolean }[] {
  return [...path.matchAll(/\{([A-Za-z0-9_]+)(\+?)\}/g)].map((match) => ({
    name: match[1] as string,
    greedy: match[2] === '+',
  }));
}

/**
 * The backend of an authorized route. `/protected/{proxy+}` → `${httpUrl}/{proxy}`: the first path
 * segment names tinyoauth's protected area, the rest is the backend's own path.
 */
function backendIntegration(
  route: RouteDefinition,
  backend: TinyOAuthBackend,
  parameters: { name: string; greedy: boolean }[],
): Integration {
  if ('lambda' in backend) return new LambdaIntegration(backend.lambda, { allowTestInvoke: false });
  const base = backend.httpUrl.replace(/\/+$/, '');
  const rest = route.path.replace(/^\/[^/]+/, '').replace(/\{([A-Za-z0-9_]+)\+\}/g, '{$1}');
  const identity = Object.entries(IDENTITY_HEADERS).map(([contextKey, header]) => [
    `integration.request.header.${header}`,
    `context.authorizer.${contextKey}`,
  ]);
  return new HttpIntegration(`${base}${rest}`, {
    proxy: true,
    httpMethod: 'ANY',
    options: {
      requestParameters: Object.fromEntries([
        ...parameters.map(({ name }) => [`integration.request.path.${name}`, `method.request.path.${name}`]),
        ...identity,
      ]),
    },
  });
}

/** The lifetimes as the functions' environment variables, in whole seconds. */
function tokenLifetimeSeconds(lifetimes: TokenLifetimes) {
  const defaults = loadConfig({});
  return {
    SESSION_TTL_SECONDS: lifetimes.session?.toSeconds() ?? defaults.sessionTtlSeconds,
    ACCESS_TOKEN_TTL_SECONDS: lifetimes.accessToken?.toSeconds() ?? defaults.accessTokenTtlSeconds,
    REFRESH_TOKEN_TTL_SECONDS: lifetimes.refreshToken?.toSeconds() ?? defaults.refreshTokenTtlSeconds,
    AUTHORIZATION_CODE_TTL_SECONDS:
      lifetimes.authorizationCode?.toSeconds() ?? defaults.authorizationCodeTtlSeconds,
  };
}

/**
 * Checks the props before anything is created, with the functions' own validation (config.ts and
 * protection.ts), so a bad setting fails `cdk synth` with their message rather than every cold start.
 * Values only known at deploy time (tokens) are checked with a stand-in.
 */
function validateProps(props: TinyOAuthProps, tablePrefix: string, lifetimes: Record<string, number>): void {
  const concrete = (value: string | undefined) =>
    value === undefined || Token.isUnresolved(value) ? 'https://deploy-time.invalid' : value;
  loadConfig({
    ...props.environment,
    ISSUER: concrete(props.issuer),
    RESOURCE_IDENTIFIER: concrete(props.resourceIdentifier),
    TABLE_PREFIX: tablePrefix,
    ...Object.fromEntries(Object.entries(lifetimes).map(([name, seconds]) => [name, String(seconds)])),
  });
  parseScopeRules(props.protectedScopes ? JSON.stringify(props.protectedScopes) : undefined);
  if (props.backend && 'httpUrl' in props.backend) {
    const url = props.backend.httpUrl;
    if (!Token.isUnresolved(url) && !/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(url)) {
      throw new Error(
        `backend.httpUrl must be an absolute http(s) URL without query or fragment, got "${url}"`,
      );
    }
  }
}

/** A static header value in API Gateway's mapping syntax: the value in single quotes. */
function staticMappingValue(name: string, value: string): string {
  if (value.includes("'")) throw new Error(`Gateway response header ${name} may not contain a single quote`);
  return `'${value}'`;
}

/** A gateway response body is a Velocity template; a static body must not contain `$` or `#`. */
function staticTemplate(type: string, body: string): string {
  if (/[$#]/.test(body)) throw new Error(`The ${type} gateway response body may not contain "$" or "#"`);
  return body;
}

/**
 * One JSON object per request. No header, no query string, no body: those carry credentials. The
 * authorizer's principal (the user's `sub`), client and token id are what an investigation needs.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: AccessLogField.contextRequestId(),
    extendedRequestId: AccessLogField.contextExtendedRequestId(),
    requestTime: AccessLogField.contextRequestTime(),
    ip: AccessLogField.contextIdentitySourceIp(),
    userAgent: AccessLogField.contextIdentityUserAgent(),
    httpMethod: AccessLogField.contextHttpMethod(),
    resourcePath: AccessLogField.contextResourcePath(),
    protocol: AccessLogField.contextProtocol(),
    status: AccessLogField.contextStatus(),
    responseLength: AccessLogField.contextResponseLength(),
    responseLatency: AccessLogField.contextResponseLatency(),
    integrationLatency: AccessLogField.contextIntegrationLatency(),
    integrationStatus: AccessLogField.contextIntegrationStatus(),
    errorType: AccessLogField.contextErrorResponseType(),
    errorMessage: AccessLogField.contextErrorMessage(),
    principal: AccessLogField.contextAuthorizerPrincipalId(),
    // With the principal, who called through which client with which token: the audit trail of every
    // protected request, cached authorizations included (the authorizer itself sees only cache misses).
    clientId: '$context.authorizer.client_id',
    tokenId: '$context.authorizer.jti',
    authorizerError: '$context.authorizer.error',
    authorizerLatency: '$context.authorizer.integrationLatency',
    xrayTraceId: AccessLogField.contextXrayTraceId(),
  }),
);
