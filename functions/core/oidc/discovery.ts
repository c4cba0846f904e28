/**
 * The one discovery document: RFC 8414 authorization server metadata and OpenID Connect Discovery 1.0
 * §3 provider metadata are a registry of the same names, so tinyoauth serves the same document at
 * `/.well-known/oauth-authorization-server` and `/.well-known/openid-configuration`, and a value can
 * never differ between them.
 */
import { CLAIMS_SUPPORTED, withIdentityScopes } from './claims.ts';

export interface DiscoverySettings {
  issuer: string;
  /** The configured API scopes (`SCOPES`); the identity scopes are added. */
  scopesSupported: readonly string[];
}

/** Paths of the two documents, below the issuer (OIDC Discovery §4; RFC 8414 §3 for an issuer without a path). */
export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration';
export const AUTHORIZATION_SERVER_METADATA_PATH = '/.well-known/oauth-authorization-server';

/** Endpoint paths below the issuer, as infra/routes.ts serves them. */
const ENDPOINTS = {
  authorization_endpoint: '/authorize',
  token_endpoint: '/token',
  userinfo_endpoint: '/userinfo',
  jwks_uri: '/.well-known/jwks.json',
  // RFC 7591 registration with an initial access token: the user's session token.
  registration_endpoint: '/client',
  revocation_endpoint: '/revoke',
  introspection_endpoint: '/introspect',
  end_session_endpoint: '/end_session',
} as const;

export function discoveryDocument(settings: DiscoverySettings): Record<string, unknown> {
  const endpoints = Object.fromEntries(
    Object.entries(ENDPOINTS).map(([name, path]) => [name, `${settings.issuer}${path}`]),
  );
  const secretMethods = ['client_secret_basic', 'client_secret_post'];
  return {
    issuer: settings.issuer,
    ...endpoints,
    scopes_supported: withIdentityScopes(settings.scopesSupported),
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256', 'ES256'],
    claims_supported: CLAIMS_SUPPORTED,
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    prompt_values_supported: ['none', 'login', 'consent'],
    token_endpoint_auth_methods_supported: [...secretMethods, 'none'],
    revocation_endpoint_auth_methods_supported: [...secretMethods, 'none'],
    introspection_endpoint_auth_methods_supported: secretMethods,
    code_challenge_methods_supported: ['S256'],
    // A client_id may be the URL of the client's metadata document (core/clients/metadata-documents.ts).
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
  };
}
