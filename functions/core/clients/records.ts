/** A registered OAuth client as stored (contract/tables.ts `clients`), and how the rest of the core finds one. */

export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';
/** OpenID Connect Registration `id_token_signed_response_alg`: RS256 unless the client chose ES256. */
export type IdTokenAlgorithm = 'RS256' | 'ES256';

export interface ClientRecord {
  clientId: string;
  /** `sub` of the user who registered it. */
  owner: string;
  clientName: string;
  redirectUris: string[];
  grantTypes: GrantType[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** Space-separated scopes the client may ask for. */
  scope: string;
  /** SHA-256 of the secret (base64url); absent for public clients. */
  secretHash?: string;
  clientIdIssuedAt: number;
  /** Where RP-initiated logout may send the browser back to (exact match); absent: nowhere. */
  postLogoutRedirectUris?: string[];
  /** Absent: RS256, OpenID Connect's default. */
  idTokenSignedResponseAlg?: IdTokenAlgorithm;
}

/** What the authorization and token endpoints need of the client registry. */
export interface ClientLookup {
  findClient(clientId: string): Promise<ClientRecord | undefined>;
}
