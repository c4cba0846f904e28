/**
 * The OpenID Connect parameters of an authorization request (OIDC Core §3.1.2.1) beyond OAuth's:
 * `nonce`, echoed in the ID token exactly as sent, and `max_age`, the oldest sign-in the client will
 * accept. `prompt` is read by the browser flow (adapters/web/carried-request.ts); together they decide
 * whether the user must sign in again before a code is issued.
 */
import { InvalidRequest } from '#core/errors';
import type { Parameters } from '#core/oauth/parameters';
import type { SessionRecord } from '#core/users/records';

/** Long enough for any nonce a library makes (they are 32–64 characters); bounds the code record. */
export const MAX_NONCE_LENGTH = 512;

export interface OpenIdParameters {
  nonce?: string;
  /** Seconds; 0 means "sign in now", like `prompt=login`. */
  maxAge?: number;
}

/** `nonce` and `max_age` as sent; `invalid_request` for a malformed `max_age` or an overlong nonce. */
export function openIdParameters(params: Parameters): OpenIdParameters {
  const nonce = params.get('nonce');
  if (nonce !== undefined && nonce.length > MAX_NONCE_LENGTH) {
    throw new InvalidRequest(`"nonce" must be at most ${MAX_NONCE_LENGTH} characters.`);
  }
  const rawMaxAge = params.get('max_age');
  if (rawMaxAge !== undefined && !/^\d{1,9}$/.test(rawMaxAge)) {
    throw new InvalidRequest('"max_age" must be a number of seconds.');
  }
  return {
    ...(nonce === undefined ? {} : { nonce }),
    ...(rawMaxAge === undefined ? {} : { maxAge: Number(rawMaxAge) }),
  };
}

/** The time the user signed in: the login session's start (OIDC `auth_time`). */
export const authTime = (session: Pick<SessionRecord, 'createdAt'>): number => session.createdAt;

/**
 * How a session made before sessions recorded their methods (RFC 8176 `amr`) was opened: by password.
 * Every session now records its own (`SessionRecord.amr`).
 */
export const PASSWORD_AMR: readonly string[] = ['pwd'];

/** Whether the session's sign-in is older than `max_age` allows; `max_age=0` is always too old. */
export function signInTooOld(
  request: OpenIdParameters,
  session: Pick<SessionRecord, 'createdAt'>,
  nowSeconds: number,
): boolean {
  const { maxAge } = request;
  return maxAge !== undefined && (maxAge === 0 || nowSeconds - authTime(session) > maxAge);
}
