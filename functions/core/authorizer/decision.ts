/**
 * The decision behind the `/protected/*` Lambda authorizer (TOKEN type, identity source: the
 * Authorization header), with every dependency injected so tests control keys, storage and time.
 *
 * A request is allowed only with `Authorization: Bearer <access token>` where the token is an ES256
 * `at+jwt` of this issuer for this resource, inside its validity window, and not revoked. Everything
 * else, including any failure of the authorizer itself, ends in `Unauthorized` (fail closed).
 */
import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { ScopeRule } from '#contract/protection';
import type { ResourceServer } from '#contract/resources';
import { SIGNING_ALGORITHM } from '#core/keys/key-set';
import type { LogFields, Logger } from '#core/logging';
import type { LivenessStore } from '#core/oauth/liveness';
import { deadTokenReason } from '#core/oauth/liveness';
import type { SecurityEvents } from '#core/observability';
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims, CLOCK_TOLERANCE_SECONDS } from '#core/tokens/jwt';
import { accessPolicy, type PolicyDocument, parseMethodArn, unmetScopeRules } from './access-policy.ts';

/** What API Gateway expects thrown for a 401 (it answers with the UNAUTHORIZED gateway response). */
export const UNAUTHORIZED = 'Unauthorized';

/**
 * A bound on token age independent of the configured lifetime (whose maximum is one day), so that an
 * `iat` in the future is refused (jose checks that only together with an age limit).
 */
const MAX_TOKEN_AGE_SECONDS = 86400;
/** Far above any token tinyoauth issues; spares the verifier from parsing arbitrary input. */
const MAX_TOKEN_LENGTH = 8192;
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

/** jose error codes that mean "this token is not acceptable", as opposed to a failure of ours. */
const TOKEN_PROBLEMS = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

export interface AuthorizerDependencies {
  /** The verification keys: a remote JWKS in Lambda, a local one in tests. */
  keys: JWTVerifyGetKey;
  revocation: LivenessStore;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** Every resource server: a token's `aud` must name one, and it is admitted only below that one's path. */
  resourceServers: readonly ResourceServer[];
  /** Expected `iss`. */
  issuer: string;
  scopeRules: readonly ScopeRule[];
  logger: Logger;
  /** Counts every decision (metrics only: a line per request would cost more than the decision). */
  events?: SecurityEvents;
}

/** The identity API Gateway hands to the backend (`requestContext.authorizer`); string values only. */
export interface CallerContext {
  [key: string]: string;
  sub: string;
  client_id: string;
  scope: string;
  jti: string;
}

/** What API Gateway hands a TOKEN authorizer: the Authorization header and the method ARN. */
export interface TokenAuthorizerRequest {
  type?: string;
  authorizationToken: unknown;
  methodArn: unknown;
}

/** The answer API Gateway caches for the token: who calls, and where the token may go. */
export interface AuthorizerResult {
  principalId: string;
  policyDocument: PolicyDocument;
  context: CallerContext;
}

export type Authorize = (event: TokenAuthorizerRequest, requestId?: string) => Promise<AuthorizerResult>;

/** A refusal with what to log about it; `failure` marks an error of ours rather than of the token. */
class Refusal extends Error {
  constructor(
    readonly reason: string,
    readonly fields: LogFields = {},
    readonly failure?: unknown,
  ) {
    super(reason);
  }
}

export function createAuthorizer(deps: AuthorizerDependencies): Authorize {
  return async (event, requestId) => {
    const logger = requestId ? deps.logger.child({ awsRequestId: requestId }) : deps.logger;
    try {
      const result = await decide(deps, event, logger);
      deps.events?.record({ kind: 'access_allowed' });
      return result;
    } catch (error) {
      logRefusal(logger, error);
      deps.events?.record({ kind: 'access_denied' });
      throw new Error(UNAUTHORIZED);
    }
  };
}

async function decide(
  deps: AuthorizerDependencies,
  event: TokenAuthorizerRequest,
  logger: Logger,
): Promise<AuthorizerResult> {
  const arn = parseMethodArn(String(event.methodArn));
  if (!arn)
    throw new Refusal('method_arn_malformed', { methodArn: event.methodArn }, new Error('bad methodArn'));
  const token = bearerToken(event.authorizationToken);
  const nowSeconds = Math.floor(deps.clock() / 1000);
  const payload = await verifySignature(deps, token, nowSeconds);
  const claims = claimsOf(payload);
  // One audience, one resource server: a token for several would open each of their areas.
  const audience = deps.resourceServers.find((server) => server.identifier === payload.aud);
  if (!audience) throw new Refusal('audience_not_single_resource', caller(claims));
  await checkLive(deps.revocation, claims, nowSeconds);

  const unmet = unmetScopeRules(deps.scopeRules, claims.scope);
  // The gateway's access log records every allowed request with principal, client and token id (cached
  // ones too, which never reach this function); an info line here would repeat it on the hot path.
  logger.debug('access allowed', { ...caller(claims), deniedRoutes: unmet.length });
  return {
    principalId: claims.sub,
    policyDocument: accessPolicy(arn.stagePrefix, { audience, servers: deps.resourceServers, unmet }),
    context: { sub: claims.sub, client_id: claims.client_id, scope: claims.scope, jti: claims.jti },
  };
}

const caller = (claims: AccessTokenClaims) => ({
  sub: claims.sub,
  client_id: claims.client_id,
  jti: claims.jti,
});

function bearerToken(authorization: unknown): string {
  const header = typeof authorization === 'string' ? authorization : '';
  const token = header.length <= MAX_TOKEN_LENGTH ? BEARER.exec(header)?.[1] : undefined;
  if (!token) throw new Refusal('no_bearer_token');
  return token;
}

async function verifySignature(
  deps: AuthorizerDependencies,
  token: string,
  nowSeconds: number,
): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, deps.keys, {
      algorithms: [SIGNING_ALGORITHM],
      typ: ACCESS_TOKEN_TYPE,
      issuer: deps.issuer,
      audience: deps.resourceServers.map((server) => server.identifier),
      requiredClaims: ['exp', 'iat', 'jti', 'sub'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      maxTokenAge: MAX_TOKEN_AGE_SECONDS,
      currentDate: new Date(nowSeconds * 1000),
    });
    return payload;
  } catch (error) {
    const code = error instanceof errors.JOSEError ? error.code : undefined;
    if (code && TOKEN_PROBLEMS.has(code)) {
      const claim = error instanceof errors.JWTClaimValidationFailed ? error.claim : undefined;
      throw new Refusal('token_rejected', { joseCode: code, claim });
    }
    // The JWKS could not be fetched or parsed, or jose failed in a way no token should cause.
    throw new Refusal('verification_failed', { joseCode: code }, error);
  }
}

/** The claims of a verified access token, refused unless each has the type tinyoauth issues. */
function claimsOf(payload: JWTPayload): AccessTokenClaims {
  const { sub, jti, client_id, scope, gid, sid } = payload;
  const text = (value: unknown): value is string => typeof value === 'string' && value !== '';
  if (!text(sub) || !text(jti) || !text(client_id) || typeof scope !== 'string' || !text(gid)) {
    throw new Refusal('claims_malformed');
  }
  if (sid !== undefined && !text(sid)) throw new Refusal('claims_malformed');
  return { sub, jti, client_id, scope, gid, sid, iat: payload.iat!, exp: payload.exp! };
}

/** Refuses a token that is no longer live: its grant or session gone or ended, or itself revoked. */
async function checkLive(revocation: LivenessStore, claims: AccessTokenClaims, nowSeconds: number) {
  let records: Awaited<ReturnType<LivenessStore['lookup']>>;
  try {
    records = await revocation.lookup({ grantId: claims.gid, sessionId: claims.sid, jti: claims.jti });
  } catch (error) {
    throw new Refusal('revocation_check_failed', caller(claims), error);
  }
  const dead = deadTokenReason(claims, records, nowSeconds);
  if (dead) throw new Refusal(dead, caller(claims));
}

/** A refused token is routine (info); a failure of ours is an error worth an alarm. */
function logRefusal(logger: Logger, error: unknown): void {
  if (error instanceof Refusal && error.failure === undefined) {
    logger.info('access refused', { reason: error.reason, ...error.fields });
    return;
  }
  // Never the token itself: only what identifies the failure.
  const refusal = error instanceof Refusal ? error : new Refusal('unexpected_error', {}, error);
  logger.error('authorizer failed; access refused', {
    reason: refusal.reason,
    ...refusal.fields,
    error: refusal.failure,
  });
}
