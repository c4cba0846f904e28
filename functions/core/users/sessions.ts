/**
 * Login sessions. A session token is a JWT whose `jti` names a session record; it is accepted only
 * while the record exists, is unrevoked and unexpired, so logout ends it everywhere at once.
 */

import { decodeJwt } from 'jose';
import { type Clock, epochSeconds } from '#core/clock';
import { InvalidToken } from '#core/errors';
import { isLive } from '#core/expiry';
import type { KeyRing } from '#core/keys/key-ring';
import { type ReadAhead, type ReadAheadRecords, readAheadSession } from '#core/oauth/read-ahead';
import { SESSION_TOKEN_TYPE, type SessionClaims, signSessionToken, verifyToken } from '#core/tokens/jwt';
import type { SessionRecord } from './records.ts';

/**
 * Session ids are random UUIDs (accounts.ts). The read-ahead takes the `jti` before the token is
 * verified, so a request controls it: anything not shaped like one names no session and is never a key.
 */
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface SessionStore {
  findSession(sessionId: string): Promise<SessionRecord | undefined>;
  /** Revokes a live session and marks its user offline; false when it was not live. */
  closeSession(session: SessionRecord, nowSeconds: number): Promise<boolean>;
}

export interface SessionDependencies {
  store: SessionStore;
  keys: KeyRing;
  issuer: string;
  clock: Clock;
}

export class Sessions {
  constructor(private readonly deps: SessionDependencies) {}

  async issueToken(session: SessionRecord): Promise<string> {
    const claims: SessionClaims = {
      sub: session.sub,
      jti: session.sessionId,
      iat: session.createdAt,
      exp: session.expiresAt,
    };
    return signSessionToken(await this.deps.keys.signingKey(), this.deps.issuer, claims);
  }

  /**
   * What to read ahead for a session token: the session its (not yet verified) `jti` names. Only a read
   * key: `authenticate` verifies the token and uses the record only if the verified `jti` is this one.
   */
  readAheadOf(token: string | undefined): ReadAhead | undefined {
    if (!token) return undefined;
    try {
      const { jti } = decodeJwt(token);
      return typeof jti === 'string' && SESSION_ID.test(jti)
        ? { kind: 'session', sessionId: jti }
        : undefined;
    } catch {
      return undefined;
    }
  }

  /** The live session a token stands for; `InvalidToken` for anything else. */
  async authenticate(token: string | undefined, found?: ReadAheadRecords): Promise<SessionRecord> {
    if (!token) throw new InvalidToken('A session token is required.', { detail: 'no bearer token' });
    const now = epochSeconds(this.deps.clock);
    const claims = await verifyToken<SessionClaims>(token, {
      keys: await this.deps.keys.verificationKeys(),
      issuer: this.deps.issuer,
      audience: this.deps.issuer,
      typ: SESSION_TOKEN_TYPE,
      nowSeconds: now,
    });
    const ahead = readAheadSession(found, claims.jti);
    const session = ahead ? ahead.record : await this.deps.store.findSession(claims.jti);
    if (!isLive(session, now) || session?.sub !== claims.sub) {
      throw new InvalidToken('The session has ended.', { detail: 'session revoked, expired or unknown' });
    }
    return session;
  }

  async logout(token: string | undefined): Promise<void> {
    const session = await this.authenticate(token);
    if (!(await this.deps.store.closeSession(session, epochSeconds(this.deps.clock)))) {
      throw new InvalidToken('The session has ended.', { detail: 'session closed concurrently' });
    }
  }
}
