/**
 * The client credentials grant: RFC 6749 §4.4. A confidential client acts on its own behalf, so the
 * grant's subject is the client itself, and no refresh token is issued (§4.4.3).
 */
import { randomUUID } from 'node:crypto';
import type { ClientRecord } from '#core/clients/records';
import { epochSeconds } from '#core/clock';
import { InvalidGrant, UnauthorizedClient } from '#core/errors';
import type { GrantRecord } from '#core/oauth/records';
import type { ClientCredentialsRequest } from '#core/oauth/token-request';
import { grantableScope } from '#core/scopes';
import { type GrantDependencies, type TokenResponse, tokenResponse } from './issuance.ts';

export class ClientCredentialsGrant {
  constructor(private readonly deps: GrantDependencies) {}

  async exchange(client: ClientRecord, request: ClientCredentialsRequest): Promise<TokenResponse> {
    // §4.4: "MUST only be used by confidential clients".
    if (client.tokenEndpointAuthMethod === 'none') {
      throw new UnauthorizedClient('Public clients cannot use the client credentials grant.');
    }
    const [resource] = this.deps.resources.requested(request.resource ? [request.resource] : [], client);
    const scope = grantableScope(request.scope, this.deps.resources.allowedScope(client, [resource!]));
    const now = epochSeconds(this.deps.clock);
    const grant: GrantRecord = {
      grantId: randomUUID(),
      clientId: client.clientId,
      sub: client.clientId,
      scope,
      resources: [resource!.identifier],
      grantType: 'client_credentials',
      createdAt: now,
      expiresAt: now + resource!.accessTokenTtlSeconds,
    };
    if (!(await this.deps.grants.putGrant(grant))) {
      throw new InvalidGrant('The client no longer exists.', { detail: 'client deleted during request' });
    }
    return tokenResponse(this.deps, {
      grantType: 'client_credentials',
      grant,
      scope,
      resource: resource!,
      now,
    });
  }
}
