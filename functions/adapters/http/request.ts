/**
 * A request as API Gateway (REST, v1 proxy events) delivers it, read strictly: bodies are size-limited,
 * of the declared media type and valid UTF-8; query strings and forms keep repeated parameters so that
 * the OAuth endpoints can refuse them (RFC 6749 §3.1).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { InvalidRequest, PayloadTooLarge, UnsupportedMediaType } from '#core/errors';
import { Parameters } from '#core/oauth/parameters';

export type ApiEvent = APIGatewayProxyEvent;

/** Largest request body accepted, in bytes, before any parsing. */
export const MAX_BODY_BYTES = 16 * 1024;

const FORM = 'application/x-www-form-urlencoded';
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

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

  get method(): string {
    return this.event.httpMethod;
  }

  get requestId(): string {
    return this.event.requestContext?.requestId ?? 'unknown';
  }

  /** The caller's IP address as API Gateway saw it (the rate limits' "source address"). */
  sourceAddress(): string | undefined {
    return this.event.requestContext?.identity?.sourceIp ?? undefined;
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

  /** The body as UTF-8 text, within the size limit, for a protocol that parses it itself. */
  text(): string {
    return this.rawBody();
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
      const Refusal = expected === FORM ? InvalidRequest : UnsupportedMediaType;
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

  /** The name-value pairs of an `application/x-www-form-urlencoded` body (RFC 6749 §3.2), in order. */
  formPairs(): [string, string][] {
    this.requireMediaType(FORM);
    return [...new URLSearchParams(this.rawBody())];
  }

  form(): Parameters {
    return Parameters.fromPairs(this.formPairs());
  }

  /**
   * The query string's pairs, in order, repeated names kept. REST API events hold them twice: every value
   * in `multiValueQueryStringParameters`, the last one in `queryStringParameters` (which a hand-made
   * event may carry alone).
   */
  queryPairs(): [string, string][] {
    const multi = this.event.multiValueQueryStringParameters ?? {};
    const single = this.event.queryStringParameters ?? {};
    const pairs: [string, string][] = [];
    for (const [name, values] of Object.entries(multi))
      for (const value of values ?? []) pairs.push([name, value]);
    for (const [name, value] of Object.entries(single)) {
      if (value !== undefined && !Object.hasOwn(multi, name)) pairs.push([name, value]);
    }
    return pairs;
  }

  query(): Parameters {
    return Parameters.fromPairs(this.queryPairs());
  }

  /**
   * The cookies the request carries, first value per name. REST API events keep every `Cookie` header
   * line in `multiValueHeaders`; browsers send one, but nothing is lost if a proxy splits it.
   */
  cookies(): Map<string, string> {
    const lines: string[] = [];
    for (const [name, values] of Object.entries(this.event.multiValueHeaders ?? {})) {
      if (name.toLowerCase() === 'cookie' && values) lines.push(...values);
    }
    if (lines.length === 0) {
      const single = this.header('cookie');
      if (single !== undefined) lines.push(single);
    }
    const cookies = new Map<string, string>();
    for (const pair of lines.join(';').split(';')) {
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const name = pair.slice(0, at).trim();
      let value = pair.slice(at + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      // The first one wins: browsers send the cookie with the most specific path first.
      if (COOKIE_NAME.test(name) && !cookies.has(name)) cookies.set(name, value);
    }
    return cookies;
  }

  /** Whether the caller is a browser showing pages: it accepts HTML and sends no API credentials. */
  prefersHtml(): boolean {
    if (this.header('authorization') !== undefined) return false;
    return /(^|,)\s*text\/html\s*(;|,|$)/i.test(this.header('accept') ?? '');
  }
}

/** A required, non-empty string field of a JSON body. */
export function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (value === undefined || value === null) throw new InvalidRequest(`The "${name}" field is required.`);
  if (typeof value !== 'string') throw new InvalidRequest(`The "${name}" field must be a string.`);
  return value;
}
