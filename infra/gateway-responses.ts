/**
 * What API Gateway itself answers when a request never reaches a function: no route, no or a bad token,
 * a denied policy, a broken authorizer, throttling, a body too large. Defined once, here: the CDK stack
 * maps each entry 1:1 to a gateway response (`type` is API Gateway's ResponseType name) and the local
 * gateway answers with the same status, headers and body, so a client sees the same thing in both.
 *
 * Every body is OAuth-style JSON (`error`, `error_description`), never API Gateway's `{"message": ...}`,
 * and never cached.
 */

export type GatewayResponseType =
  | 'UNAUTHORIZED'
  | 'ACCESS_DENIED'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'AUTHORIZER_FAILURE'
  | 'AUTHORIZER_CONFIGURATION_ERROR'
  | 'THROTTLED'
  | 'REQUEST_TOO_LARGE'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX';

export interface GatewayResponseDefinition {
  type: GatewayResponseType;
  /**
   * Absent on DEFAULT_4XX and DEFAULT_5XX: a status there would override the status of every response
   * of the class that is not customized itself (a 415 or a 502 would become 400 or 500).
   */
  statusCode?: number;
  /** Sent as they are; the CDK stack quotes them (`'value'`) for API Gateway's mapping syntax. */
  headers: Record<string, string>;
  body: { error: string; error_description: string };
}

/** The media type of every gateway response body (the CDK template key). */
export const GATEWAY_RESPONSE_CONTENT_TYPE = 'application/json';

const NO_STORE = { 'Cache-Control': 'no-store' };

export const gatewayResponses: readonly GatewayResponseDefinition[] = [
  {
    // RFC 6750 §3.1. API Gateway uses this one response both for a missing Authorization header and for
    // an authorizer that answered `Unauthorized`, so it cannot leave out the error code for the former.
    type: 'UNAUTHORIZED',
    statusCode: 401,
    headers: { ...NO_STORE, 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    body: {
      error: 'invalid_token',
      error_description: 'The access token is missing, invalid, expired or revoked.',
    },
  },
  {
    type: 'ACCESS_DENIED',
    statusCode: 403,
    headers: { ...NO_STORE, 'WWW-Authenticate': 'Bearer error="insufficient_scope"' },
    body: {
      error: 'insufficient_scope',
      error_description: 'The access token does not grant access to this resource.',
    },
  },
  {
    // API Gateway's answer for a path it has no route for; 403 by default, which would wrongly suggest
    // that a credential could help. (A known path with another method is 405: infra/method-not-allowed.ts.)
    type: 'MISSING_AUTHENTICATION_TOKEN',
    statusCode: 404,
    headers: NO_STORE,
    body: { error: 'not_found', error_description: 'There is no such endpoint.' },
  },
  {
    type: 'AUTHORIZER_FAILURE',
    statusCode: 500,
    headers: NO_STORE,
    body: { error: 'server_error', error_description: 'The request could not be authorized. Please retry.' },
  },
  {
    type: 'AUTHORIZER_CONFIGURATION_ERROR',
    statusCode: 500,
    headers: NO_STORE,
    body: { error: 'server_error', error_description: 'The request could not be authorized. Please retry.' },
  },
  {
    type: 'THROTTLED',
    statusCode: 429,
    headers: NO_STORE,
    body: { error: 'too_many_requests', error_description: 'Too many requests. Please retry later.' },
  },
  {
    type: 'REQUEST_TOO_LARGE',
    statusCode: 413,
    headers: NO_STORE,
    body: { error: 'invalid_request', error_description: 'The request is too large.' },
  },
  {
    type: 'DEFAULT_4XX',
    headers: NO_STORE,
    body: { error: 'invalid_request', error_description: 'The request could not be processed.' },
  },
  {
    type: 'DEFAULT_5XX',
    headers: NO_STORE,
    body: { error: 'server_error', error_description: 'An unexpected error occurred. Please retry.' },
  },
];

export function gatewayResponse(type: GatewayResponseType): GatewayResponseDefinition {
  const found = gatewayResponses.find((response) => response.type === type);
  if (!found) throw new Error(`No gateway response is defined for ${type}`);
  return found;
}

/**
 * What a 401 or 403 of the authorizer tells the client in `WWW-Authenticate` (RFC 6750 §3, RFC 9728
 * §5.1): where the metadata of the resource server serving the path is, and for a 403 the scope the
 * request needs. The local gateway knows each of these per request; the CDK stack's gateway responses
 * are one per API with literal headers, so it passes what holds for every path (DESIGN.md says what).
 */
export interface Challenge {
  /** The RFC 9728 metadata URL of the resource server serving the request's path. */
  resourceMetadata?: string | undefined;
  /** RFC 6750 §3.1: a request that carried no token gets no error code. */
  tokenMissing?: boolean;
  /** The scopes the request needs, for a 403 `insufficient_scope`. */
  scope?: string | undefined;
}

const quoted = (value: string): string => `"${value.replace(/["\\]/g, '')}"`;

export function challengeHeader(type: 'UNAUTHORIZED' | 'ACCESS_DENIED', challenge: Challenge): string {
  const parameters: string[] = [];
  if (type === 'ACCESS_DENIED') parameters.push('error="insufficient_scope"');
  else if (!challenge.tokenMissing) parameters.push('error="invalid_token"');
  if (type === 'ACCESS_DENIED' && challenge.scope) parameters.push(`scope=${quoted(challenge.scope)}`);
  if (challenge.resourceMetadata) parameters.push(`resource_metadata=${quoted(challenge.resourceMetadata)}`);
  return parameters.length === 0 ? 'Bearer' : `Bearer ${parameters.join(', ')}`;
}

/** The gateway response with its challenge for these facts (the other responses as they are). */
export function gatewayResponseWith(
  type: GatewayResponseType,
  challenge: Challenge,
): GatewayResponseDefinition {
  const definition = gatewayResponse(type);
  if (type !== 'UNAUTHORIZED' && type !== 'ACCESS_DENIED') return definition;
  return {
    ...definition,
    headers: { ...definition.headers, 'WWW-Authenticate': challengeHeader(type, challenge) },
  };
}
