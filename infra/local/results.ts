/**
 * From what a function returned (or what the gateway decided) to the bytes of an HTTP response, as API
 * Gateway does it for a Lambda proxy integration: headers merged with multiValueHeaders (so several
 * Set-Cookie survive), base64 bodies decoded, and anything malformed turned into a 502.
 */
import {
  type Challenge,
  GATEWAY_RESPONSE_CONTENT_TYPE,
  type GatewayResponseType,
  gatewayResponse,
  gatewayResponseWith,
} from '#infra/gateway-responses';
import { methodNotAllowed } from '#infra/method-not-allowed';

export interface HttpResponse {
  status: number;
  /** One entry per header name; several values are sent as several header lines. */
  headers: Record<string, string[]>;
  body: Buffer;
}

export class MalformedProxyResult extends Error {
  override readonly name = 'MalformedProxyResult';
}

const jsonResponse = (status: number, headers: Record<string, string>, body: unknown): HttpResponse => ({
  status,
  headers: {
    ...Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    'Content-Type': [GATEWAY_RESPONSE_CONTENT_TYPE],
  },
  body: Buffer.from(JSON.stringify(body)),
});

/** One of the gateway responses of infra/gateway-responses.ts; the defaults keep the status of the error they stand for. */
export function gatewayHttpResponse(
  type: GatewayResponseType,
  status?: number,
  challenge?: Challenge,
): HttpResponse {
  const definition = challenge ? gatewayResponseWith(type, challenge) : gatewayResponse(type);
  const code = definition.statusCode ?? status;
  if (code === undefined)
    throw new Error(`The ${type} gateway response needs the status of the error it answers`);
  return jsonResponse(code, definition.headers, definition.body);
}

/** 405 for a method the path's routes do not have, as the CDK stack's mock integration answers it. */
export function methodNotAllowedResponse(allowed: readonly string[]): HttpResponse {
  const { statusCode, headers, body } = methodNotAllowed(allowed);
  return jsonResponse(statusCode, headers, body);
}

/**
 * API Gateway's answer when the integration failed: the function threw, returned something that is not
 * a proxy result, or an HTTP backend could not be reached. Status 502; uncustomized, the body would be
 * `{"message": "Internal server error"}`, but DEFAULT_5XX is customized (it is the fallback of every 5XX
 * API Gateway sends itself), so the body and headers are DEFAULT_5XX's.
 */
export function integrationFailure(): HttpResponse {
  const fallback = gatewayResponse('DEFAULT_5XX');
  return jsonResponse(502, fallback.headers, fallback.body);
}

// Framing is the gateway's business, not the function's.
const HOP_BY_HOP = new Set(['connection', 'content-length', 'keep-alive', 'transfer-encoding', 'upgrade']);

type Scalar = string | number | boolean;
const isScalar = (value: unknown): value is Scalar =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

function record(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new MalformedProxyResult(`${what} must be an object`);
  return value as Record<string, unknown>;
}

/** The HTTP response for a Lambda proxy result; throws MalformedProxyResult where API Gateway would 502. */
export function proxyResultToResponse(result: unknown): HttpResponse {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    throw new MalformedProxyResult('The result is not an object');
  }
  const { statusCode, body, isBase64Encoded } = result as Record<string, unknown>;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    throw new MalformedProxyResult('statusCode must be an integer from 100 to 599');
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    throw new MalformedProxyResult('body must be a string');
  }
  if (isBase64Encoded !== undefined && typeof isBase64Encoded !== 'boolean') {
    throw new MalformedProxyResult('isBase64Encoded must be a boolean');
  }

  // Names compare case-insensitively; the first spelling seen is the one sent.
  const merged = new Map<string, { name: string; values: string[] }>();
  const add = (name: string, value: Scalar) => {
    const key = name.toLowerCase();
    if (HOP_BY_HOP.has(key)) return;
    const entry = merged.get(key) ?? { name, values: [] };
    merged.set(key, entry);
    entry.values.push(String(value));
  };
  const multiValueHeaders = record(
    (result as Record<string, unknown>).multiValueHeaders,
    'multiValueHeaders',
  );
  for (const [name, values] of Object.entries(multiValueHeaders)) {
    if (!Array.isArray(values) || !values.every(isScalar)) {
      throw new MalformedProxyResult(`multiValueHeaders.${name} must be a list of strings`);
    }
    for (const value of values) add(name, value);
  }
  const headers = record((result as Record<string, unknown>).headers, 'headers');
  for (const [name, value] of Object.entries(headers)) {
    if (!isScalar(value)) throw new MalformedProxyResult(`headers.${name} must be a string`);
    // A name and value given in both maps appear once (AWS: multiValueHeaders win).
    if (!merged.get(name.toLowerCase())?.values.includes(String(value))) add(name, value);
  }

  const text = body ?? '';
  return {
    status: statusCode,
    headers: Object.fromEntries([...merged.values()].map(({ name, values }) => [name, values])),
    body: isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}
