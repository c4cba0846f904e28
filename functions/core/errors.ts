/**
 * One class per error a client can see. Each carries the HTTP status, the RFC error code, a public
 * description (safe to return) and an optional private detail (logged, never returned).
 * `adapters/http/errors.ts` is the only place these become responses (JSON, an HTML page or a redirect).
 */

export interface ErrorOptions {
  /** Logged with the request id; never sent to the client. */
  detail?: string;
  /** Identifiers logged with the refusal (a client id, never a credential); never sent to the client. */
  logged?: Record<string, string>;
  headers?: Record<string, string>;
  cause?: unknown;
}

export abstract class OAuthError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  readonly detail: string | undefined;
  readonly logged: Record<string, string>;
  readonly headers: Record<string, string>;

  constructor(
    readonly description: string,
    options: ErrorOptions = {},
  ) {
    super(description, { cause: options.cause });
    this.detail = options.detail;
    this.logged = options.logged ?? {};
    this.headers = options.headers ?? {};
  }

  /** Extra members of the JSON body beyond `error` and `error_description`. */
  body(): Record<string, unknown> {
    return {};
  }
}

// RFC 6749 §4.1.2.1 and §5.2, RFC 7591, RFC 6750, OpenID Connect Core §3.1.2.6.
export class InvalidRequest extends OAuthError {
  readonly status = 400;
  readonly code = 'invalid_request';
}
export class InvalidClient extends OAuthError {
  readonly status = 401;
  readonly code = 'invalid_client';
}
export class InvalidGrant extends OAuthError {
  readonly status = 400;
  readonly code = 'invalid_grant';
}
/** An unknown client at the authorization endpoint: shown to the user, never redirected (RFC 6749 §4.1.2.1). */
export class UnknownClient extends OAuthError {
  readonly status = 400;
  readonly code = 'invalid_client';
}
export class UnauthorizedClient extends OAuthError {
  readonly status = 400;
  readonly code = 'unauthorized_client';
}
export class UnsupportedGrantType extends OAuthError {
  readonly status = 400;
  readonly code = 'unsupported_grant_type';
}
export class UnsupportedResponseType extends OAuthError {
  readonly status = 400;
  readonly code = 'unsupported_response_type';
}
export class InvalidScope extends OAuthError {
  readonly status = 400;
  readonly code = 'invalid_scope';
}
/** RFC 8707 §2: the requested resource is unknown, malformed, or not one this client may use. */
export class InvalidTarget extends OAuthError {
  readonly status = 400;
  readonly code = 'invalid_target';
}
export class AccessDenied extends OAuthError {
  readonly status = 403;
  readonly code = 'access_denied';
}
export class LoginRequired extends OAuthError {
  readonly status = 401;
  readonly code = 'login_required';
}
export class ConsentRequired extends OAuthError {
  readonly status = 403;
  readonly code = 'consent_required';
}
export class InvalidRedirectUri extends OAuthError {
  readonly status = 400;
  readonly code = 'invalid_redirect_uri';
}
export class InvalidClientMetadata extends OAuthError {
  readonly status = 400;
  readonly code = 'invalid_client_metadata';
}
/** RFC 6750 §3: every refusal of a bearer token names the scheme and the error in `WWW-Authenticate`. */
export class InvalidToken extends OAuthError {
  readonly status = 401;
  readonly code = 'invalid_token';
  constructor(description: string, options: ErrorOptions = {}) {
    super(description, {
      ...options,
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"', ...options.headers },
    });
  }
}

// HTTP-level errors that have no OAuth code of their own.
export class NotFound extends OAuthError {
  readonly status = 404;
  readonly code = 'not_found';
}
export class MethodNotAllowed extends OAuthError {
  readonly status = 405;
  readonly code = 'method_not_allowed';
}
export class UsernameTaken extends OAuthError {
  readonly status = 409;
  readonly code = 'username_taken';
}
export class PayloadTooLarge extends OAuthError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}
export class UnsupportedMediaType extends OAuthError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}
export class TooManyAttempts extends OAuthError {
  readonly status = 429;
  readonly code = 'too_many_attempts';
  constructor(
    description: string,
    readonly retryAfterSeconds: number,
  ) {
    super(description, { headers: { 'Retry-After': String(retryAfterSeconds) } });
  }
}
export class ServerError extends OAuthError {
  readonly status = 500;
  readonly code = 'server_error';
}
export class TemporarilyUnavailable extends OAuthError {
  readonly status = 503;
  readonly code = 'temporarily_unavailable';
}

/**
 * A store or other dependency did not answer in time (throttled, timed out, unreachable) after its own
 * retries. Not a client error and not a bug: the edge answers 503 with `Retry-After` and logs the
 * cause. Adapters throw subclasses of it; its message is never shown to a client.
 */
export class DependencyUnavailable extends Error {
  override readonly name: string = 'DependencyUnavailable';
}
