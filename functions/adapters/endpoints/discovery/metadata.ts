import type { Config } from '#adapters/config';
import { httpHandler } from '#adapters/http/handler';
import { json } from '#adapters/http/responses';
import type { Logger } from '#core/logging';

/** RFC 8414 authorization server metadata, derived from configuration alone. */
export function serverMetadata(config: Pick<Config, 'issuer' | 'scopesSupported'>) {
  const at = (path: string) => `${config.issuer}${path}`;
  const secretMethods = ['client_secret_basic', 'client_secret_post'];
  return {
    issuer: config.issuer,
    authorization_endpoint: at('/authorize'),
    token_endpoint: at('/token'),
    revocation_endpoint: at('/revoke'),
    introspection_endpoint: at('/introspect'),
    jwks_uri: at('/.well-known/jwks.json'),
    // RFC 7591 registration with an initial access token: the user's session token.
    registration_endpoint: at('/client'),
    scopes_supported: config.scopesSupported,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    token_endpoint_auth_methods_supported: [...secretMethods, 'none'],
    revocation_endpoint_auth_methods_supported: [...secretMethods, 'none'],
    introspection_endpoint_auth_methods_supported: secretMethods,
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
  };
}

/** GET /.well-known/oauth-authorization-server. */
export const createMetadataHandler = (config: Pick<Config, 'issuer' | 'scopesSupported'>, logger: Logger) => {
  const document = serverMetadata(config);
  return httpHandler(async () => json(200, document, { 'Cache-Control': 'public, max-age=300' }), { logger });
};
