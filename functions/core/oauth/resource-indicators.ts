/**
 * Resource indicators (RFC 8707): which resource server an access token is for. A request names
 * resources with `resource` (absolute URIs, no fragment); each must be a declared resource server this
 * client may use, or the request is `invalid_target`. Without `resource`, the default server applies.
 * A token names exactly one (its `aud`): the authorizer admits it only below that server's path.
 *
 * A client may use a resource server when it is registered for at least one of the server's scopes;
 * the scope it gets there holds only scopes the server offers (and OpenID Connect's identity scopes,
 * which concern the user, not the server).
 */
import type { ResourceServer } from '#contract/resources';
import type { ClientRecord } from '#core/clients/records';
import { InvalidTarget } from '#core/errors';
import { IDENTITY_SCOPES } from '#core/oidc/claims';
import { formatScope, parseScope } from '#core/scopes';

/** A grant's resource servers: those its authorization request named, the default when it named none. */
export type GrantResources = readonly string[] | undefined;

export class ResourceIndicators {
  constructor(private readonly servers: readonly ResourceServer[]) {}

  get defaultServer(): ResourceServer {
    return this.servers[0] as ResourceServer;
  }

  /**
   * The servers an authorization or client credentials request names, each one the client may use;
   * without `resource`, the default server, as before resource indicators (whatever the client's scope).
   */
  requested(values: readonly string[], client: ClientRecord): ResourceServer[] {
    if (values.length === 0) return [this.defaultServer];
    return [...new Set(values)].map((value) => this.usable(this.known(value), client));
  }

  /**
   * The one server a token request's `resource` picks from its grant's (RFC 8707 §2.2): one of them,
   * never another (a refresh may narrow, never widen); the grant's first without `resource`.
   */
  chosen(value: string | undefined, grant: GrantResources): ResourceServer {
    const granted = grant && grant.length > 0 ? grant : [this.defaultServer.identifier];
    const identifier = value ?? (granted[0] as string);
    if (!granted.includes(identifier)) {
      throw new InvalidTarget('The "resource" is not one this grant was approved for.', {
        detail: 'resource outside the grant',
      });
    }
    return this.known(identifier);
  }

  /** The scopes a client may be granted across `servers`: its own, within what the servers offer. */
  allowedScope(client: ClientRecord, servers: readonly ResourceServer[]): string {
    const offered = new Set<string>([...IDENTITY_SCOPES, ...servers.flatMap((server) => server.scopes)]);
    return formatScope(parseScope(client.scope).filter((scope) => offered.has(scope)));
  }

  /** A granted scope, narrowed to what a token for `server` may carry. */
  scopeFor(scope: string, server: ResourceServer): string {
    return this.allowedScope({ scope } as ClientRecord, [server]);
  }

  private known(value: string): ResourceServer {
    // RFC 8707 §2: an absolute URI without a fragment; anything else names no resource server.
    const server = this.servers.find((candidate) => candidate.identifier === value);
    if (!server) {
      throw new InvalidTarget('The "resource" is not a resource server of this authorization server.', {
        detail: 'unknown resource',
      });
    }
    return server;
  }

  private usable(server: ResourceServer, client: ClientRecord): ResourceServer {
    const registered = new Set(parseScope(client.scope));
    if (!server.scopes.some((scope) => registered.has(scope))) {
      throw new InvalidTarget(`This client may not use the resource server "${server.name}".`, {
        detail: `client registered for none of ${server.identifier}'s scopes`,
      });
    }
    return server;
  }
}
