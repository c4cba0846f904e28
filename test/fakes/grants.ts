import { isLive } from '#core/expiry';
import type { ConsumeResult, GrantStore } from '#core/oauth/grant-store';
import type { CodeRecord, GrantRecord, RefreshTokenRecord, RevokedTokenRecord } from '#core/oauth/records';
import type { SessionRecord } from '#core/users/records';

/** What the grant store needs to know of a login session: whether it is still in force. */
export type SessionState = Pick<SessionRecord, 'expiresAt' | 'revokedAt'>;

/**
 * An in-memory GrantStore with the same conditional semantics as the DynamoDB one
 * (adapters/dynamo/grants.ts): a redemption or rotation checks every condition before it writes
 * anything, so it happens whole or not at all. The clients and sessions the DynamoDB transactions
 * check live in other tables; here the test says which exist.
 */
export class MemoryGrantStore implements GrantStore {
  readonly codes = new Map<string, CodeRecord>();
  readonly grants = new Map<string, GrantRecord>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  readonly revokedTokens = new Map<string, RevokedTokenRecord>();
  /** Ids of the registered clients. */
  readonly clients = new Set<string>();
  readonly sessions = new Map<string, SessionState>();

  async putCode(code: CodeRecord): Promise<void> {
    this.codes.set(code.codeHash, { ...code });
  }

  async findCode(codeHash: string): Promise<CodeRecord | undefined> {
    return copy(this.codes.get(codeHash));
  }

  async redeemCode({ code, grant, refreshToken, nowSeconds }: Parameters<GrantStore['redeemCode']>[0]) {
    const stored = this.codes.get(code.codeHash);
    if (
      !stored ||
      stored.consumedAt !== undefined ||
      stored.expiresAt <= nowSeconds ||
      stored.clientId !== code.clientId
    ) {
      return refused(stored?.consumedAt, stored?.grantId);
    }
    const dependenciesLive =
      this.clients.has(code.clientId) &&
      isLive(this.sessions.get(code.sessionId), nowSeconds) &&
      !this.grants.has(grant.grantId);
    if (!dependenciesLive) return DEPENDENCY_GONE;

    this.codes.set(code.codeHash, { ...stored, consumedAt: nowSeconds, grantId: grant.grantId });
    this.grants.set(grant.grantId, { ...grant });
    if (refreshToken) this.refreshTokens.set(refreshToken.tokenHash, { ...refreshToken });
    return OK;
  }

  async findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    return copy(this.refreshTokens.get(tokenHash));
  }

  async rotateRefreshToken({
    presented,
    next,
    sealedSuccessor,
    nowSeconds,
  }: Parameters<GrantStore['rotateRefreshToken']>[0]) {
    const stored = this.refreshTokens.get(presented.tokenHash);
    if (
      !stored ||
      stored.rotatedAt !== undefined ||
      stored.expiresAt <= nowSeconds ||
      stored.clientId !== presented.clientId
    ) {
      return refused(stored?.rotatedAt, stored?.grantId);
    }
    if (!this.grantLive(presented, nowSeconds)) return DEPENDENCY_GONE;

    this.refreshTokens.set(presented.tokenHash, {
      ...stored,
      rotatedAt: nowSeconds,
      successorHash: next.tokenHash,
      successorSealed: sealedSuccessor,
    });
    this.refreshTokens.set(next.tokenHash, { ...next });
    return OK;
  }

  async reissueSuccessor({
    presented,
    nowSeconds,
    windowStartSeconds,
  }: Parameters<GrantStore['reissueSuccessor']>[0]) {
    const stored = this.refreshTokens.get(presented.tokenHash);
    const successor = stored?.successorHash ? this.refreshTokens.get(stored.successorHash) : undefined;
    const stillAnswerable =
      stored !== undefined &&
      (stored.rotatedAt ?? 0) > windowStartSeconds &&
      stored.successorHash === presented.successorHash &&
      stored.expiresAt > nowSeconds &&
      successor !== undefined &&
      successor.rotatedAt === undefined;
    if (!stillAnswerable)
      return { ok: false as const, reason: 'already_used' as const, grantId: presented.grantId };
    if (!this.grantLive(presented, nowSeconds)) return DEPENDENCY_GONE;
    this.refreshTokens.set(presented.tokenHash, { ...stored, reissuedAt: nowSeconds });
    return OK;
  }

  /** What a refresh depends on: its grant, its client and its login session, all live. */
  private grantLive(token: RefreshTokenRecord, nowSeconds: number): boolean {
    return (
      isLive(this.grants.get(token.grantId), nowSeconds) &&
      this.clients.has(token.clientId) &&
      (token.sessionId === undefined || isLive(this.sessions.get(token.sessionId), nowSeconds))
    );
  }

  async putGrant(grant: GrantRecord): Promise<boolean> {
    if (!this.clients.has(grant.clientId)) return false;
    this.grants.set(grant.grantId, { ...grant });
    return true;
  }

  async revokeGrant(grantId: string, nowSeconds: number): Promise<void> {
    const grant = this.grants.get(grantId);
    if (grant && grant.revokedAt === undefined) this.grants.set(grantId, { ...grant, revokedAt: nowSeconds });
  }

  async revokeAccessToken(record: RevokedTokenRecord): Promise<void> {
    this.revokedTokens.set(record.jti, { ...record });
  }
}

const OK: ConsumeResult = { ok: true };
const DEPENDENCY_GONE: ConsumeResult = { ok: false, reason: 'dependency_gone' };

/** As DynamoDB reports a failed consume: a replay when the used marker is already set, else invalid. */
function refused(usedAt: number | undefined, grantId: string | undefined): ConsumeResult {
  return usedAt !== undefined
    ? { ok: false, reason: 'already_used', grantId }
    : { ok: false, reason: 'invalid' };
}

/** Stored items come back as copies, as from DynamoDB, so a caller cannot change the store by accident. */
const copy = <T extends object>(item: T | undefined): T | undefined => (item ? { ...item } : undefined);
