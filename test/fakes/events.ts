import { randomUUID } from 'node:crypto';
import type { ApiEvent } from '#commons/http';

interface EventInput {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  query?: Record<string, string | string[]>;
  form?: Record<string, string | string[]>;
  json?: unknown;
  pathParameters?: Record<string, string>;
}

/** An API Gateway REST (v1 proxy) event, as the gateway would build it for a request. */
export function apiEvent(input: EventInput = {}): ApiEvent {
  const headers: Record<string, string> = { ...input.headers };
  let body: string | null = null;
  if (input.form) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(input.form)) {
      for (const entry of Array.isArray(value) ? value : [value]) search.append(name, entry);
    }
    body = search.toString();
  } else if (input.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(input.json);
  }
  const multi: Record<string, string[]> = {};
  const single: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.query ?? {})) {
    const list = Array.isArray(value) ? value : [value];
    multi[name] = list;
    single[name] = list[list.length - 1] as string;
  }
  const hasQuery = Object.keys(multi).length > 0;
  return {
    httpMethod: input.method ?? (body === null ? 'GET' : 'POST'),
    path: input.path ?? '/',
    resource: input.path ?? '/',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: hasQuery ? single : null,
    multiValueQueryStringParameters: hasQuery ? multi : null,
    pathParameters: input.pathParameters ?? null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: { requestId: randomUUID() } as ApiEvent['requestContext'],
  } as ApiEvent;
}

export const basic = (clientId: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
