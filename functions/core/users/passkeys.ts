/**
 * Passkeys (WebAuthn Level 2): registering several per user, naming and removing them, and signing in
 * with one alone (a discoverable credential). The ceremonies' cryptography is a library's
 * (adapters/webauthn); the core decides what a response may open. Every challenge is an account token
 * (256 random bits, stored only as its hash, five minutes, consumed by one conditional write) bound to
 * the user it was issued to, or to nobody for a sign-in, so that neither ceremony accepts the other's.
 * A passkey sign-in is counted by the lockout of the passkey owner's username, like a password check.
 */
import { type Clock, epochSeconds } from '#core/clock';
import { InvalidRequest } from '#core/errors';
import type { AccountTokens } from './account-tokens.ts';
import { type Accounts, InvalidCredentials, type SignedIn, SignInExpired } from './accounts.ts';
import { passkeyName } from './passkey-names.ts';
import type { UserRecord } from './records.ts';

/** RFC 8176: `hwk` for a key bound to one device, `swk` for one synced between devices (passkeys.ts). */
export type PasskeyKind = 'hwk' | 'swk';

export interface PasskeyRecord {
  /** base64url, as the authenticator names it; the partition key. */
  credentialId: string;
  sub: string;
  username: string;
  /** Given by the user, shown on the account page. */
  name: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The authenticator's signature counter; 0 for authenticators that keep none. */
  counter: number;
  /** Backup eligible: a synced (multi-device) credential. Decides `kind` once, at registration. */
  backupEligible: boolean;
  /** Backup state, as the last ceremony reported it. */
  backedUp: boolean;
  kind: PasskeyKind;
  transports?: string[];
  createdAt: number;
  lastUsedAt?: number;
}

/** The relying party: its id is the issuer's host, its origin the issuer's origin. */
export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

/** What a verified registration yields, before the user's name for it is added. */
export type VerifiedCredential = Pick<
  PasskeyRecord,
  'credentialId' | 'publicKey' | 'counter' | 'backupEligible' | 'backedUp' | 'transports'
>;

/** The WebAuthn ceremonies, as a library performs them; every `options` is the JSON the browser gets. */
export interface WebAuthnCeremonies {
  registrationOptions(input: {
    rp: RelyingParty;
    user: { username: string; sub: string };
    challenge: string;
    exclude: PasskeyRecord[];
  }): Promise<unknown>;
  /** `allow`: the passkeys that may answer (a second factor); none for a discoverable sign-in. */
  authenticationOptions(input: {
    rp: RelyingParty;
    challenge: string;
    allow?: PasskeyRecord[];
  }): Promise<unknown>;
  /** The challenge a response answers and the credential it names, unverified; undefined if malformed. */
  inspect(response: unknown): { challenge: string; credentialId: string } | undefined;
  /** The new credential, or undefined when the response does not verify. */
  verifyRegistration(input: {
    rp: RelyingParty;
    challenge: string;
    response: unknown;
  }): Promise<VerifiedCredential | undefined>;
  /** The new counter and backup state, or undefined when the response does not verify (a counter regression included). */
  verifyAuthentication(input: {
    rp: RelyingParty;
    challenge: string;
    response: unknown;
    credential: PasskeyRecord;
  }): Promise<{ counter: number; backedUp: boolean } | undefined>;
}

export interface PasskeyStore {
  /** Stores the credential unless its id is registered already; false when it was. */
  addPasskey(record: PasskeyRecord): Promise<boolean>;
  findPasskey(credentialId: string): Promise<PasskeyRecord | undefined>;
  listPasskeys(sub: string): Promise<PasskeyRecord[]>;
  /** Removes the credential if `sub` owns it; false when it does not (or it is gone). */
  removePasskey(credentialId: string, sub: string): Promise<boolean>;
  /**
   * Records a use: the new counter and backup state, on the condition that the counter is still
   * `previousCounter`, so that two uses of one signature cannot both pass. False when it was not.
   */
  recordUse(use: {
    credentialId: string;
    previousCounter: number;
    counter: number;
    backedUp: boolean;
    nowSeconds: number;
  }): Promise<boolean>;
}

export interface PasskeyDependencies {
  store: PasskeyStore;
  ceremonies: WebAuthnCeremonies;
  tokens: AccountTokens;
  accounts: Accounts;
  clock: Clock;
  rp: RelyingParty;
}

const MAX_PASSKEYS = 20;
const REFUSED = 'The passkey was not accepted. Try again.';

/** The relying party of an issuer: its host (without port) and origin. */
export function relyingParty(issuer: string): RelyingParty {
  const url = new URL(issuer);
  return { id: url.hostname, origin: url.origin, name: 'tinyoauth' };
}

export class Passkeys {
  constructor(private readonly deps: PasskeyDependencies) {}

  list(sub: string): Promise<PasskeyRecord[]> {
    return this.deps.store.listPasskeys(sub);
  }

  /** The options of a registration for the signed-in user (their passkeys excluded, so none is doubled). */
  async registrationOptions(user: { username: string; sub: string }): Promise<unknown> {
    const exclude = await this.deps.store.listPasskeys(user.sub);
    if (exclude.length >= MAX_PASSKEYS) throw new InvalidRequest(`At most ${MAX_PASSKEYS} passkeys.`);
    const { token } = await this.deps.tokens.issue('passkey_challenge', user);
    return this.deps.ceremonies.registrationOptions({ rp: this.deps.rp, user, challenge: token, exclude });
  }

  /** Verifies the browser's response to those options and stores the passkey under `name`. */
  async register(
    user: { username: string; sub: string },
    input: { name: string; response: unknown },
  ): Promise<PasskeyRecord> {
    const name = passkeyName(input.name);
    const challenge = await this.consumeChallenge(input.response, {
      purpose: 'passkey_challenge',
      sub: user.sub,
    });
    const verified =
      challenge === undefined
        ? undefined
        : await this.deps.ceremonies.verifyRegistration({
            rp: this.deps.rp,
            challenge,
            response: input.response,
          });
    if (!verified) throw new InvalidRequest('The passkey could not be registered. Try again.');
    const record: PasskeyRecord = {
      ...verified,
      ...user,
      name,
      kind: verified.backupEligible ? 'swk' : 'hwk',
      createdAt: epochSeconds(this.deps.clock),
    };
    if (!(await this.deps.store.addPasskey(record))) {
      throw new InvalidRequest('That passkey is registered already.');
    }
    return record;
  }

  async remove(sub: string, credentialId: string): Promise<void> {
    if (!(await this.deps.store.removePasskey(credentialId, sub))) {
      throw new InvalidRequest('No such passkey.');
    }
  }

  /** The options of a sign-in by any passkey of this site (discoverable credentials: no user named). */
  async signInOptions(): Promise<unknown> {
    const { token } = await this.deps.tokens.issue('passkey_challenge', {});
    return this.deps.ceremonies.authenticationOptions({ rp: this.deps.rp, challenge: token });
  }

  /** A session for the passkey's owner; InvalidCredentials, TooManyAttempts or AccountDisabled else. */
  async signIn(response: unknown): Promise<SignedIn> {
    const challenge = await this.consumeChallenge(response, { purpose: 'passkey_challenge' });
    const named = this.deps.ceremonies.inspect(response);
    const credential = named && (await this.deps.store.findPasskey(named.credentialId));
    // Nothing names a user to count against: an unknown credential proves nothing and costs no one.
    if (challenge === undefined || !credential) throw new InvalidCredentials(REFUSED);
    return this.deps.accounts.signInWith(credential.username, REFUSED, [credential.kind], (user) =>
      this.verifyUse({ user, credential, challenge, response }),
    );
  }

  /** Whether the second step of this sign-in may be a passkey: its user has one. */
  async offeredAsSecondFactor(mfaToken: unknown): Promise<boolean> {
    const record = await this.deps.tokens.peek(mfaToken, 'mfa_sign_in');
    return record?.sub !== undefined && (await this.deps.store.listPasskeys(record.sub)).length > 0;
  }

  /** The options of a passkey as the second step of a password sign-in: the MFA token's user's passkeys. */
  async secondFactorOptions(mfaToken: unknown): Promise<unknown> {
    const record = await this.deps.tokens.peek(mfaToken, 'mfa_sign_in');
    if (!record?.sub || !record.username) throw new SignInExpired('The sign-in has expired. Sign in again.');
    const allow = await this.deps.store.listPasskeys(record.sub);
    if (allow.length === 0) throw new InvalidRequest('This account has no passkey.');
    const binding = { username: record.username, sub: record.sub };
    const { token } = await this.deps.tokens.issue('passkey_second_factor', binding);
    return this.deps.ceremonies.authenticationOptions({ rp: this.deps.rp, challenge: token, allow });
  }

  /** The options of a re-check of the signed-in user by one of their passkeys (deleting the account). */
  async recheckOptions(user: { username: string; sub: string }): Promise<unknown> {
    const allow = await this.deps.store.listPasskeys(user.sub);
    if (allow.length === 0) throw new InvalidRequest('This account has no passkey.');
    const { token } = await this.deps.tokens.issue('passkey_second_factor', user);
    return this.deps.ceremonies.authenticationOptions({ rp: this.deps.rp, challenge: token, allow });
  }

  /** The user, once one of their passkeys answered the re-check; counted by the lockout like a password. */
  async recheck(user: { username: string; sub: string }, response: unknown): Promise<UserRecord> {
    const challenge = await this.consumeChallenge(response, {
      purpose: 'passkey_second_factor',
      sub: user.sub,
    });
    const named = this.deps.ceremonies.inspect(response);
    const credential = named && (await this.deps.store.findPasskey(named.credentialId));
    return this.deps.accounts.guarded(user.username, true, REFUSED, async (found) =>
      challenge === undefined || !credential || credential.sub !== user.sub
        ? false
        : this.verifyUse({ user: found, credential, challenge, response }),
    );
  }

  /** Completes an `mfa_required` sign-in with one of the user's passkeys: amr `pwd`, `hwk`/`swk`, `mfa`. */
  async completeSignIn(mfaToken: unknown, response: unknown): Promise<SignedIn> {
    const pending = await this.deps.tokens.peek(mfaToken, 'mfa_sign_in');
    if (!pending?.sub) throw new SignInExpired('The sign-in has expired. Sign in again.');
    const challenge = await this.consumeChallenge(response, {
      purpose: 'passkey_second_factor',
      sub: pending.sub,
    });
    const named = this.deps.ceremonies.inspect(response);
    const credential = named && (await this.deps.store.findPasskey(named.credentialId));
    let kind: PasskeyKind = 'hwk';
    return this.deps.accounts.completeSignInWith(mfaToken, {
      failure: REFUSED,
      // Read once the check has run: the kind is the credential's that answered.
      get amr() {
        return [kind];
      },
      check: async (user) => {
        if (challenge === undefined || !credential) return false;
        kind = credential.kind;
        return this.verifyUse({ user, credential, challenge, response });
      },
    });
  }

  /** Whether `response` is `credential`'s signature over `challenge`, by `user`'s own passkey; the use recorded. */
  private async verifyUse(use: {
    user: UserRecord | undefined;
    credential: PasskeyRecord;
    challenge: string;
    response: unknown;
  }): Promise<boolean> {
    const { user, credential, challenge, response } = use;
    // A username deleted and taken again is not the passkey's owner.
    if (user?.sub !== credential.sub) return false;
    const verified = await this.deps.ceremonies.verifyAuthentication({
      rp: this.deps.rp,
      challenge,
      response,
      credential,
    });
    if (!verified) return false;
    return this.deps.store.recordUse({
      credentialId: credential.credentialId,
      previousCounter: credential.counter,
      ...verified,
      nowSeconds: epochSeconds(this.deps.clock),
    });
  }

  /** The challenge a response answers, consumed: once, unexpired, of `purpose`, issued to `sub` (or to nobody). */
  private async consumeChallenge(
    response: unknown,
    expected: { purpose: 'passkey_challenge' | 'passkey_second_factor'; sub?: string },
  ): Promise<string | undefined> {
    const named = this.deps.ceremonies.inspect(response);
    if (!named) return undefined;
    const record = await this.deps.tokens.consume(named.challenge, expected.purpose);
    return record && record.sub === expected.sub ? named.challenge : undefined;
  }
}
