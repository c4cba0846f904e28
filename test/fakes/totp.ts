/** The code an authenticator app shows for a base32 secret at `nowMs` (RFC 6238, as tinyoauth enrols). */
import { Secret, TOTP } from 'otpauth';

export const totpCode = (secret: string, nowMs: number): string =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp: nowMs,
  });
