/**
 * An HTTP proxy integration for authorized routes: the request goes on to an HTTP backend, path after the
 * route's literal prefix appended to the backend URL, query, method and body unchanged, with the caller's
 * identity from the authorizer context in the IDENTITY_HEADERS. A client can never set those headers
 * itself: every header it sent in their namespace (`X-Tinyoauth-…` in any case, with `-` or `_` between
 * words) is dropped first.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { IDENTITY_HEADERS, isIdentityHeaderSpelling } from '#contract/protection';
import type { HttpResponse } from './results.ts';

export interface BackendRequest {
  method: string;
  /** The path below the route's literal prefix, percent-encoded, starting with `/`. */
  path: string;
  /** Without `?`; empty when none. */
  query: string;
  rawHeaders: readonly [string, string][];
  body: Buffer;
  sourceIp: string;
  /** The authorizer context, values as strings. */
  identity: Record<string, string>;
}

// RFC 9110 §7.6.1, plus the framing and host headers the outgoing request sets itself.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

/** The literal part of a route template before its first parameter, e.g. `/protected` of `/protected/{proxy+}`. */
export function literalPrefixSegments(routePath: string): number {
  const parts = routePath.slice(1).split('/');
  const firstParam = parts.findIndex((part) => part.startsWith('{'));
  return firstParam === -1 ? parts.length : firstParam;
}

/** The request path below the route's literal prefix: `/protected/a/b` of `/protected/{proxy+}` → `/a/b`. */
export const pathBelowPrefix = (routePath: string, requestPath: string): string =>
  `/${requestPath.slice(1).split('/').slice(literalPrefixSegments(routePath)).join('/')}`;

/** The headers the backend receives: the client's, minus hop-by-hop and spoofed identity, plus identity. */
export function backendHeaders(request: BackendRequest): [string, string][] {
  const dropped = new Set(HOP_BY_HOP);
  for (const [name, value] of request.rawHeaders) {
    // Headers the client named in Connection are hop-by-hop too.
    if (name.toLowerCase() === 'connection')
      for (const token of value.split(',')) dropped.add(token.trim().toLowerCase());
  }
  const headers: [string, string][] = [];
  let forwardedFor: string | undefined;
  for (const [name, value] of request.rawHeaders) {
    const key = name.toLowerCase();
    if (dropped.has(key) || isIdentityHeaderSpelling(key)) continue;
    if (key === 'x-forwarded-for') forwardedFor = forwardedFor ? `${forwardedFor}, ${value}` : value;
    else headers.push([name, value]);
  }
  headers.push(['X-Forwarded-For', forwardedFor ? `${forwardedFor}, ${request.sourceIp}` : request.sourceIp]);
  for (const [contextKey, headerName] of Object.entries(IDENTITY_HEADERS)) {
    const value = request.identity[contextKey];
    if (value !== undefined) headers.push([headerName, value]);
  }
  if (request.body.length > 0) headers.push(['Content-Length', String(request.body.length)]);
  return headers;
}

function responseHeaders(raw: IncomingHttpHeaders): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    headers[name] = Array.isArray(value) ? value : [value];
  }
  return headers;
}

/** Sends the request to the backend and returns its response; rejects when the backend cannot answer. */
export function forwardToBackend(
  baseUrl: string,
  request: BackendRequest,
  timeoutMs: number,
): Promise<HttpResponse> {
  const base = new URL(baseUrl);
  const target = new URL(base.href);
  target.pathname = `${base.pathname.replace(/\/$/, '')}${request.path}`;
  target.search = request.query;
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;

  return new Promise((resolve, reject) => {
    const outgoing = send(
      target,
      // A flat [name, value, name, value…] list keeps repeated headers and their order; with a list,
      // node adds no Host header of its own.
      {
        method: request.method,
        headers: [['Host', target.host], ...backendHeaders(request)].flat(),
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 502,
            headers: responseHeaders(response.headers),
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    outgoing.on('timeout', () =>
      outgoing.destroy(new Error(`No answer from ${target.origin} within ${timeoutMs} ms`)),
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}
