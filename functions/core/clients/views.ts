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

/** The credentials a registration or management response carries beside the metadata. */
export interface IssuedCredentials {
  /** A new client secret: shown only when issued (a secret is never read back). */
  secret?: string | undefined;
  /** RFC 7592 §3: a new registration access token, issued by every registration, read and update. */
  registrationAccessToken: string;
  registrationClientUri: string;
}

/**
 * The registration response (RFC 7591 §3.2.1), which is also RFC 7592's client information response
 * (§3): the view plus the credentials issued by this request, which are shown only here.
 */
export function registrationResponse(client: ClientRecord, issued: IssuedCredentials) {
  return {
    ...describeClient(client),
    ...(issued.secret === undefined ? {} : { client_secret: issued.secret }),
    client_secret_expires_at: 0,
    registration_access_token: issued.registrationAccessToken,
    registration_client_uri: issued.registrationClientUri,
  };
}
