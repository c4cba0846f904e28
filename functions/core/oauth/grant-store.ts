/**
 * What the grants need of storage: codes, grants, refresh tokens and revoked access tokens. Redeeming a
 * code and rotating a refresh token each consume something, so the store must do each as ONE atomic
 * conditional write, and say why it did not happen.
 */
import type { CodeRecord, GrantRecord, RefreshTokenRecord, RevokedTokenRecord } from './records.ts';

/** Why a redemption or rotation did not happen. */
export type ConsumeFailure =
  /** The code or refresh token had already been used: a replay. */
  | 'already_used'
  /** Expired, unknown, or bound to another client. */
  | 'invalid'
  /** The client, grant or login session it depends on is gone or revoked. */
  | 'dependency_gone'
  /** Another request is consuming it at this very moment. */
  | 'conflict';

export type ConsumeResult = { ok: true } | { ok: false; reason: ConsumeFailure; grantId?: string };

export interface GrantStore {
  putCode(code: CodeRecord): Promise<void>;
  findCode(codeHash: string): Promise<CodeRecord | undefined>;
  /** Consumes the code and creates the grant (and its refresh token) atomically. */
  redeemCode(input: {
    code: CodeRecord;
    grant: GrantRecord;
    refreshToken: RefreshTokenRecord | undefined;
    nowSeconds: number;
  }): Promise<ConsumeResult>;
  findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /**
   * Marks `presented` rotated, naming its successor (`next`, and `next`'s token sealed for `presented`),
   * and stores `next`, provided the grant, its client and its session are still live.
   */
  rotateRefreshToken(input: {
    presented: RefreshTokenRecord;
    next: RefreshTokenRecord;
    sealedSuccessor: string;
    nowSeconds: number;
  }): Promise<ConsumeResult>;
  /**
   * Confirms, atomically, that the rotated `presented` may be answered with its successor again: it
   * was rotated after `windowStartSeconds` into the successor it names, that successor is unused, and
   * the grant, its client and its session are live. `already_used` when the window has passed or the
   * successor was used: reuse.
   */
  reissueSuccessor(input: {
    presented: RefreshTokenRecord;
    nowSeconds: number;
    windowStartSeconds: number;
  }): Promise<ConsumeResult>;
  /** Stores a grant provided its client still exists; false when it does not. */
  putGrant(grant: GrantRecord): Promise<boolean>;
  revokeGrant(grantId: string, nowSeconds: number): Promise<void>;
  revokeAccessToken(record: RevokedTokenRecord): Promise<void>;
}
