/**
 * Responses as handlers return them, and their API Gateway proxy form. Every response is `no-store`
 * unless it says otherwise, and cookies travel as one `Set-Cookie` line each.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';

export type ApiResult = APIGatewayProxyResult;

export interface HttpResponse {
  status: number;
  /** A string is sent as it is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Each becomes its own `Set-Cookie` line. */
  cookies?: string[];
}

const BASE_HEADERS = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'X-Content-Type-Options': 'nosniff',
};

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  body,
  headers,
});

export const redirect = (status: 302 | 303, location: string, headers: Record<string, string> = {}) => ({
  status,
  headers: { Location: location, ...headers },
});

/** 303 See Other: the answer to a form POST, so that reloading the next page never re-posts the form. */
export const seeOther = (location: string, cookies: string[] = []): HttpResponse => ({
  ...redirect(303, location, { 'Referrer-Policy': 'no-referrer' }),
  ...(cookies.length > 0 ? { cookies } : {}),
});

export function toApiResult(response: HttpResponse): ApiResult {
  const headers: Record<string, string> = { ...BASE_HEADERS, ...response.headers };
  // Pragma only backs up `no-store` for HTTP/1.0 caches; a cacheable response must not carry it.
  if (headers['Cache-Control'] !== 'no-store') delete headers.Pragma;
  const result: ApiResult = { statusCode: response.status, headers, body: '' };
  if (typeof response.body === 'string') result.body = response.body;
  else if (response.body !== undefined) {
    headers['Content-Type'] ??= 'application/json; charset=utf-8';
    result.body = JSON.stringify(response.body);
  }
  // A header map holds one value per name, so cookies go in `multiValueHeaders`.
  if (response.cookies && response.cookies.length > 0) {
    result.multiValueHeaders = { 'Set-Cookie': [...response.cookies] };
  }
  return result;
}
