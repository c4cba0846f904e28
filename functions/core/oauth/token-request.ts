/**
 * A token request (RFC 6749 §3.2, §4.1.3, §4.4.2, §6) read into the one shape its grant type defines,
 * so that each grant receives exactly its own parameters. Checks run in a fixed order: the grant type
 * must be named, supported, and one the client is registered for, before any other parameter is read.
 */
import { type ClientRecord, type GrantType, pkceRequired } from '#core/clients/records';
import { InvalidRequest, UnauthorizedClient, UnsupportedGrantType } from '#core/errors';
import type { Parameters } from './parameters.ts';

/** RFC 6749 §4.1.3 with RFC 7636 §4.5. */
export interface AuthorizationCodeRequest {
  kind: 'authorization_code';
  code: string;
  /**
   * Absent only from a client exempt from PKCE; the grant then decides by the code, which must have been
   * issued without a challenge (RFC 9700 §2.1.1).
   */
  codeVerifier: string | undefined;
  /** Absent when the client did not send it; the grant decides whether it had to. */
  redirectUri: string | undefined;
  /** RFC 8707: which of the grant's resource servers the access token is for. */
  resource?: string | undefined;
}

/** RFC 6749 §6. */
export interface RefreshTokenRequest {
  kind: 'refresh_token';
  refreshToken: string;
  scope: string | undefined;
  resource?: string | undefined;
}

/** RFC 6749 §4.4.2. */
export interface ClientCredentialsRequest {
  kind: 'client_credentials';
  scope: string | undefined;
  resource?: string | undefined;
}

export type TokenRequest = AuthorizationCodeRequest | RefreshTokenRequest | ClientCredentialsRequest;

/** Every grant type a client can be registered for (a Record, so that adding one means handling it). */
const SUPPORTED_GRANT_TYPES: Record<GrantType, true> = {
  authorization_code: true,
  refresh_token: true,
  client_credentials: true,
};

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export function parseTokenRequest(client: ClientRecord, form: Parameters): TokenRequest {
  const grantType = form.get('grant_type');
  if (grantType === undefined) throw new InvalidRequest('The "grant_type" parameter is required.');
  if (!isSupported(grantType)) {
    throw new UnsupportedGrantType(`The grant type "${grantType}" is not supported.`);
  }
  if (!client.grantTypes.includes(grantType)) {
    throw new UnauthorizedClient(`This client is not registered for the ${grantType} grant.`);
  }
  switch (grantType) {
    case 'authorization_code':
      return authorizationCodeRequest(form, pkceRequired(client));
    case 'refresh_token':
      return {
        kind: 'refresh_token',
        refreshToken: form.require('refresh_token'),
        scope: form.get('scope'),
        resource: form.get('resource'),
      };
    case 'client_credentials':
      return { kind: 'client_credentials', scope: form.get('scope'), resource: form.get('resource') };
  }
}

const isSupported = (grantType: string): grantType is GrantType =>
  Object.hasOwn(SUPPORTED_GRANT_TYPES, grantType);

function authorizationCodeRequest(form: Parameters, verifierRequired: boolean): AuthorizationCodeRequest {
  const code = form.require('code');
  const codeVerifier = form.get('code_verifier');
  if (codeVerifier === undefined && verifierRequired) {
    throw new InvalidRequest('The "code_verifier" parameter is required (PKCE).');
  }
  if (codeVerifier !== undefined && !CODE_VERIFIER.test(codeVerifier)) {
    throw new InvalidRequest('"code_verifier" must be 43 to 128 unreserved characters.');
  }
  return {
    kind: 'authorization_code',
    code,
    codeVerifier,
    redirectUri: form.get('redirect_uri'),
    resource: form.get('resource'),
  };
}
