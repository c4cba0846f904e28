import type { Config } from '#adapters/config';
import { publicCors } from '#adapters/http/cors';
import { httpHandler } from '#adapters/http/handler';
import { json } from '#adapters/http/responses';
import { NotFound } from '#core/errors';
import type { Logger } from '#core/logging';
import { protectedResourceMetadata, resourceServerOfMetadataPath } from '#core/oauth/resource-metadata';

/**
 * GET /.well-known/oauth-protected-resource/<resource path>: each resource server's RFC 9728 metadata,
 * from configuration alone; public, cacheable and readable by any origin, like discovery.
 */
export const createResourceMetadataHandler = (
  config: Pick<Config, 'issuer' | 'resourceServers'>,
  logger: Logger,
) =>
  httpHandler(
    async (request) => {
      const proxy = request.pathParameter('proxy') ?? '';
      const server = resourceServerOfMetadataPath(
        config.resourceServers,
        `/.well-known/oauth-protected-resource/${proxy}`,
      );
      if (!server) throw new NotFound('There is no such resource server.');
      return json(200, protectedResourceMetadata(config.issuer, server), {
        'Cache-Control': 'public, max-age=300',
      });
    },
    { logger, cors: publicCors(['GET']) },
  );
