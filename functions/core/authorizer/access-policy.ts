/**
 * The IAM policy the authorizer returns, built so that it stays correct when API Gateway caches it for
 * the whole token: it depends only on the token (its scope) and the API stage, never on the request that
 * happened to trigger it. A cached policy is re-evaluated by API Gateway against every later request's
 * method ARN, so it allows all of `/protected/*` and denies, explicitly, every route whose scope
 * requirement the token does not meet (an explicit Deny wins over the Allow → 403 ACCESS_DENIED), and
 * then every other spelling of a path that a backend would read as a denied one (NON_CANONICAL_PATHS).
 */
import { PROTECTED_AREA, type ScopeRule } from '#contract/protection';
import type { ResourceServer } from '#contract/resources';

export interface ExecuteApiArn {
  /** `arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>`: the part that is the same for every route. */
  stagePrefix: string;
  method: string;
  /** The request path, from its first `/`. */
  path: string;
}

/**
 * Splits an API Gateway method ARN, `arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/protected/a`.
 * Anything else is undefined: the caller denies rather than guessing a resource to allow.
 */
export function parseMethodArn(methodArn: string): ExecuteApiArn | undefined {
  const match =
    /^(arn:[a-z0-9-]+:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+\/[^/*?]+)\/([A-Z]+)(\/.*)$/.exec(
      methodArn,
    );
  if (!match) return undefined;
  const [, stagePrefix, method, path] = match as unknown as [string, string, string, string];
  return { stagePrefix, method, path };
}

export const grantedScopes = (scope: string): Set<string> => new Set(scope.split(' ').filter(Boolean));

/** The rules a token with this scope fails; each becomes a Deny. */
export function unmetScopeRules(rules: readonly ScopeRule[], scope: string): ScopeRule[] {
  const granted = grantedScopes(scope);
  return rules.filter((rule) => !rule.scopes.every((required) => granted.has(required)));
}

export interface PolicyStatement {
  Action: 'execute-api:Invoke';
  Effect: 'Allow' | 'Deny';
  Resource: string[];
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** Characters RFC 3986 §2.3 calls unreserved: percent-encoding one never changes what a URI means. */
const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';

/** `%4A` and `%4a`: a percent-encoding is case-insensitive (RFC 3986 §6.2.2.1), an IAM wildcard is not. */
function percentEncodings(character: string): string[] {
  const hex = character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
  return [...new Set([`%${hex}`, `%${hex.toLowerCase()}`])];
}

/**
 * Where, below `/protected`, a path is spelled in a way a backend may read as another path while an IAM
 * wildcard compares it as a different string: a percent-encoded unreserved character (RFC 3986
 * §6.2.2.2), an encoded `/`, `\` or `%` (servers that decode once more, or treat `\` as `/`), a dot
 * segment (§6.2.2.3) and an empty segment (which many servers merge). Whether API Gateway's method ARN
 * carries the path as sent or decoded is not documented; if it is as sent, `/protected/%61dmin/users`
 * would not match a Deny of `/protected/admin/*`. So a token that fails any rule is refused every such
 * spelling: only the plain one reaches the backend, and the rule's own Deny covers that.
 */
export const NON_CANONICAL_PATHS: readonly string[] = [
  ...[...`${UNRESERVED}/\\%`].flatMap(percentEncodings).map((encoded) => `/*${encoded}*`),
  ...['.', '..'].flatMap((dot) => [`/${dot}`, `/${dot}/*`, `/*/${dot}`, `/*/${dot}/*`]),
  '//*',
  '/*//*',
];

/** A rule's method as a method ARN names it; HEAD runs the GET handler in most servers, so GET covers it. */
const methodsOf = (rule: ScopeRule): string[] => (rule.method === 'GET' ? ['GET', 'HEAD'] : [rule.method]);

/** A path prefix as method ARN resources: the path itself and everything below it. */
const pathAndBelow = (stagePrefix: string, path: string): string[] =>
  path === PROTECTED_AREA
    ? [`${stagePrefix}/*${path}/*`]
    : [`${stagePrefix}/*${path}`, `${stagePrefix}/*${path}/*`];

export interface PolicyScope {
  /** The resource server the token was issued for (its `aud`): the only one it may reach. */
  audience: Pick<ResourceServer, 'path'>;
  /** Every declared resource server; the default one's area holds the others, which are denied to it. */
  servers: readonly Pick<ResourceServer, 'path'>[];
  /** The scope rules the token fails. */
  unmet: readonly ScopeRule[];
}

/**
 * The area of the token's resource server, less the other servers' areas inside it (the default
 * server's holds them all), the routes the token lacks the scope for, and, when anything is denied,
 * every other spelling of a path below `/protected` (a backend would read `/protected/%6Dcp` as
 * `/protected/mcp`, where a Deny by string never reaches).
 */
export function accessPolicy(stagePrefix: string, { audience, servers, unmet }: PolicyScope): PolicyDocument {
  const Statement: PolicyStatement[] = [
    { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: pathAndBelow(stagePrefix, audience.path) },
  ];
  const inside =
    audience.path === PROTECTED_AREA ? servers.filter((server) => server.path !== PROTECTED_AREA) : [];
  const denied = [
    ...inside.flatMap((server) => pathAndBelow(stagePrefix, server.path)),
    ...unmet.flatMap((rule) => methodsOf(rule).map((method) => `${stagePrefix}/${method}${rule.path}`)),
  ];
  if (denied.length > 0 || servers.length > 1) {
    const spellings = NON_CANONICAL_PATHS.map((suffix) => `${stagePrefix}/*${PROTECTED_AREA}${suffix}`);
    Statement.push({
      Action: 'execute-api:Invoke',
      Effect: 'Deny',
      Resource: [...new Set(denied), ...spellings],
    });
  }
  return { Version: '2012-10-17', Statement };
}
