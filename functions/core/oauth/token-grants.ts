/**
 * The token endpoint's grants (RFC 6749 §3.2): the request is read into the shape of its grant type,
 * then handed to that grant (grants/), each a sequence of checks that reads like its RFC section.
 */
import type { ClientRecord } from '#core/clients/records';
import { AuthorizationCodeGrant } from '#core/oauth/grants/authorization-code';
import { ClientCredentialsGrant } from '#core/oauth/grants/client-credentials';
import type { GrantDependencies, TokenResponse } from '#core/oauth/grants/issuance';
import { RefreshTokenGrant } from '#core/oauth/grants/refresh-token';
import type { Parameters } from './parameters.ts';
import type { ReadAheadRecords } from './read-ahead.ts';
import { parseTokenRequest } from './token-request.ts';

export class TokenGrants {
  private readonly authorizationCode: AuthorizationCodeGrant;
  private readonly refreshToken: RefreshTokenGrant;
  private readonly clientCredentials: ClientCredentialsGrant;

  constructor(deps: GrantDependencies) {
    this.authorizationCode = new AuthorizationCodeGrant(deps);
    this.refreshToken = new RefreshTokenGrant(deps);
    this.clientCredentials = new ClientCredentialsGrant(deps);
  }

  /** `found`: what was read ahead with the client (read-ahead.ts), used only for the key it was read under. */
  async exchange(client: ClientRecord, form: Parameters, found?: ReadAheadRecords): Promise<TokenResponse> {
    const request = parseTokenRequest(client, form);
    switch (request.kind) {
      case 'authorization_code':
        return this.authorizationCode.exchange(client, request, found);
      case 'refresh_token':
        return this.refreshToken.exchange(client, request, found);
      case 'client_credentials':
        return this.clientCredentials.exchange(client, request);
    }
  }
}
