import { describe, expect, it } from 'vitest';
import { loadKeySettings } from '#adapters/keys/settings';
import { ConfigError } from '#contract/config-error';

describe('key Lambda settings', () => {
  it('requires both secrets and validates numbers and the JWKS URI', () => {
    expect(() => loadKeySettings({})).toThrow(ConfigError);
    expect(() =>
      loadKeySettings({ SIGNING_KEYS_SECRET_ID: 'a', PUBLIC_KEYS_SECRET_ID: 'b', KEY_RETAIN_SECONDS: '-1' }),
    ).toThrow('KEY_RETAIN_SECONDS must be an integer');
    expect(() =>
      loadKeySettings({ SIGNING_KEYS_SECRET_ID: 'a', PUBLIC_KEYS_SECRET_ID: 'b', JWKS_URI: 'ftp://x' }),
    ).toThrow('JWKS_URI must be an absolute http(s) URL');
    expect(
      loadKeySettings({
        SIGNING_KEYS_SECRET_ID: 'a',
        PUBLIC_KEYS_SECRET_ID: 'b',
        KEY_RETAIN_SECONDS: '4560',
        KEY_PUBLISH_DELAY_SECONDS: '360',
        JWKS_URI: 'https://auth.example.com/.well-known/jwks.json',
        AWS_REGION: 'eu-west-1',
      }),
    ).toEqual({
      region: 'eu-west-1',
      secrets: { signing: 'a', public: 'b' },
      retainSeconds: 4560,
      publishDelaySeconds: 360,
      jwksUri: new URL('https://auth.example.com/.well-known/jwks.json'),
    });
  });
});
