import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import type { ClientRecord } from '#core/clients/records';
import { epochSeconds } from '#core/clock';
import type { GrantDependencies } from '#core/oauth/grants/issuance';
import type { CodeRecord } from '#core/oauth/records';
import { ResourceIndicators } from '#core/oauth/resource-indicators';
import { randomSecret, sha256 } from '#core/secrets';
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims, verifyToken } from '#core/tokens/jwt';
import { MemoryGrantStore } from './grants.ts';
import { manualClock, memoryKeyRing } from './keys.ts';
import { recordingLogger } from './logger.ts';
import { recordingEvents } from './observability.ts';
import { defaultResourceServer } from './resources.ts';

export const ISSUER = 'https://auth.example.com';
export const AUDIENCE = 'https://api.example.com';
export const REDIRECT = 'https://app.example.com/callback';
export const ACCESS_TTL = 600;
export const REFRESH_TTL = 30 * 86_400;
export const CODE_TTL = 60;
export const SESSION_TTL = 7 * 86_400;

/**
 * What the grant tests share: the grants' dependencies over an in-memory store, a clock the test moves,
 * registered clients and login sessions, codes issued as the authorization endpoint issues them, and
 * access tokens verified exactly as the resource side verifies them.
 */
export async function grantTestbed() {
  const clock = manualClock();
  const now = () => epochSeconds(clock);
  const store = new MemoryGrantStore();
  const { keyRing } = await memoryKeyRing(clock);
  const { logger, lines } = recordingLogger();
  const { events, recorded } = recordingEvents();
  const deps: GrantDependencies = {
    events,
    grants: store,
    keys: keyRing,
    clock,
    issuer: ISSUER,
    resources: new ResourceIndicators([
      { ...defaultResourceServer(AUDIENCE), accessTokenTtlSeconds: ACCESS_TTL },
    ]),
    accessTokenTtlSeconds: ACCESS_TTL,
    refreshTokenTtlSeconds: REFRESH_TTL,
    logger,
  };

  /** A registered confidential client of the code and refresh grants, unless `overrides` say otherwise. */
  function client(overrides: Partial<ClientRecord> = {}): ClientRecord {
    const record: ClientRecord = {
      clientId: `client-${randomUUID()}`,
      owner: 'owner',
      clientName: 'Test app',
      redirectUris: [REDIRECT],
      grantTypes: ['authorization_code', 'refresh_token'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      scope: 'read write',
      secretHash: sha256('secret'),
      clientIdIssuedAt: now(),
      ...overrides,
    };
    store.clients.add(record.clientId);
    return record;
  }

  /** A live login session. */
  function session(): string {
    const sessionId = randomUUID();
    store.sessions.set(sessionId, { expiresAt: now() + SESSION_TTL });
    return sessionId;
  }

  /** An authorization code as /authorize stores it, with its PKCE verifier. */
  async function code(of: ClientRecord, overrides: Partial<CodeRecord> = {}) {
    const code = randomSecret();
    const verifier = randomBytes(32).toString('base64url');
    const record: CodeRecord = {
      codeHash: sha256(code),
      clientId: of.clientId,
      redirectUri: REDIRECT,
      redirectUriSent: true,
      sub: 'user-sub',
      sessionId: overrides.sessionId ?? session(),
      scope: 'read write',
      codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
      createdAt: now(),
      expiresAt: now() + CODE_TTL,
      ...overrides,
    };
    await store.putCode(record);
    return { code, verifier, record };
  }

  /** A code as /authorize stores it when a client exempt from PKCE sent no challenge. */
  async function codeWithoutPkce(of: ClientRecord, overrides: Partial<CodeRecord> = {}) {
    const issued = await code(of, overrides);
    const { codeChallenge: _, ...record } = issued.record;
    await store.putCode(record);
    return { code: issued.code, record };
  }

  /** The access token's claims and `typ`, after verification with the issuer's keys. */
  async function accessToken(token: string) {
    const claims = await verifyToken<AccessTokenClaims & { iss: string; aud: string }>(token, {
      keys: await keyRing.verificationKeys(),
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: ACCESS_TOKEN_TYPE,
      nowSeconds: now(),
    });
    return { claims, typ: decodeProtectedHeader(token).typ };
  }

  return {
    clock,
    now,
    store,
    deps,
    lines,
    events: recorded,
    client,
    session,
    code,
    codeWithoutPkce,
    accessToken,
  };
}
