/**
 * Resource servers (RFC 8707, RFC 9728): the APIs behind `/protected/` that access tokens are issued
 * for. Each is declared once, here in shape and in `RESOURCE_SERVERS` in value, by whoever deploys the
 * functions (the CDK construct, the local stack, a test); every function validates the declarations at
 * cold start. A token's `aud` names exactly one of them, and the authorizer admits it only below that
 * one's path.
 *
 * `RESOURCE_SERVERS` is a JSON array of the servers besides the default one:
 *
 *     [{"name": "Orders MCP server", "path": "/protected/mcp", "scopes": "mcp:tools",
 *       "accessTokenSeconds": 300, "identifier": "https://auth.example.com/protected/mcp"}]
 *
 * `identifier` is optional (default: the issuer followed by `path`), and so is `accessTokenSeconds`
 * (default: ACCESS_TOKEN_TTL_SECONDS). The default resource server is today's single protected API:
 * `RESOURCE_IDENTIFIER`, `SCOPES`, ACCESS_TOKEN_TTL_SECONDS, the path `/protected`, serving every path
 * below it that no other server serves. Servers other than the default may not nest in one another.
 */
import { ConfigError } from './config-error.ts';
import type { EnvironmentName } from './environment.ts';
import { PROTECTED_AREA, type ScopeRule } from './protection.ts';
import { isScopeToken } from './scopes.ts';

export interface ResourceServer {
  /** The resource indicator (RFC 8707) and the `aud` of its access tokens: an absolute URI. */
  identifier: string;
  /** Shown to users and in its metadata (`resource_name`, RFC 9728 §2). */
  name: string;
  /** The path it serves, `/protected` or below it, without a trailing slash. */
  path: string;
  /** The scopes its tokens may carry (besides OpenID Connect's identity scopes). */
  scopes: string[];
  accessTokenTtlSeconds: number;
}

/** A resource server as declared in `RESOURCE_SERVERS` (and the CDK construct's `resourceServers`). */
export interface ResourceServerDeclaration {
  name: string;
  /** Below `/protected/`, e.g. `/protected/mcp`. */
  path: string;
  /** Space-separated, or a list. */
  scopes: string | readonly string[];
  /** Default: ACCESS_TOKEN_TTL_SECONDS. */
  accessTokenSeconds?: number;
  /** Default: the issuer followed by `path`. */
  identifier?: string;
}

export const RESOURCE_SERVERS_VARIABLE: EnvironmentName = 'RESOURCE_SERVERS';

/** Where a resource server's RFC 9728 metadata lives below the issuer: this, then its path. */
export const PROTECTED_RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

/** Each server adds a Deny to every token's policy: a few keep it well inside API Gateway's limits. */
const MAX_RESOURCE_SERVERS = 10;
const MAX_NAME_LENGTH = 100;
const SERVER_PATH = /^\/protected(\/[A-Za-z0-9._~-]+)+$/;
const TTL = { min: 60, max: 86400 };

/** The metadata URL of a resource server: `<issuer>/.well-known/oauth-protected-resource<path>`. */
export const protectedResourceMetadataUrl = (issuer: string, server: Pick<ResourceServer, 'path'>): string =>
  `${issuer}${PROTECTED_RESOURCE_METADATA_PATH}${server.path}`;

/** The server whose path is `path` or a prefix of it by whole segments; the default covers the rest. */
export function resourceServerForPath(
  servers: readonly ResourceServer[],
  path: string,
): ResourceServer | undefined {
  const serving = servers.filter((server) => path === server.path || path.startsWith(`${server.path}/`));
  return serving.sort((a, b) => b.path.length - a.path.length)[0];
}

/** Absolute https URI without fragment; http only on a loopback host (local development). */
function isResourceIdentifier(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  if (url.hash || url.username || url.password) return false;
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return url.protocol === 'https:' || (url.protocol === 'http:' && loopback);
}

type Declared = Record<string, unknown>;

function fail(problem: string): never {
  throw new ConfigError(`${RESOURCE_SERVERS_VARIABLE} ${problem}`);
}

function scopesOf(entry: Declared, at: string): string[] {
  const raw = entry.scopes;
  const list = typeof raw === 'string' ? raw.split(' ') : raw;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((s) => typeof s === 'string' && isScopeToken(s))
  ) {
    fail(`${at}: "scopes" must name at least one scope (a space-separated string or an array)`);
  }
  return [...new Set(list as string[])];
}

function serverOf(entry: unknown, index: number, defaults: { issuer: string; ttl: number }): ResourceServer {
  const at = `entry ${index}`;
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) fail(`${at} must be an object`);
  const declared = entry as Declared;
  const { name, path } = declared;
  if (typeof path !== 'string' || path.length > 200 || !SERVER_PATH.test(path)) {
    fail(`${at}: "path" must be below /protected/, hold only A-Z a-z 0-9 . _ ~ - and /, and not end with /`);
  }
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) {
    fail(`${at}: "path" must have no "." or ".." segment`);
  }
  if (
    typeof name !== 'string' ||
    name.trim() === '' ||
    name.length > MAX_NAME_LENGTH ||
    /\p{Cc}/u.test(name)
  ) {
    fail(`${at}: "name" must be 1 to ${MAX_NAME_LENGTH} characters without control characters`);
  }
  const identifier = declared.identifier ?? `${defaults.issuer}${path}`;
  if (typeof identifier !== 'string' || !isResourceIdentifier(identifier)) {
    fail(`${at}: "identifier" must be an absolute https URI without fragment (http only on localhost)`);
  }
  const ttl = declared.accessTokenSeconds ?? defaults.ttl;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < TTL.min || ttl > TTL.max) {
    fail(`${at}: "accessTokenSeconds" must be an integer from ${TTL.min} to ${TTL.max}`);
  }
  return { identifier, name, path, scopes: scopesOf(declared, at), accessTokenTtlSeconds: ttl };
}

/** Two declarations that would make a token, a path or a metadata URL ambiguous. */
function refuseOverlaps(servers: readonly ResourceServer[]): void {
  servers.forEach((server, index) => {
    for (const other of servers.slice(index + 1)) {
      if (server.identifier === other.identifier) fail(`declares the identifier ${server.identifier} twice`);
      const [outer, inner] = server.path.length <= other.path.length ? [server, other] : [other, server];
      if (inner.path === outer.path || inner.path.startsWith(`${outer.path}/`)) {
        fail(
          `: ${inner.path} lies within ${outer.path}; only the default server (/protected) has others inside`,
        );
      }
    }
  });
}

/**
 * The declared resource servers, the default first. Any malformed or ambiguous declaration is a
 * ConfigError naming it.
 */
export function parseResourceServers(
  text: string | undefined,
  defaultServer: ResourceServer,
  issuer: string,
): ResourceServer[] {
  if (!isResourceIdentifier(defaultServer.identifier)) {
    throw new ConfigError(`RESOURCE_IDENTIFIER must be an absolute https URI (http only on localhost)`);
  }
  let declared: unknown = [];
  if (text !== undefined && text.trim() !== '') {
    try {
      declared = JSON.parse(text);
    } catch {
      fail('is not valid JSON');
    }
  }
  if (!Array.isArray(declared)) fail('must be a JSON array of resource servers');
  if (declared.length > MAX_RESOURCE_SERVERS - 1)
    fail(`may declare at most ${MAX_RESOURCE_SERVERS - 1} servers`);
  const others = declared.map((entry, index) =>
    serverOf(entry, index, { issuer, ttl: defaultServer.accessTokenTtlSeconds }),
  );
  refuseOverlaps(others);
  const all = [defaultServer, ...others];
  const identifiers = new Set(all.map((server) => server.identifier));
  if (identifiers.size !== all.length) fail('declares the default server’s identifier again');
  return all;
}

/** The literal start of a scope rule's pattern: every path it matches begins with it. */
const literalPrefix = (pattern: string): string => pattern.split('*')[0] as string;

/**
 * Refuses scope rules that contradict the resource servers: a rule that can apply to a server's paths
 * must require only scopes that server's tokens can carry, or no token could ever pass it there.
 */
export function checkScopeRules(rules: readonly ScopeRule[], servers: readonly ResourceServer[]): void {
  for (const rule of rules) {
    for (const server of serversReached(rule.path, servers)) {
      const missing = rule.scopes.filter((scope) => !server.scopes.includes(scope));
      if (missing.length > 0) {
        throw new ConfigError(
          `PROTECTED_SCOPES "${rule.method === '*' ? 'ANY' : rule.method} ${rule.path}" requires "${missing.join(' ')}", which the resource server ${server.identifier} (${server.path}) does not offer`,
        );
      }
    }
  }
}

/** The servers serving some path a scope rule's pattern can match. */
function serversReached(pattern: string, servers: readonly ResourceServer[]): ResourceServer[] {
  if (!pattern.includes('*')) {
    const server = resourceServerForPath(servers, pattern);
    return server ? [server] : [];
  }
  const prefix = literalPrefix(pattern);
  const within = resourceServerForPath(servers, prefix.replace(/\/$/, ''));
  // A prefix inside a server other than the default stays inside it (servers do not nest).
  const confined =
    within !== undefined && within.path !== PROTECTED_AREA && prefix.startsWith(`${within.path}/`);
  if (confined) return [within];
  // Otherwise the wildcard may run into any server whose path starts where the pattern does.
  return servers.filter(
    (server) =>
      server.path.startsWith(prefix) || prefix.startsWith(`${server.path}/`) || prefix === server.path,
  );
}
