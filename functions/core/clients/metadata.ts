/**
 * RFC 7591 registration metadata. Everything a client may do later (redirect URIs, grant types, scopes,
 * how it authenticates) is fixed at registration, so validation errs on the strict side: a value the
 * authorization or token endpoint could misread is refused up front.
 */
import { InvalidClientMetadata, InvalidRedirectUri, InvalidScope } from '#core/errors';
import { isLoopbackHost } from '#core/loopback';
import { formatScope, parseScope } from '#core/scopes';
import type { ClientRecord, GrantType, IdTokenAlgorithm, TokenEndpointAuthMethod } from './records.ts';
import { responseTypesFor } from './views.ts';

export const MAX_REDIRECT_URIS = 10;
export const MAX_REDIRECT_URI_LENGTH = 2000;
export const MAX_CLIENT_NAME_LENGTH = 200;

const GRANT_TYPES: readonly GrantType[] = ['authorization_code', 'refresh_token', 'client_credentials'];
const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'none',
];

/** Validated registration metadata, in the stored record's vocabulary. */
export type ClientMetadata = Pick<
  ClientRecord,
  | 'clientName'
  | 'redirectUris'
  | 'grantTypes'
  | 'tokenEndpointAuthMethod'
  | 'scope'
  | 'postLogoutRedirectUris'
  | 'idTokenSignedResponseAlg'
  | 'requirePkce'
>;

const ID_TOKEN_ALGORITHMS: readonly IdTokenAlgorithm[] = ['RS256', 'ES256'];

/** RFC 3986 URI characters; anything else (spaces, `\`, quotes, non-ASCII) parsers disagree about. */
const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;

/**
 * Throws `invalid_redirect_uri` unless `uri` is a redirect URI tinyoauth will send codes to: absolute,
 * `https` (or `http` to a loopback host, RFC 8252 §7.3), no fragment (RFC 6749 §3.1.2), no wildcard,
 * no credentials, and plain RFC 3986 characters. The string is kept as given: the authorization
 * endpoint compares redirect URIs by exact string (RFC 9700 §4.1.3), so normalising it here would
 * only create a second spelling.
 */
export function checkRedirectUri(uri: string): void {
  const refuse = (why: string): never => {
    throw new InvalidRedirectUri(`The redirect URI "${uri.slice(0, 100)}" is not allowed: ${why}.`);
  };
  if (uri.length > MAX_REDIRECT_URI_LENGTH) refuse(`longer than ${MAX_REDIRECT_URI_LENGTH} characters`);
  if (!URI_CHARACTERS.test(uri)) refuse('it contains characters a URI cannot hold');
  if (uri.includes('#')) refuse('it has a fragment');
  if (uri.includes('*')) refuse('wildcards are not supported');
  // A scheme followed by "//" and an authority: WHATWG URL would otherwise accept "https:host/cb".
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?]/.test(uri)) refuse('it must be an absolute URL with a host');
  const parsed = URL.canParse(uri) ? new URL(uri) : refuse('it is not an absolute URL');
  if (parsed.username || parsed.password) refuse('it must not contain credentials');
  if (parsed.protocol === 'https:') return;
  if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) return;
  refuse('it must use https (http only for localhost, 127.x.x.x or [::1])');
}

const isAbsent = (value: unknown): value is undefined | null => value === undefined || value === null;

function stringArray(body: Record<string, unknown>, name: string): string[] | undefined {
  const value = body[name];
  if (isAbsent(value)) return undefined;
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) {
    throw new InvalidClientMetadata(`"${name}" must be an array of strings.`);
  }
  return [...new Set(value as string[])];
}

function clientName(body: Record<string, unknown>): string {
  const value = body.client_name;
  if (isAbsent(value)) return '';
  if (typeof value !== 'string') throw new InvalidClientMetadata('"client_name" must be a string.');
  if ([...value].length > MAX_CLIENT_NAME_LENGTH) {
    throw new InvalidClientMetadata(`"client_name" must be at most ${MAX_CLIENT_NAME_LENGTH} characters.`);
  }
  // The name is shown to users on consent screens: no line breaks or other control characters.
  if (/\p{Cc}/u.test(value))
    throw new InvalidClientMetadata('"client_name" must not contain control characters.');
  if (UNDISPLAYABLE.test(value)) {
    throw new InvalidClientMetadata(
      '"client_name" must not contain invisible, formatting, direction-changing or line-separating characters.',
    );
  }
  return value;
}

/**
 * What a displayed name must not hold, because it changes what the user reads without being seen:
 * format characters (Cf: bidi overrides, embeddings and isolates such as U+202E and U+2066–2069, marks,
 * zero-width characters), line and paragraph separators (Zl, Zp), every other default-ignorable code
 * point (variation selectors, fillers), blanks that render as nothing (U+2800), private-use characters
 * (Co) and lone surrogates (Cs), whose look depends on the reader's fonts.
 */
const UNDISPLAYABLE = /[\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}\p{Default_Ignorable_Code_Point}\u2800]/u;

function grantTypes(body: Record<string, unknown>): GrantType[] {
  // RFC 7591 §2: when omitted, the default is authorization_code.
  const requested = stringArray(body, 'grant_types') ?? ['authorization_code'];
  if (requested.length === 0)
    throw new InvalidClientMetadata('"grant_types" must name at least one grant type.');
  const unknown = requested.filter((type) => !GRANT_TYPES.includes(type as GrantType));
  if (unknown.length > 0) {
    throw new InvalidClientMetadata(
      `Unsupported grant type "${unknown[0]}"; supported: ${GRANT_TYPES.join(', ')}.`,
    );
  }
  const types = requested as GrantType[];
  if (types.includes('refresh_token') && !types.includes('authorization_code')) {
    throw new InvalidClientMetadata('"refresh_token" is only issued with the authorization_code grant.');
  }
  return types;
}

function authMethod(body: Record<string, unknown>, types: readonly GrantType[]): TokenEndpointAuthMethod {
  const value = body.token_endpoint_auth_method;
  if (isAbsent(value)) return 'client_secret_basic';
  if (typeof value !== 'string' || !AUTH_METHODS.includes(value as TokenEndpointAuthMethod)) {
    throw new InvalidClientMetadata(
      `"token_endpoint_auth_method" must be one of ${AUTH_METHODS.join(', ')}.`,
    );
  }
  if (value === 'none' && types.includes('client_credentials')) {
    // RFC 6749 §4.4: only a confidential client can use client credentials.
    throw new InvalidClientMetadata('A public client (auth method "none") cannot use client_credentials.');
  }
  return value as TokenEndpointAuthMethod;
}

function redirectUris(body: Record<string, unknown>, types: readonly GrantType[]): string[] {
  const uris = stringArray(body, 'redirect_uris') ?? [];
  if (uris.length > MAX_REDIRECT_URIS) {
    throw new InvalidClientMetadata(`"redirect_uris" may hold at most ${MAX_REDIRECT_URIS} URIs.`);
  }
  if (!types.includes('authorization_code')) {
    // A URI no flow uses is only attack surface; refuse rather than silently keep it.
    if (uris.length > 0) {
      throw new InvalidClientMetadata('"redirect_uris" are only used by the authorization_code grant.');
    }
    return [];
  }
  if (uris.length === 0) {
    throw new InvalidRedirectUri(
      '"redirect_uris" must name at least one URI for the authorization_code grant.',
    );
  }
  for (const uri of uris) checkRedirectUri(uri);
  return uris;
}

/**
 * RP-Initiated Logout 1.0 §3.1: where the browser may be sent after logout, held to the rules of
 * redirect URIs (the same attacks apply) and compared by exact string.
 */
function postLogoutRedirectUris(body: Record<string, unknown>): string[] | undefined {
  const uris = stringArray(body, 'post_logout_redirect_uris');
  if (uris === undefined || uris.length === 0) return undefined;
  if (uris.length > MAX_REDIRECT_URIS) {
    throw new InvalidClientMetadata(
      `"post_logout_redirect_uris" may hold at most ${MAX_REDIRECT_URIS} URIs.`,
    );
  }
  for (const uri of uris) checkRedirectUri(uri);
  return uris;
}

/** OpenID Connect Registration §2: RS256 when absent; `none` (unsigned ID tokens) is never accepted. */
function idTokenAlgorithm(body: Record<string, unknown>): IdTokenAlgorithm | undefined {
  const value = body.id_token_signed_response_alg;
  if (isAbsent(value)) return undefined;
  if (!ID_TOKEN_ALGORITHMS.includes(value as IdTokenAlgorithm)) {
    throw new InvalidClientMetadata(
      `"id_token_signed_response_alg" must be one of ${ID_TOKEN_ALGORITHMS.join(', ')}.`,
    );
  }
  return value as IdTokenAlgorithm;
}

/**
 * `require_pkce` (boolean, default true; tinyoauth's own member, named like RFC 9126's
 * `require_pushed_authorization_requests`). Only a confidential client of the code grant may turn PKCE
 * off (RFC 9700 §2.1.1): a public client has nothing else binding its code, and a client without the
 * code grant would keep a setting nothing reads. Stored only when false.
 */
function requirePkce(
  body: Record<string, unknown>,
  types: readonly GrantType[],
  method: TokenEndpointAuthMethod,
): false | undefined {
  const value = body.require_pkce;
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'boolean') throw new InvalidClientMetadata('"require_pkce" must be true or false.');
  if (value) return undefined;
  if (method === 'none') {
    throw new InvalidClientMetadata(
      'A public client (auth method "none") must use PKCE: "require_pkce" cannot be false.',
    );
  }
  if (!types.includes('authorization_code')) {
    throw new InvalidClientMetadata('"require_pkce" only applies to the authorization_code grant.');
  }
  return false;
}

function responseTypes(body: Record<string, unknown>, types: readonly GrantType[]): void {
  // RFC 7591 §2.1: response_types must agree with grant_types. Only "code" exists here (no implicit).
  const requested = stringArray(body, 'response_types');
  if (requested === undefined) return;
  const expected = responseTypesFor(types);
  if (requested.length !== expected.length || !requested.every((type) => expected.includes(type))) {
    throw new InvalidClientMetadata(
      `"response_types" must be ${JSON.stringify(expected)} for these grant types.`,
    );
  }
}

function scope(body: Record<string, unknown>, supported: readonly string[]): string {
  const value = body.scope;
  if (isAbsent(value)) return formatScope(supported);
  if (typeof value !== 'string') throw new InvalidClientMetadata('"scope" must be a space-separated string.');
  let tokens: string[];
  try {
    tokens = parseScope(value);
  } catch (error) {
    if (error instanceof InvalidScope) throw new InvalidClientMetadata(error.description);
    throw error;
  }
  if (tokens.length === 0) throw new InvalidClientMetadata('"scope" must name at least one scope.');
  const unknown = tokens.filter((token) => !supported.includes(token));
  if (unknown.length > 0) {
    throw new InvalidClientMetadata(
      `Unsupported scope "${unknown.join(' ')}"; supported: ${supported.join(' ')}.`,
    );
  }
  return formatScope(tokens);
}

/**
 * RFC 7591 registration metadata → the values to store, or `invalid_client_metadata` /
 * `invalid_redirect_uri`. Unknown members are ignored (RFC 7591 §2), and so are `client_id` and
 * `client_secret`: the server always assigns both.
 */
export function validateClientMetadata(
  body: Record<string, unknown>,
  scopesSupported: readonly string[],
): ClientMetadata {
  const types = grantTypes(body);
  const method = authMethod(body, types);
  responseTypes(body, types);
  const logoutUris = postLogoutRedirectUris(body);
  const idTokenAlg = idTokenAlgorithm(body);
  const pkce = requirePkce(body, types, method);
  return {
    clientName: clientName(body),
    redirectUris: redirectUris(body, types),
    grantTypes: types,
    tokenEndpointAuthMethod: method,
    scope: scope(body, scopesSupported),
    ...(logoutUris ? { postLogoutRedirectUris: logoutUris } : {}),
    ...(idTokenAlg ? { idTokenSignedResponseAlg: idTokenAlg } : {}),
    ...(pkce === false ? { requirePkce: false } : {}),
  };
}
