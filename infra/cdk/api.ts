/**
 * The REST API around tinyoauth's routes: the stage with its throttling, tracing and logs, the optional
 * custom domain, the gateway responses of infra/gateway-responses.ts, and the web ACL. Everything is
 * created in the scope of the `TinyOAuth` construct, whose logical IDs deployed stacks already carry.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  EndpointType,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigateway';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { ARecord, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayDomain } from 'aws-cdk-lib/aws-route53-targets';
import { CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { PROTECTED_AREA } from '#contract/protection';
import { protectedResourceMetadataUrl } from '#contract/resources';
import {
  type Challenge,
  GATEWAY_RESPONSE_CONTENT_TYPE,
  gatewayResponses,
  gatewayResponseWith,
} from '#infra/gateway-responses';
import { acknowledge, REASONS } from './acknowledgements.ts';
import type { TinyOAuthCustomDomain, TinyOAuthProps } from './props.ts';
import type { Settings } from './settings.ts';

export interface ApiOptions extends Pick<Settings, 'stageName' | 'throttling' | 'tracing' | 'logRetention'> {
  customDomain: TinyOAuthCustomDomain | undefined;
  cloudWatchRole: boolean;
}

/** The API, its stage and both of its log groups, and the custom domain when there is one. */
export function createApi(scope: Construct, options: ApiOptions): { api: RestApi; accessLogs: LogGroup } {
  const accessLogs = new LogGroup(scope, 'AccessLogs', {
    retention: options.logRetention,
    // The audit trail of who called what: kept after the stack is gone, until its retention ends.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const api = new RestApi(scope, 'Api', {
    restApiName: `${Stack.of(scope).stackName}-tinyoauth`,
    description: 'tinyoauth: OAuth 2.0 authorization server',
    endpointTypes: [EndpointType.REGIONAL],
    cloudWatchRole: options.cloudWatchRole,
    // With a custom domain the issuer is that domain; a second way in would be a second issuer URL.
    disableExecuteApiEndpoint: options.customDomain !== undefined,
    deployOptions: {
      stageName: options.stageName,
      throttlingRateLimit: options.throttling.rateLimit,
      throttlingBurstLimit: options.throttling.burstLimit,
      tracingEnabled: options.tracing,
      // Errors only, and never request or response bodies: those hold passwords and tokens.
      loggingLevel: MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
      metricsEnabled: false,
      accessLogDestination: new LogGroupLogDestination(accessLogs),
      accessLogFormat: ACCESS_LOG_FORMAT,
    },
  });
  // API Gateway would create the execution log group itself, without retention; create it first.
  const executionLogs = new LogGroup(scope, 'ExecutionLogs', {
    logGroupName: `API-Gateway-Execution-Logs_${api.restApiId}/${options.stageName}`,
    retention: options.logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  api.deploymentStage.node.addDependency(executionLogs);
  if (options.customDomain) addCustomDomain(scope, api, options.customDomain);
  return { api, accessLogs };
}

function addCustomDomain(scope: Construct, api: RestApi, customDomain: TinyOAuthCustomDomain): void {
  const domain = api.addDomainName('Domain', {
    domainName: customDomain.domainName,
    certificate: customDomain.certificate,
    endpointType: EndpointType.REGIONAL,
    securityPolicy: SecurityPolicy.TLS_1_2,
  });
  if (customDomain.hostedZone) {
    new ARecord(scope, 'DomainRecord', {
      zone: customDomain.hostedZone,
      recordName: customDomain.domainName,
      target: RecordTarget.fromAlias(new ApiGatewayDomain(domain)),
    });
  }
}

/** The base URLs the API answers at, and so the issuer unless the props name another. */
export function apiUrls(
  api: RestApi,
  props: Pick<TinyOAuthProps, 'customDomain' | 'issuer'> & Pick<Settings, 'stageName'>,
): { apiUrl: string; issuer: string } {
  const stack = Stack.of(api);
  const issuer =
    props.issuer ??
    (props.customDomain
      ? `https://${props.customDomain.domainName}`
      : `https://${api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${props.stageName}`);
  return {
    apiUrl: props.customDomain ? `https://${props.customDomain.domainName}/` : api.url,
    issuer: issuer.replace(/\/+$/, ''),
  };
}

/**
 * The challenge of the API's 401 and 403: gateway responses are one per API and their headers literal,
 * so it names a resource server's metadata only while the default server serves every path. With more
 * servers it names none, and clients find the metadata from the request's URL (RFC 9728 §3.1; DESIGN.md).
 */
export function cloudChallenge(issuer: string, resourceServers: string | undefined): Challenge {
  return resourceServers === undefined
    ? { resourceMetadata: protectedResourceMetadataUrl(issuer, { path: PROTECTED_AREA }) }
    : {};
}

/** API Gateway's own answers (no route, no token, throttled, ...), as infra/gateway-responses.ts defines them. */
export function addGatewayResponses(api: RestApi, challenge: Challenge): void {
  for (const { type } of gatewayResponses) {
    const response = gatewayResponseWith(type, challenge);
    api.addGatewayResponse(`Response${response.type}`, {
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
}

/** The web ACL in front of the stage when there is one; cdk-nag told why what is missing is missing. */
export function protectStage(
  scope: Construct,
  api: RestApi,
  options: { webAclArn: string | undefined; tracing: boolean },
): void {
  if (options.webAclArn) {
    new CfnWebACLAssociation(scope, 'WebAcl', {
      resourceArn: api.deploymentStage.stageArn,
      webAclArn: options.webAclArn,
    });
  } else acknowledge(api.deploymentStage, 'AwsSolutions', 'AwsSolutions-APIG3', REASONS.noWebAcl);
  if (!options.tracing)
    acknowledge(api.deploymentStage, 'Serverless', 'Serverless-APIGWXrayEnabled', REASONS.tracingDisabled);
  const cloudWatchRole = api.node.tryFindChild('CloudWatchRole');
  if (cloudWatchRole) {
    acknowledge(
      cloudWatchRole,
      'AwsSolutions',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      REASONS.cloudWatchRoleManagedPolicy,
    );
  }
}

/** A static header value in API Gateway's mapping syntax: the value in single quotes. */
export function staticMappingValue(name: string, value: string): string {
  if (value.includes("'")) throw new Error(`Gateway response header ${name} may not contain a single quote`);
  return `'${value}'`;
}

/** A gateway response body is a Velocity template; a static body must not contain `$` or `#`. */
export function staticTemplate(type: string, body: string): string {
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
