/** Sealed secrets (functions/core/secrets.ts): readable with the secret they were sealed for, and only so. */
import { describe, expect, it } from 'vitest';
import { randomSecret, sealFor, sha256, unsealWith } from '#core/secrets';

describe('sealed secrets', () => {
  it('open with the holder they were sealed for, and hold nothing readable', () => {
    const holder = randomSecret();
    const secret = randomSecret();
    const sealed = sealFor(holder, secret);
    expect(sealed).toMatch(/^[\w-]{16}\.[\w-]{58}\.[\w-]{22}$/);
    expect(sealed).not.toContain(secret);
    expect(unsealWith(holder, sealed)).toBe(secret);
    // Sealing twice gives two different texts (a fresh IV each time).
    expect(sealFor(holder, secret)).not.toBe(sealed);
  });

  it('do not open with another holder, with the holder’s hash, or once tampered with', () => {
    const holder = randomSecret();
    const sealed = sealFor(holder, randomSecret());
    expect(unsealWith(randomSecret(), sealed)).toBeUndefined();
    expect(unsealWith(sha256(holder), sealed)).toBeUndefined();
    const [iv, body, tag] = sealed.split('.') as [string, string, string];
    // The first character: all six of its bits are data (the last one's low bits are padding).
    const flipped = `${body.startsWith('A') ? 'B' : 'A'}${body.slice(1)}`;
    expect(unsealWith(holder, `${iv}.${flipped}.${tag}`)).toBeUndefined();
    expect(unsealWith(holder, 'garbage')).toBeUndefined();
  });
});
