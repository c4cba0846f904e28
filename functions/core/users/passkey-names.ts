/** The name a user gives a passkey: shown on the account page, so it must read as plain text. */
import { InvalidRequest } from '#core/errors';

export const MAX_PASSKEY_NAME_LENGTH = 64;

/** The name the user gives a passkey, trimmed; InvalidRequest when it is empty, long or has controls. */
export function passkeyName(raw: string): string {
  const name = raw.trim();
  // Control and direction characters would rearrange the page that lists it.
  if (name.length === 0 || name.length > MAX_PASSKEY_NAME_LENGTH || /[\p{Cc}\p{Cf}]/u.test(name)) {
    throw new InvalidRequest(`Name the passkey: 1 to ${MAX_PASSKEY_NAME_LENGTH} characters.`);
  }
  return name;
}
