/**
 * How `/protected/*` is protected, as configuration shared by the authorizer (which enforces it), the
 * CDK construct and the local gateway (which wire it): per-route scope requirements, the authorizer's
 * result-cache TTL, and the headers that carry the caller's identity to HTTP backends.
 *
 * `PROTECTED_SCOPES` is a JSON object; each member maps `"<METHOD> <path pattern>"` to the scopes a
 * token needs for it, separated by spaces (all are required):
 *
 *     {"GET /protected/reports/*": "reports:read", "ANY /protected/admin/*": "admin reports:write"}
 *
 * METHOD is GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY. The path pattern starts with
 * `/protected/` and uses IAM wildcard semantics: `*` matches any run of characters, `/` included, so
 * `/protected/reports/*` covers `/protected/reports/2024/q1` but not `/protected/reports` itself.
 * When several rules match a request, all of them must be met. A token that fails a rule gets 403
 * `insufficient_scope` for it. A GET rule covers HEAD too (servers answer HEAD with the GET handler).
 * Rules apply to the path in its normalised form (RFC 3986 §6.2.2): a token that fails any rule is
 * refused every other spelling of a path below `/protected` (percent-encoded unreserved characters,
 * encoded `/`, `\` or `%`, dot and empty segments), core/authorizer/access-policy.ts says how.
 */
import { ConfigError } from './config-error.ts';
import type { Environment, EnvironmentName } from './environment.ts';
import { isScopeToken } from './scopes.ts';

/** `PUT /protected/reports/*` needs `reports:write`: one per-route scope requirement. */
export interface ScopeRule {
  /** An HTTP method, or `*` for any method. */
  method: string;
  /**
   * The request path the rule covers, with IAM wildcards: `*` matches any run of characters (including
   * `/`), everything else matches itself. Always starts with `/protected/`.
   */
  path: string;
  /** Every one of these scopes must be granted. */
  scopes: string[];
}

/** The path every authorized route lives under; scope rules may only name paths below it. */
export const PROTECTED_AREA = '/protected';

export const SCOPE_RULES_VARIABLE: EnvironmentName = 'PROTECTED_SCOPES';
export const CACHE_TTL_VARIABLE: EnvironmentName = 'AUTHORIZER_CACHE_TTL_SECONDS';

/**
 * How long API Gateway reuses an authorizer result for the same Authorization header. It bounds how long
 * a revoked (or expired) token stays usable, and divides the authorizer's cost per request.
 */
export const DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS = 60;
/** API Gateway's own limit for authorizer result caching. */
const MAX_AUTHORIZER_CACHE_TTL_SECONDS = 3600;

/**
 * The headers API Gateway sets from the authorizer context for HTTP (proxy) backends, overwriting
 * anything a client sent under the same names. Keys are the authorizer context keys.
 */
export const IDENTITY_HEADERS = {
  sub: 'X-Tinyoauth-Sub',
  client_id: 'X-Tinyoauth-Client-Id',
  scope: 'X-Tinyoauth-Scope',
  jti: 'X-Tinyoauth-Token-Id',
} as const;

/**
 * Every spelling of an identity header a backend may read as that header: `-` or `_` between any two
 * words. CGI-style servers and several proxies turn both into `_` (and case never matters in HTTP), so
 * `X_Tinyoauth_Sub` from a client would reach such a backend as the caller's identity unless it is
 * overwritten too. `X-Tinyoauth-Sub` → `X-Tinyoauth-Sub`, `X-Tinyoauth_Sub`, `X_Tinyoauth-Sub`, `X_Tinyoauth_Sub`.
 */
export function identityHeaderSpellings(name: string): string[] {
  return name
    .split('-')
    .reduce<string[]>(
      (spellings, word) =>
        spellings.length === 0
          ? [word]
          : spellings.flatMap((start) => [`${start}-${word}`, `${start}_${word}`]),
      [],
    );
}

/** Whether a header name is in the identity headers' namespace, in any case and with `-` or `_`. */
export const isIdentityHeaderSpelling = (name: string): boolean => /^x[-_]tinyoauth[-_]/i.test(name);

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY']);
// Unreserved characters, `/` and the wildcard. No `?` (an IAM wildcard too), no `%` (how an encoded
// path appears in the method ARN is not something a rule should depend on).
const PATH_PATTERN = /^\/protected(\/[A-Za-z0-9._~*-]+)+\/?$/;
/** Keeps the policy (one Deny resource per unmet rule) well inside API Gateway's size limits. */
const MAX_RULES = 40;
const MAX_PATH_LENGTH = 200;

/** The rules in `PROTECTED_SCOPES`; none when unset. Any malformed part is a ConfigError naming it. */
export function parseScopeRules(text: string | undefined): ScopeRule[] {
  if (text === undefined || text.trim() === '') return [];
  const fail = (problem: string): never => {
    throw new ConfigError(`${SCOPE_RULES_VARIABLE} ${problem}`);
  };
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return fail('is not valid JSON');
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    return fail('must be a JSON object like {"GET /protected/reports/*": "reports:read"}');
  }
  const entries = Object.entries(document);
  if (entries.length > MAX_RULES) fail(`may hold at most ${MAX_RULES} rules`);

  return entries.map(([route, value]): ScopeRule => {
    const match = /^([A-Z]+) (\S+)$/.exec(route);
    if (!match)
      return fail(`key "${route}" must be "<METHOD> <path pattern>", e.g. "GET /protected/reports/*"`);
    const [, method, path] = match as unknown as [string, string, string];
    if (!METHODS.has(method)) fail(`key "${route}": method must be one of ${[...METHODS].join(', ')}`);
    if (path.length > MAX_PATH_LENGTH || !PATH_PATTERN.test(path)) {
      fail(`key "${route}": the path must start with /protected/ and hold only A-Z a-z 0-9 . _ ~ - / and *`);
    }
    // Requests are compared in their normalised form, where such a segment can never appear.
    if (path.split('/').some((segment) => segment === '.' || segment === '..')) {
      fail(`key "${route}": the path must have no "." or ".." segment`);
    }
    if (typeof value !== 'string') return fail(`"${route}" must map to a string of space-separated scopes`);
    const scopes = value.split(' ');
    if (scopes.length === 0 || !scopes.every(isScopeToken)) {
      fail(`"${route}" must map to scopes separated by single spaces, got "${value}"`);
    }
    return { method: method === 'ANY' ? '*' : method, path, scopes: [...new Set(scopes)] };
  });
}

export function authorizerCacheTtlSeconds(env: Environment): number {
  const raw = env[CACHE_TTL_VARIABLE];
  if (raw === undefined || raw === '') return DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > MAX_AUTHORIZER_CACHE_TTL_SECONDS) {
    throw new ConfigError(
      `${CACHE_TTL_VARIABLE} must be an integer from 0 to ${MAX_AUTHORIZER_CACHE_TTL_SECONDS}, got "${raw}"`,
    );
  }
  return value;
}
