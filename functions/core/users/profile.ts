/**
 * What a user may say about themselves beyond the username they sign in with: an email address and a
 * name, both optional. They are shown to apps through OpenID Connect claims, so they are validated as
 * strictly as anything else an app will display: no control characters, bounded lengths, and an email
 * address that is one mailbox (RFC 5321's limits), not a list or a display name. An address is
 * unverified until a link mailed to it is followed (email-verification.ts); changing it unverifies it.
 */
import { type Clock, epochSeconds } from '#core/clock';
import { InvalidRequest } from '#core/errors';
import type { UserRecord } from './records.ts';

export const MAX_NAME_LENGTH = 100;
/** RFC 5321 §4.5.3.1: a path is at most 256 octets, less the angle brackets; a local part at most 64. */
export const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;

/** One mailbox: a local part and a dotted domain, nothing that could be a second address or a comment. */
const EMAIL =
  /^[^\s@"(),:;<>[\\\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const CONTROL = /\p{Cc}|\p{Cf}/u;

/** The profile as a user submits it: `undefined` leaves a field as it is, `null` or `""` removes it. */
export interface ProfileChanges {
  email?: string | null;
  name?: string | null;
}

/** The profile as stored and shown. */
export type Profile = Pick<UserRecord, 'email' | 'name'>;

/** An email address as it is stored: trimmed, the domain in lower case (it is case-insensitive). */
export function normaliseEmail(raw: string): string {
  const trimmed = raw.trim();
  const at = trimmed.lastIndexOf('@');
  return at < 0 ? trimmed : `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
}

function checkEmail(email: string): void {
  const local = email.slice(0, email.lastIndexOf('@'));
  if (email.length > MAX_EMAIL_LENGTH || local.length > MAX_LOCAL_PART_LENGTH || !EMAIL.test(email)) {
    throw new InvalidRequest('The email address must be one address like name@example.com.');
  }
}

function checkName(name: string): void {
  if ([...name].length > MAX_NAME_LENGTH) {
    throw new InvalidRequest(`The name must be at most ${MAX_NAME_LENGTH} characters.`);
  }
  if (CONTROL.test(name)) throw new InvalidRequest('The name must not contain control characters.');
}

const blank = (value: string | null | undefined): value is null | '' =>
  value === null || (typeof value === 'string' && value.trim() === '');

/**
 * The validated changes: each field set (normalised), removed (`null`) or left out. Anything that is
 * not a string or null is refused, so `{"email": 5}` never reaches storage.
 */
export function validateProfile(changes: Record<string, unknown>): { [K in keyof Profile]?: string | null } {
  const result: { email?: string | null; name?: string | null } = {};
  for (const field of ['email', 'name'] as const) {
    const value = changes[field];
    if (value === undefined) continue;
    if (value !== null && typeof value !== 'string') {
      throw new InvalidRequest(`The "${field}" field must be a string or null.`);
    }
    if (blank(value)) {
      result[field] = null;
      continue;
    }
    const normalised = field === 'email' ? normaliseEmail(value) : value.trim().normalize('NFC');
    if (field === 'email') checkEmail(normalised);
    else checkName(normalised);
    result[field] = normalised;
  }
  return result;
}

/** The stored profile fields of a new user: only those given. */
export function initialProfile(changes: Record<string, unknown>): Profile {
  const validated = validateProfile(changes);
  return {
    ...(validated.email ? { email: validated.email } : {}),
    ...(validated.name ? { name: validated.name } : {}),
  };
}

/** What profile changes need of storage: the user by username, and one conditional update. */
export interface ProfileStore {
  findUser(username: string): Promise<UserRecord | undefined>;
  /**
   * Sets or removes (`null`) the fields and sets `updatedAt`, and removes `emailVerified` whenever
   * `email` is among them; the user after it, or undefined when gone.
   */
  updateProfile(
    username: string,
    changes: { [K in keyof Profile]?: string | null },
    nowSeconds: number,
  ): Promise<UserRecord | undefined>;
}

export interface ProfileDependencies {
  store: ProfileStore;
  clock: Clock;
}

/** Reading and changing a signed-in user's own profile (the account page and its JSON API). */
export class Profiles {
  constructor(private readonly deps: ProfileDependencies) {}

  async of(username: string): Promise<UserRecord> {
    const user = await this.deps.store.findUser(username);
    if (!user) throw new InvalidRequest('The account no longer exists.', { detail: 'user missing' });
    return user;
  }

  /** The user before and after the change; an email address set to what it is changes nothing. */
  async change(
    username: string,
    changes: Record<string, unknown>,
  ): Promise<{ before: UserRecord; after: UserRecord }> {
    const validated = validateProfile(changes);
    const before = await this.of(username);
    if (validated.email === (before.email ?? null)) delete validated.email;
    if (Object.keys(validated).length === 0) return { before, after: before };
    const after = await this.deps.store.updateProfile(username, validated, epochSeconds(this.deps.clock));
    if (!after) throw new InvalidRequest('The account no longer exists.', { detail: 'user missing' });
    return { before, after };
  }
}

/** The profile as the account API answers it, in OpenID Connect claim names. */
export function profileView(user: UserRecord) {
  return {
    sub: user.sub,
    preferred_username: user.username,
    ...(user.name === undefined ? {} : { name: user.name }),
    ...(user.email === undefined ? {} : { email: user.email, email_verified: user.emailVerified === true }),
    updated_at: user.updatedAt ?? user.createdAt,
  };
}
