/**
 * The one place a thrown error becomes a response: JSON for API callers (RFC 6749 §5.2 shape), an HTML
 * page for a browser, or a redirect to a redirect URI the authorization endpoint has verified (RFC 6749
 * §4.1.2.1). Only an `OAuthError`'s public description ever reaches the client; anything else is a
 * generic 500, or a 503 with `Retry-After` when a dependency is unavailable.
 */

import { html, page } from '#adapters/web/html';
import { DependencyUnavailable, OAuthError, ServerError, TemporarilyUnavailable } from '#core/errors';
import type { Logger } from '#core/logging';
import type { HttpResponse } from './responses.ts';

/** Seconds a client should wait before retrying after a 503. */
const RETRY_AFTER_SECONDS = '1';

export function asOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof DependencyUnavailable) {
    return new TemporarilyUnavailable('The service is busy. Please retry shortly.', {
      headers: { 'Retry-After': RETRY_AFTER_SECONDS },
    });
  }
  return new ServerError('An unexpected error occurred.');
}

/** Logs an error as a failure of ours (5xx, with the cause) or a refusal of the request (4xx). */
export function logError(logger: Logger, thrown: unknown, fields: Record<string, unknown> = {}): OAuthError {
  const error = asOAuthError(thrown);
  if (error.status >= 500) logger.error('request failed', { ...fields, error: thrown });
  // `errorCode`, not `code`: the logger redacts anything named `code` (an authorization code).
  else
    logger.info('request refused', {
      ...fields,
      ...error.logged,
      status: error.status,
      errorCode: error.code,
      detail: error.detail,
    });
  return error;
}

/** `{"error", "error_description"}` plus the members every error body of the endpoint carries. */
export function errorJson(error: OAuthError, envelope: Record<string, unknown> = {}): HttpResponse {
  return {
    status: error.status,
    body: { ...envelope, error: error.code, error_description: error.description, ...error.body() },
    headers: error.headers,
  };
}

const PAGE_TITLES: Record<number, string> = {
  400: 'This request cannot be completed',
  401: 'Please sign in',
  403: 'This request was refused',
  404: 'Not found',
  429: 'Too many attempts',
  503: 'Please try again',
};

/** The page for an error that ends a browser's flow: the public description only, never a detail. */
export function errorPage(error: OAuthError): HttpResponse {
  const title =
    PAGE_TITLES[error.status] ?? (error.status >= 500 ? 'Something went wrong' : 'This request was refused');
  const content = html`<h1>${title}</h1>
<p class="alert" role="alert">${error.description}</p>
<p class="meta">Go back to the application you came from and start again.</p>`;
  const kept = Object.fromEntries(Object.entries(error.headers).filter(([name]) => name === 'Retry-After'));
  return page(content, { title, status: error.status, headers: kept });
}

/** The app an error response would go back to: its name, and the redirect URI carrying the response. */
export interface ErrorDestination {
  appName: string;
  /** The verified redirect URI with the error parameters (and `state`, `iss`) added. */
  location: string;
}

/**
 * The page that stands in for an error redirect while the user has not signed in. Anyone can register
 * a client with any redirect URI, so sending the browser there automatically would make tinyoauth an
 * open redirector lending its name to whatever site that is (RFC 9700 §4.11.2). The page says what
 * went wrong and which app and site the request came from; the error response reaches the app only if
 * the user follows the link.
 */
export function errorReturnPage(error: OAuthError, destination: ErrorDestination): HttpResponse {
  const title = PAGE_TITLES[error.status] ?? 'This request was refused';
  const site = new URL(destination.location).host;
  const content = html`<h1>${title}</h1>
<p class="alert" role="alert">${error.description}</p>
<p>The app <strong><bdi class="client">${destination.appName}</bdi></strong> sent you here, and tinyoauth cannot complete its request (<code>${error.code}</code>). As you have not signed in, tinyoauth does not send you back by itself.</p>
<p><a href="${destination.location}">Return to <bdi>${site}</bdi></a></p>
<p class="meta">Follow the link only if you meant to use this app: it leaves tinyoauth for <bdi>${site}</bdi>.</p>`;
  const kept = Object.fromEntries(Object.entries(error.headers).filter(([name]) => name === 'Retry-After'));
  return page(content, { title, status: error.status, headers: kept });
}

/**
 * An error sent back to the client through the user agent: `location` is the verified redirect URI with
 * the error parameters (and `state`, `iss`) added. A form POST is answered with 303, a GET with 302.
 */
export function errorRedirect(location: string, status: 302 | 303): HttpResponse {
  return { status, headers: { Location: location } };
}
