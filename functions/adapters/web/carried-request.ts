/**
 * The authorization request a browser brings to /authorize, carried through the sign-in and sign-up
 * forms as one query string. It is data, never trusted: each step parses it again, asks the
 * authorization endpoint's own rules about the client and redirect URI, and the only place it ever
 * leads is tinyoauth's /authorize, which validates all of it once more.
 */

import type { ClientRecord } from '#core/clients/records';
import { InvalidRequest } from '#core/errors';
import type { Authorization, RedirectTarget } from '#core/oauth/authorization';
import { Parameters } from '#core/oauth/parameters';
import { formActionSource } from './html.ts';

/** The form field (and, on /signin and /signup, the query) that carries the request. */
export const REQUEST_FIELD = 'request';

/** Fields of tinyoauth's own forms, never part of the carried authorization request. */
const FORM_FIELDS = new Set([
  'csrf',
  'decision',
  REQUEST_FIELD,
  'username',
  'password',
  'password_again',
  'mfa_token',
  'code',
  'recovery_code',
  'mode',
]);

/** Longest carried request kept; the authorization endpoint's own parameters fit many times over. */
export const MAX_REQUEST_LENGTH = 8 * 1024;

/** The authorization request as a query string, without tinyoauth's own form fields. */
export function carriedQuery(pairs: Iterable<[string, string]>): string {
  const search = new URLSearchParams();
  for (const [name, value] of pairs) if (!FORM_FIELDS.has(name)) search.append(name, value);
  return search.toString();
}

/** The `prompt` values of a request (OpenID Connect Core §3.1.2.1: space-delimited). */
export function promptValues(params: Parameters): Set<string> {
  let prompt: string | undefined;
  try {
    prompt = params.get('prompt');
  } catch {
    prompt = undefined; // repeated: /authorize refuses it
  }
  return new Set((prompt ?? '').split(' ').filter(Boolean));
}

/**
 * The query with `login` removed from `prompt`, and without `max_age`: once the user has signed in,
 * both have been honoured (a `max_age=0` kept would ask again forever).
 */
export function withoutLoginPrompt(query: string): string {
  const search = new URLSearchParams(query);
  search.delete('max_age');
  const prompts = search.getAll('prompt');
  if (prompts.length !== 1) return search.toString();
  const rest = (prompts[0] ?? '')
    .split(' ')
    .filter((value) => value !== '' && value !== 'login')
    .join(' ');
  if (rest === '') search.delete('prompt');
  else search.set('prompt', rest);
  return search.toString();
}

/** The query with `prompt=login`, for "use another account". */
export function withLoginPrompt(query: string): string {
  const search = new URLSearchParams(query);
  search.set('prompt', 'login');
  return search.toString();
}

/** What a page shows about the request it carries, and where its forms may lead. */
export interface CarriedRequest {
  /** The authorization request's query string. */
  query: string;
  client: ClientRecord;
  /** The verified redirect URI. */
  redirectUri: string;
  /** The redirect URI's origin as a CSP source: a form whose answer redirects there needs it. */
  formActions: string[];
}

export const clientLabel = (client: ClientRecord): string => client.clientName || client.clientId;

/**
 * Checks the carried request's client and redirect URI exactly as /authorize does (same code), and
 * throws its 400 errors otherwise; undefined when no request is carried.
 */
export async function describeRequest(
  authorization: Authorization,
  query: string | undefined,
): Promise<CarriedRequest | undefined> {
  if (query === undefined || query === '') return undefined;
  if (query.length > MAX_REQUEST_LENGTH) {
    throw new InvalidRequest('The authorization request is too long.');
  }
  return carriedRequest(await authorization.redirectTarget(Parameters.fromQuery(query)), query);
}

/** The carried form of a request whose client and redirect URI are verified. */
export function carriedRequest(target: RedirectTarget, query: string): CarriedRequest {
  const source = formActionSource(target.redirectUri);
  return {
    query,
    client: target.client,
    redirectUri: target.redirectUri,
    formActions: source ? [source] : [],
  };
}

/** Where the browser goes once signed in: always tinyoauth's own /authorize (or the signed-in page). */
export function continuation(issuer: string, request: CarriedRequest | undefined): string {
  if (!request) return `${issuer}/signin`;
  return `${issuer}/authorize?${withoutLoginPrompt(request.query)}`;
}
