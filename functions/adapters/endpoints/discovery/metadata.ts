import type { Config } from '#adapters/config';
import { publicCors } from '#adapters/http/cors';
import { httpHandler } from '#adapters/http/handler';
import { json } from '#adapters/http/responses';
import type { Logger } from '#core/logging';
import { discoveryDocument } from '#core/oidc/discovery';

/**
 * GET /.well-known/openid-configuration and /.well-known/oauth-authorization-server: one document
 * (core/oidc/discovery.ts) derived from configuration alone, public and cacheable, readable by any
 * origin's scripts (it holds nothing but public configuration).
 */
export const createMetadataHandler = (config: Pick<Config, 'issuer' | 'scopesSupported'>, logger: Logger) => {
  const document = discoveryDocument(config);
  return httpHandler(async () => json(200, document, { 'Cache-Control': 'public, max-age=300' }), {
    logger,
    cors: publicCors(['GET']),
  });
};
