/**
 * RFC 6238 TOTP through `otpauth` (SHA-1, 6 digits, 30 s: what every authenticator app reads from an
 * `otpauth://` URI), behind the core's `TotpEngine` port.
 */
import { Secret, TOTP } from 'otpauth';
import type { TotpEngine } from '#core/users/totp';

const PERIOD_SECONDS = 30;
const totpOf = (secret: string, label = '', issuer = '') =>
  new TOTP({
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_SECONDS,
    label,
    issuer,
  });

export const otpauthTotp: TotpEngine = {
  generateSecret: () => new Secret({ size: 20 }).base32,

  matchStep(secret, code, nowMs) {
    // One step either side: a clock a little off, or a code typed as it rolled over.
    const delta = totpOf(secret).validate({ token: code, timestamp: nowMs, window: 1 });
    return delta === null ? undefined : Math.floor(nowMs / 1000 / PERIOD_SECONDS) + delta;
  },

  keyUri: ({ secret, issuer, account }) => totpOf(secret, account, issuer).toString(),
};
