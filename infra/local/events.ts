/**
 * The events and context API Gateway (REST, Lambda proxy integration) and Lambda hand to a function,
 * built from a plain description of the HTTP request. Pure: ids and time are passed in.
 */
import type { APIGatewayProxyEvent, APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';

/** The fake account, region, API id and stage of every local ARN. */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'local';
export const LOCAL_API_ID = 'local';
export const LOCAL_STAGE = 'local';

export interface IncomingRequest {
  method: string;
  /** The URL path, percent-encoded as sent (dot segments already resolved). */
  path: string;
  /** The query string without `?`; empty when there is none. */
  query: string;
  /** Header names and values in the order received, names in the client's spelling. */
  rawHeaders: readonly [string, string][];
  body: Buffer;
  sourceIp: string;
}

export interface EventContext {
  requestId: string;
  /** Epoch milliseconds. */
  now: number;
  /** The route template, e.g. `/protected/{proxy+}`. */
  resource: string;
  pathParameters: Record<string, string> | null;
  /** What the authorizer returned, already in the shape API Gateway passes on. */
  authorizer?: Record<string, string | number>;
}

const TEXT_TYPES =
  /^(text\/.*|application\/json|application\/[a-z0-9.+-]+\+json|application\/x-www-form-urlencoded)$/;

/** Whether API Gateway would pass a body of this content type as text (else base64, `isBase64Encoded`). */
export function isTextual(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return mediaType !== undefined && TEXT_TYPES.test(mediaType);
}

function headerMaps(rawHeaders: readonly [string, string][]) {
  // API Gateway keeps the client's spelling of a name; one entry per name whatever its case.
  const spelling = new Map<string, string>();
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of rawHeaders) {
    const key = spelling.get(name.toLowerCase()) ?? name;
    spelling.set(name.toLowerCase(), key);
    multiValueHeaders[key] = [...(multiValueHeaders[key] ?? []), value];
  }
  // The single-value map holds the last value, as API Gateway's REST events do.
  const headers = Object.fromEntries(
    Object.entries(multiValueHeaders).map(([name, values]) => [name, values.at(-1)!]),
  );
  return { headers, multiValueHeaders };
}

function queryMaps(query: string) {
  if (query === '') return { queryStringParameters: null, multiValueQueryStringParameters: null };
  const multi: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(query)) multi[name] = [...(multi[name] ?? []), value];
  if (Object.keys(multi).length === 0)
    return { queryStringParameters: null, multiValueQueryStringParameters: null };
  const single = Object.fromEntries(Object.entries(multi).map(([name, values]) => [name, values.at(-1)!]));
  return { queryStringParameters: single, multiValueQueryStringParameters: multi };
}

/** `09/Apr/2015:12:34:56 +0000`, API Gateway's `requestTime`. */
function requestTime(now: number): string {
  const date = new Date(now);
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${month}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** The Lambda proxy event API Gateway would send for this request. */
export function buildProxyEvent(request: IncomingRequest, context: EventContext): APIGatewayProxyEvent {
  const { headers, multiValueHeaders } = headerMaps(request.rawHeaders);
  const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  const hasBody = request.body.length > 0;
  const textual = isTextual(contentType);
  const userAgent =
    Object.entries(headers).find(([name]) => name.toLowerCase() === 'user-agent')?.[1] ?? null;

  return {
    resource: context.resource,
    path: request.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    ...queryMaps(request.query),
    pathParameters: context.pathParameters,
    stageVariables: null,
    body: hasBody ? request.body.toString(textual ? 'utf8' : 'base64') : null,
    isBase64Encoded: hasBody && !textual,
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: LOCAL_API_ID,
      // Undefined when no authorizer ran (absent once serialized, as in API Gateway's events).
      authorizer: context.authorizer,
      domainName: headers.Host ?? headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      extendedRequestId: context.requestId,
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent,
        userArn: null,
      },
      path: request.path,
      protocol: 'HTTP/1.1',
      requestId: context.requestId,
      requestTime: requestTime(context.now),
      requestTimeEpoch: context.now,
      resourceId: context.resource,
      resourcePath: context.resource,
      stage: LOCAL_STAGE,
    },
  };
}

/** `arn:aws:execute-api:local:000000000000:local/local/GET/protected/a`: what the authorizer's policy must cover. */
export const methodArn = (method: string, path: string): string =>
  `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${LOCAL_API_ID}/${LOCAL_STAGE}/${method}/${path.replace(/^\//, '')}`;

/** The event of a TOKEN authorizer whose identity source is the Authorization header. */
export const buildTokenAuthorizerEvent = (
  authorizationToken: string,
  method: string,
  path: string,
): APIGatewayTokenAuthorizerEvent => ({
  type: 'TOKEN',
  authorizationToken,
  methodArn: methodArn(method, path),
});

/** API Gateway gives up on an integration after 29 s; a local handler gets the same budget. */
export const INTEGRATION_TIMEOUT_MS = 29_000;

/** The Lambda context a handler receives, for a function of this name invoked now. */
export function lambdaContext(
  functionName: string,
  options: { requestId: string; now: () => number; memoryMB?: number; timeoutMs?: number },
): Context {
  const deadline = options.now() + (options.timeoutMs ?? INTEGRATION_TIMEOUT_MS);
  const legacy = () => {
    throw new Error('tinyoauth handlers are async: return the result instead of calling done/succeed/fail');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: String(options.memoryMB ?? 128),
    awsRequestId: options.requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - options.now()),
    done: legacy,
    fail: legacy,
    succeed: legacy,
  };
}
