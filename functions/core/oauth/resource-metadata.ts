/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728): what a client learns from a resource server's
 * well-known document before it asks for a token: the resource identifier to send as `resource`
 * (RFC 8707), who issues its tokens, the scopes it understands, and how tokens are presented.
 */
import {
  PROTECTED_RESOURCE_METADATA_PATH,
  type ResourceServer,
  resourceServerForPath,
} from '#contract/resources';

/** RFC 9728 §2. */
export function protectedResourceMetadata(issuer: string, server: ResourceServer): Record<string, unknown> {
  return {
    resource: server.identifier,
    authorization_servers: [issuer],
    scopes_supported: [...server.scopes],
    bearer_methods_supported: ['header'],
    resource_name: server.name,
  };
}

/**
 * The server whose metadata `/.well-known/oauth-protected-resource<path>` names (RFC 9728 §3.1 inserts
 * the resource's path after the well-known prefix): exactly its path, never a path below it.
 */
export function resourceServerOfMetadataPath(
  servers: readonly ResourceServer[],
  requestPath: string,
): ResourceServer | undefined {
  const at = requestPath.indexOf(PROTECTED_RESOURCE_METADATA_PATH);
  if (at < 0) return undefined;
  const path = requestPath.slice(at + PROTECTED_RESOURCE_METADATA_PATH.length);
  const server = resourceServerForPath(servers, path);
  return server?.path === path ? server : undefined;
}
