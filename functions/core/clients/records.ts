/** A registered OAuth client as stored (contract/tables.ts `clients`), and how the rest of the core finds one. */

export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';
/** OpenID Connect Registration `id_token_signed_response_alg`: RS256 unless the client chose ES256. */
export type IdTokenAlgorithm = 'RS256' | 'ES256';
/** OpenID Connect Registration `application_type`: which redirect URIs an openly registered client may have. */
export type ApplicationType = 'web' | 'native';

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
  /**
   * `false` only for a confidential client registered with `require_pkce: false` (an AWS load balancer
   * cannot send a code challenge); absent (every record before it existed) means true. Read it through
   * `pkceRequired`, never directly.
   */
  requirePkce?: boolean;
  /**
   * Set by an operator (admin tool): the client cannot authenticate (`invalid_client`), /authorize treats
   * it as unknown, no grant can be made or refreshed for it, and its grants were deleted when it was set.
   */
  suspendedAt?: number;
  /** Set for clients registered without an account (open-registration.ts). */
  applicationType?: ApplicationType;
  /**
   * Epoch seconds after which a client registered without an account, and never used, is gone: removed
   * by its first grant (a code redeemed, client credentials), else DynamoDB's TTL deletes the client
   * (late: lookups check it themselves).
   */
  expiresAt?: number;
  /**
   * SHA-256 of the RFC 7592 registration access token (configuration.ts), which lets whoever registered
   * the client read, update and delete it; absent on clients registered before RFC 7592 was supported.
   */
  registrationTokenHash?: string;
}

/**
 * Whether the client must use PKCE. Always for a public client, whatever its record says: without a
 * secret, the code verifier is the only thing that ties a code to the app that asked for it (RFC 9700
 * §2.1.1 requires it there). A confidential client may go without, by registration: its secret
 * authenticates the exchange.
 */
export const pkceRequired = (client: ClientRecord): boolean =>
  client.tokenEndpointAuthMethod === 'none' || client.requirePkce !== false;

/** What the authorization and token endpoints need of the client registry. */
export interface ClientLookup {
  /** Only ever asked about an `isClientId` value, so that no request can make it read an impossible key. */
  findClient(clientId: string): Promise<ClientRecord | undefined>;
}

/**
 * Whether `value` could be an id this registry issued (22 base64url characters today; up to 128 are
 * accepted). Anything else names no client, so it is refused before any read: a value a request
 * controls never becomes a database key it could make too large or malformed.
 */
export const isClientId = (value: string): boolean => /^[A-Za-z0-9_-]{1,128}$/.test(value);

/** The longest client_id URL accepted: well inside DynamoDB's 2048-byte key limit (grants are keyed by it). */
export const MAX_CLIENT_ID_URL_LENGTH = 1024;

/**
 * Whether `value` is shaped like a Client ID Metadata Document URL (metadata-documents.ts): https (or
 * http on localhost, which only a local-development setting lets the fetcher use), a path other than
 * `/`, no dot segments, no credentials, query or fragment. The exact string is the client_id.
 */
export function isClientIdUrl(value: string): boolean {
  if (value.length > MAX_CLIENT_ID_URL_LENGTH || !/^https?:\/\/[^/?#]+\/[^?#]*[^/?#]$/.test(value))
    return false;
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  if (url.href !== value || url.username || url.password) return false;
  if (
    value
      .split('/')
      .slice(3)
      .some((segment) => segment === '.' || segment === '..')
  )
    return false;
  return url.protocol === 'https:' || url.hostname === 'localhost';
}

/** Whether `value` may name a client at all: a registered client's id, or a metadata document's URL. */
export const isClientIdentifier = (value: string): boolean => isClientId(value) || isClientIdUrl(value);
