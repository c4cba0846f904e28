/**
 * Turning TOTP on and off. Enrolment shows a new secret (as a QR code and as text) and keeps it pending
 * until a first code from the app proves the user holds it; confirming stores it with that code's step
 * (so that code cannot sign in afterwards) and ten recovery codes, shown once. Turning it off takes the
 * password again and removes the secret and the recovery codes.
 */
import type { Clock } from '#core/clock';
import { InvalidRequest } from '#core/errors';
import type { Accounts } from './accounts.ts';
import type { UserRecord } from './records.ts';
import { newRecoveryCodes } from './recovery-codes.ts';
import { isTotpCodeShaped, normaliseTotpCode, type TotpEngine } from './totp.ts';

export interface TotpStore {
  findUser(username: string): Promise<UserRecord | undefined>;
  /** Stores a pending secret unless TOTP is already on; false when it is. */
  setPendingTotp(username: string, secret: string): Promise<boolean>;
  /** Makes the pending secret (if it is still `pendingSecret`) the TOTP secret, with its step and codes. */
  confirmTotp(confirmation: {
    username: string;
    pendingSecret: string;
    step: number;
    recoveryCodeHashes: string[];
  }): Promise<boolean>;
  /** Removes the secret, the pending one, the last step and the recovery codes. */
  disableTotp(username: string): Promise<void>;
}

export interface TotpEnrolmentDependencies {
  store: TotpStore;
  totp: TotpEngine;
  accounts: Accounts;
  clock: Clock;
  /** The name authenticator apps show beside the account (the issuer's host). */
  issuerName: string;
}

export class TotpEnrolment {
  constructor(private readonly deps: TotpEnrolmentDependencies) {}

  /** A new pending secret and its `otpauth://` URI; refused while TOTP is on. */
  async start(username: string): Promise<{ secret: string; uri: string }> {
    const secret = this.deps.totp.generateSecret();
    if (!(await this.deps.store.setPendingTotp(username, secret))) {
      throw new InvalidRequest('The authenticator app is already set up. Turn it off first.');
    }
    return { secret, uri: this.uri(username, secret) };
  }

  /** The pending secret again (the page shows it until it is confirmed). */
  async pending(username: string): Promise<{ secret: string; uri: string } | undefined> {
    const user = await this.deps.store.findUser(username);
    const secret = user?.totpSecret === undefined ? user?.totpPendingSecret : undefined;
    return secret === undefined ? undefined : { secret, uri: this.uri(username, secret) };
  }

  /** Confirms with a first code; the recovery codes, to be shown this once. */
  async confirm(username: string, code: string): Promise<string[]> {
    const user = await this.deps.store.findUser(username);
    const pendingSecret = user?.totpPendingSecret;
    if (!pendingSecret || user.totpSecret !== undefined) {
      throw new InvalidRequest('Start setting up the authenticator app first.');
    }
    const step = isTotpCodeShaped(code)
      ? this.deps.totp.matchStep(pendingSecret, normaliseTotpCode(code), this.deps.clock())
      : undefined;
    if (step === undefined)
      throw new InvalidRequest('That code is not the one the app shows. Try the next one.');
    const { codes, hashes } = newRecoveryCodes();
    const confirmed = await this.deps.store.confirmTotp({
      username,
      pendingSecret,
      step,
      recoveryCodeHashes: hashes,
    });
    if (!confirmed) throw new InvalidRequest('The setup changed meanwhile. Start again.');
    return codes;
  }

  /** Turns TOTP off after checking the password (counted by the lockout). */
  async disable(username: string, password: string): Promise<void> {
    await this.deps.accounts.checkPassword(username, password);
    await this.deps.store.disableTotp(username);
  }

  private uri(username: string, secret: string): string {
    return this.deps.totp.keyUri({ secret, issuer: this.deps.issuerName, account: username });
  }
}
