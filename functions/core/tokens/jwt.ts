/**
 * JWTs tinyoauth issues and accepts. Each kind has its own `typ`, so a session token can never be used
 * as an access token or the reverse; verification pins algorithm, `typ`, issuer and audience, and
 * requires `exp`, `iat`, `jti` and `sub`. Time is passed in, never read here.
 */
import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';
import { InvalidToken } from '#core/errors';
import type { SigningKey } from '#core/keys/key-ring';
import { SIGNING_ALGORITHM } from '#core/keys/key-set';

export const SESSION_TOKEN_TYPE = 'tinyoauth-session+jwt';
/** RFC 9068 §2.1. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
/** Seconds of clock skew tolerated between signer and verifier. */
export const CLOCK_TOLERANCE_SECONDS = 5;

export interface SessionClaims {
  sub: string;
  /** The session id; also the key of the session record that revocation clears. */
  jti: string;
  iat: number;
  exp: number;
}

export interface AccessTokenClaims {
  sub: string;
  client_id: string;
  scope: string;
  jti: string;
  iat: number;
  exp: number;
  /** The grant this token belongs to: revoking the grant revokes the token. */
  gid: string;
  /** The login session the grant came from, when a user took part. */
  sid?: string;
}

async function sign(
  key: SigningKey,
  typ: string,
  issuer: string,
  audience: string,
  claims: Record<string, unknown> & { sub: string; jti: string; iat: number; exp: number },
): Promise<string> {
  const { sub, jti, iat, exp, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, typ, kid: key.kid })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(sub)
    .setJti(jti)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key.key);
}

export const signSessionToken = (key: SigningKey, issuer: string, claims: SessionClaims) =>
  // A session token is for tinyoauth itself, so its audience is the issuer.
  sign(key, SESSION_TOKEN_TYPE, issuer, issuer, { ...claims });

export const signAccessToken = (
  key: SigningKey,
  issuer: string,
  audience: string,
  claims: AccessTokenClaims,
) => sign(key, ACCESS_TOKEN_TYPE, issuer, audience, { ...claims });

export interface VerifyOptions {
  keys: JWTVerifyGetKey;
  issuer: string;
  audience: string | string[];
  typ: string;
  nowSeconds: number;
}

/** Verifies a JWT of one kind; any failure is an `InvalidToken` whose detail names the reason. */
export async function verifyToken<T = JWTPayload>(token: string, options: VerifyOptions): Promise<T> {
  try {
    const { payload } = await jwtVerify(token, options.keys, {
      algorithms: [SIGNING_ALGORITHM],
      typ: options.typ,
      issuer: options.issuer,
      audience: options.audience,
      requiredClaims: ['exp', 'iat', 'jti', 'sub'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: new Date(options.nowSeconds * 1000),
    });
    return payload as unknown as T;
  } catch (error) {
    const code = error instanceof errors.JOSEError ? error.code : 'ERR_MALFORMED';
    throw new InvalidToken('The token is invalid, expired or revoked.', { detail: code });
  }
}
