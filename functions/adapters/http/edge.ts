/**
 * The edge between API Gateway (REST, v1 proxy events) and tinyoauth's handlers: parsing bodies and
 * parameters strictly, and turning results and errors into responses in exactly one place.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { DynamoDbUnavailable } from '#adapters/aws/dynamodb';
import type { Logger } from '#adapters/logger';
import {
  HttpError,
  InvalidRequest,
  PayloadTooLarge,
  ServerError,
  TemporarilyUnavailable,
  UnsupportedMediaType,
} from '#core/errors';

export type ApiEvent = APIGatewayProxyEvent;
export type ApiResult = APIGatewayProxyResult;
export type ApiHandler = (event: ApiEvent, context?: Partial<Context>) => Promise<ApiResult>;

/** Largest request body accepted, in bytes, before any parsing. */
export const MAX_BODY_BYTES = 16 * 1024;

const BASE_HEADERS = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'X-Content-Type-Options': 'nosniff',
};

export interface HttpResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  body,
  headers,
});

export const redirect = (status: 302 | 303, location: string): HttpResponse => ({
  status,
  headers: { Location: location },
});

export class HttpRequest {
  readonly headers: Map<string, string>;

  constructor(readonly event: ApiEvent) {
    this.headers = new Map();
    for (const [name, value] of Object.entries(event.headers ?? {})) {
      if (value !== undefined) this.headers.set(name.toLowerCase(), value);
    }
  }

  header(name: string): string | undefined {
    return this.headers.get(name.toLowerCase());
  }

  get requestId(): string {
    return this.event.requestContext?.requestId ?? 'unknown';
  }

  /** `Authorization: Bearer <token>` (RFC 6750 §2.1), or undefined when absent or another scheme. */
  bearerToken(): string | undefined {
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(this.header('authorization') ?? '');
    return match?.[1];
  }

  /** A named path parameter, as API Gateway extracted it from the route template. */
  pathParameter(name: string): string | undefined {
    return this.event.pathParameters?.[name] ?? undefined;
  }

  private rawBody(): string {
    const body = this.event.body ?? '';
    const bytes = this.event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
    if (bytes.length > MAX_BODY_BYTES) {
      throw new PayloadTooLarge(`The request body must be at most ${MAX_BODY_BYTES} bytes.`);
    }
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    if (text.includes('\uFFFD')) throw new InvalidRequest('The request body is not valid UTF-8.');
    return text;
  }

  private requireMediaType(expected: string): void {
    const mediaType = (this.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (mediaType !== expected) {
      // OAuth clients understand only RFC 6749 error codes, so a form endpoint answers invalid_request.
      const Refusal =
        expected === 'application/x-www-form-urlencoded' ? InvalidRequest : UnsupportedMediaType;
      throw new Refusal(`The request body must be sent as ${expected}.`);
    }
  }

  /** A JSON object body. Anything else (array, scalar, malformed, wrong media type) is a 4xx. */
  jsonObject(): Record<string, unknown> {
    this.requireMediaType('application/json');
    const text = this.rawBody();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new InvalidRequest('The request body is not valid JSON.');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new InvalidRequest('The request body must be a JSON object.');
    }
    return parsed as Record<string, unknown>;
  }

  /** An `application/x-www-form-urlencoded` body (RFC 6749 §3.2). */
  form(): Parameters {
    this.requireMediaType('application/x-www-form-urlencoded');
    return Parameters.fromSearchParams(new URLSearchParams(this.rawBody()));
  }

  /** The query string, with repeated parameters kept so that they can be refused. */
  query(): Parameters {
    const multi = this.event.multiValueQueryStringParameters ?? {};
    const single = this.event.queryStringParameters ?? {};
    const values = new Map<string, string[]>();
    for (const [name, list] of Object.entries(multi)) if (list) values.set(name, [...list]);
    for (const [name, value] of Object.entries(single)) {
      if (value !== undefined && !values.has(name)) values.set(name, [value]);
    }
    return new Parameters(values);
  }
}

/** Request parameters as RFC 6749 §3.1 treats them: each at most once, empty means absent. */
export class Parameters {
  constructor(private readonly values: Map<string, string[]>) {}

  static fromSearchParams(search: URLSearchParams): Parameters {
    const values = new Map<string, string[]>();
    for (const [name, value] of search) values.set(name, [...(values.get(name) ?? []), value]);
    return new Parameters(values);
  }

  /** The single value of `name`; a repeated parameter is an `invalid_request`. */
  get(name: string): string | undefined {
    const list = this.values.get(name);
    if (!list || list.length === 0) return undefined;
    if (list.length > 1) throw new InvalidRequest(`The "${name}" parameter must not be repeated.`);
    return list[0] === '' ? undefined : list[0];
  }

  require(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw new InvalidRequest(`The "${name}" parameter is required.`);
    return value;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Names that appear more than once, for endpoints that must refuse duplicates up front. */
  repeated(): string[] {
    return [...this.values].filter(([, list]) => list.length > 1).map(([name]) => name);
  }
}

/** A required, non-empty string field of a JSON body. */
export function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (value === undefined || value === null) throw new InvalidRequest(`The "${name}" field is required.`);
  if (typeof value !== 'string') throw new InvalidRequest(`The "${name}" field must be a string.`);
  return value;
}

export function toApiResult(response: HttpResponse): ApiResult {
  const headers: Record<string, string> = { ...BASE_HEADERS, ...response.headers };
  // Pragma only backs up `no-store` for HTTP/1.0 caches; a cacheable response must not carry it.
  if (headers['Cache-Control'] !== 'no-store') delete headers.Pragma;
  if (response.body === undefined) return { statusCode: response.status, headers, body: '' };
  if (typeof response.body === 'string') return { statusCode: response.status, headers, body: response.body };
  headers['Content-Type'] ??= 'application/json; charset=utf-8';
  return { statusCode: response.status, headers, body: JSON.stringify(response.body) };
}

/** Turns any thrown value into a response. Only HttpError text reaches the client. */
export function errorResponse(error: unknown, envelope: Record<string, unknown> = {}): HttpResponse {
  const known = asHttpError(error);
  return json(
    known.status,
    { ...envelope, error: known.code, error_description: known.description, ...known.body() },
    known.headers,
  );
}

export function asHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof DynamoDbUnavailable) {
    return new TemporarilyUnavailable('The service is busy. Please retry shortly.', {
      headers: { 'Retry-After': '1' },
    });
  }
  return new ServerError('An unexpected error occurred.');
}

export interface HandlerOptions {
  logger: Logger;
  /** Members every error body of this endpoint carries, e.g. the login response's `result`. */
  errorEnvelope?: Record<string, unknown>;
}

/**
 * The one wrapper every handler runs in: a request object, a logger bound to the request id, and every
 * thrown error turned into a response by `renderError`, logged as a failure (5xx) or a refusal (4xx).
 */
export function handlerWith<R>(
  handle: (request: HttpRequest, logger: Logger) => Promise<R>,
  options: {
    logger: Logger;
    render: (result: R) => ApiResult;
    renderError: (error: HttpError, request: HttpRequest) => ApiResult;
  },
): ApiHandler {
  return async (event, context) => {
    const request = new HttpRequest(event);
    const logger = options.logger.child({
      requestId: request.requestId,
      awsRequestId: context?.awsRequestId,
    });
    try {
      return options.render(await handle(request, logger));
    } catch (error) {
      const known = asHttpError(error);
      if (known.status >= 500) {
        logger.error('request failed', { error, path: event.path, method: event.httpMethod });
      } else {
        logger.info('request refused', { status: known.status, code: known.code, detail: known.detail });
      }
      return options.renderError(known, request);
    }
  };
}

/** Wraps a JSON handler so that every outcome, thrown or returned, becomes a well-formed response. */
export function httpHandler(
  handle: (request: HttpRequest, logger: Logger) => Promise<HttpResponse>,
  options: HandlerOptions,
): ApiHandler {
  return handlerWith(handle, {
    logger: options.logger,
    render: toApiResult,
    renderError: (error) => toApiResult(errorResponse(error, options.errorEnvelope)),
  });
}
