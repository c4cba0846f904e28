/** How a registered client is shown to its owner, in RFC 7591 §3.2.1 member names. */
import {
  type ApplicationType,
  type ClientRecord,
  type GrantType,
  type IdTokenAlgorithm,
  pkceRequired,
  type TokenEndpointAuthMethod,
} from './records.ts';

/** A client as its owner sees it (RFC 7591 §3.2.1 names): never a secret or its hash. */
export interface ClientView {
  client_id: string;
  client_id_issued_at: number;
  client_name?: string;
  redirect_uris: string[];
  grant_types: GrantType[];
  response_types: string[];
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  scope: string;
  post_logout_redirect_uris?: string[];
  id_token_signed_response_alg: IdTokenAlgorithm;
  require_pkce: boolean;
  application_type?: ApplicationType;
}

export const responseTypesFor = (grantTypes: readonly GrantType[]): string[] =>
  grantTypes.includes('authorization_code') ? ['code'] : [];

export function describeClient(client: ClientRecord): ClientView {
  return {
    client_id: client.clientId,
    client_id_issued_at: client.clientIdIssuedAt,
    ...(client.clientName ? { client_name: client.clientName } : {}),
    redirect_uris: [...client.redirectUris],
    grant_types: [...client.grantTypes],
    response_types: responseTypesFor(client.grantTypes),
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    scope: client.scope,
    ...(client.postLogoutRedirectUris
      ? { post_logout_redirect_uris: [...client.postLogoutRedirectUris] }
      : {}),
    id_token_signed_response_alg: client.idTokenSignedResponseAlg ?? 'RS256',
    require_pkce: pkceRequired(client),
    ...(client.applicationType ? { application_type: client.applicationType } : {}),
  };
}

/** The registration response (RFC 7591 §3.2.1): the view plus the secret, which is shown only here. */
export function registrationResponse(client: ClientRecord, secret: string | undefined) {
  return {
    ...describeClient(client),
    ...(secret === undefined ? {} : { client_secret: secret }),
    client_secret_expires_at: 0,
  };
}
