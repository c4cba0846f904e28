/** Which grants get an ID token, and what it says about them: the bridge from OAuth's grants to OIDC. */
import type { ClientRecord } from '#core/clients/records';
import type { GrantRecord } from '#core/oauth/records';
import { grantsOpenId } from './claims.ts';
import type { IdTokenSubject } from './id-token.ts';

/**
 * The ID token's subject when the grant has `openid`, else undefined. `nonce` is the authorization
 * request's, for the code exchange only; a refresh passes none (OIDC Core §12.2).
 */
export function openIdSubject(
  client: Pick<ClientRecord, 'clientId' | 'idTokenSignedResponseAlg'>,
  grant: Pick<GrantRecord, 'sub' | 'scope' | 'sessionId' | 'authTime' | 'amr'>,
  nonce: string | undefined,
): IdTokenSubject | undefined {
  if (!grantsOpenId(grant.scope)) return undefined;
  return {
    client,
    sub: grant.sub,
    scope: grant.scope,
    sessionId: grant.sessionId,
    authTime: grant.authTime,
    amr: grant.amr,
    nonce,
  };
}
