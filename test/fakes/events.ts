import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ApiEvent } from '#adapters/http/request';
import { buildProxyEvent } from '#infra/local/events';

interface EventInput {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  query?: Record<string, string | string[]>;
  form?: Record<string, string | string[]>;
  json?: unknown;
  pathParameters?: Record<string, string>;
}

const encode = (values: Record<string, string | string[]>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    for (const entry of Array.isArray(value) ? value : [value]) search.append(name, entry);
  }
  return search.toString();
};

/** The API Gateway REST (v1 proxy) event the local gateway builds for such a request. */
export function apiEvent(input: EventInput = {}): ApiEvent {
  const headers: Record<string, string> = { ...input.headers };
  let body = '';
  if (input.form) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    body = encode(input.form);
  } else if (input.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(input.json);
  }
  const path = input.path ?? '/';
  return buildProxyEvent(
    {
      method: input.method ?? (body === '' ? 'GET' : 'POST'),
      path,
      query: encode(input.query ?? {}),
      rawHeaders: Object.entries(headers),
      body: Buffer.from(body),
      sourceIp: '127.0.0.1',
    },
    {
      requestId: randomUUID(),
      now: Date.now(),
      resource: path,
      pathParameters: input.pathParameters ?? null,
    },
  );
}

export const basic = (clientId: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A PKCE pair (RFC 7636): a fresh verifier and its S256 challenge. */
export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A bare POST with a JSON body, `overrides` on top: the shape a handler test needs and nothing else. */
export function postEvent(overrides: Partial<ApiEvent> = {}): ApiEvent {
  return {
    httpMethod: 'POST',
    path: '/x',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
    isBase64Encoded: false,
    requestContext: { requestId: 'req-1' },
    ...overrides,
  } as ApiEvent;
}
