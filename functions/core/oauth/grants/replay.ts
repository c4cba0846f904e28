/**
 * The single-use credentials of the token endpoint, an authorization code and a refresh token. One
 * presented twice means two parties hold it and one may be an attacker; RFC 6749 §4.1.2 and RFC 9700
 * §4.14.2 both answer by ending the whole grant, and neither tells the client more than `invalid_grant`.
 */
import { InvalidGrant } from '#core/errors';
import type { ConsumeResult } from '#core/oauth/grant-store';
import type { GrantDependencies } from './issuance.ts';

export interface SingleUseCredential {
  /** As error descriptions name it. */
  name: string;
  /** The security event of its presentation again (core/observability.ts). */
  replayEvent: 'code_replayed' | 'refresh_token_reused';
  /** The error detail when it is presented again. */
  replayDetail: string;
}

export const AUTHORIZATION_CODE: SingleUseCredential = {
  name: 'authorization code',
  replayEvent: 'code_replayed',
  replayDetail: 'code replay',
};

export const REFRESH_TOKEN: SingleUseCredential = {
  name: 'refresh token',
  replayEvent: 'refresh_token_reused',
  replayDetail: 'refresh token reuse',
};

/** One description for unknown, expired, foreign and replayed alike, so that none can be told apart. */
export const invalidOrExpired = (credential: SingleUseCredential, detail?: string): InvalidGrant =>
  new InvalidGrant(`The ${credential.name} is invalid or expired.`, detail === undefined ? {} : { detail });

type ReplayDependencies = Pick<GrantDependencies, 'grants' | 'events'>;

/** Ends the grant the credential was consumed for (if it got that far), then refuses the request. */
export async function refuseReplay(
  deps: ReplayDependencies,
  replay: { credential: SingleUseCredential; grantId: string | undefined; now: number },
): Promise<never> {
  const { credential, grantId, now } = replay;
  if (grantId) await deps.grants.revokeGrant(grantId, now);
  // A theft signal: counted, alarmed on, and written as a warning audit line.
  deps.events?.record({ kind: credential.replayEvent, grantId });
  throw invalidOrExpired(credential, credential.replayDetail);
}

/** The atomic consume lost: to a replay (which ends the grant), or because something it needed is gone. */
export async function refuseFailedConsume(
  deps: ReplayDependencies,
  failed: {
    credential: SingleUseCredential;
    failure: Extract<ConsumeResult, { ok: false }>;
    now: number;
  },
): Promise<never> {
  const { credential, failure, now } = failed;
  if (failure.reason === 'already_used') {
    return refuseReplay(deps, { credential, grantId: failure.grantId, now });
  }
  throw invalidOrExpired(credential, failure.reason);
}
