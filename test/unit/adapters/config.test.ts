import { describe, expect, it } from 'vitest';
import { loadConfig } from '#adapters/config';
import { ConfigError } from '#contract/config-error';

describe('configuration', () => {
  it('has safe local defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      issuer: 'http://localhost:3000',
      resourceIdentifier: 'http://localhost:3000/protected',
      tablePrefix: 'tinyoauth_',
      accessTokenTtlSeconds: 900,
      authorizationCodeTtlSeconds: 60,
      scryptLogN: 17,
      keys: { source: 'file', path: '.data/signing-keys.json' },
    });
  });

  it('uses Secrets Manager when a secret is configured, and PORT for the default issuer', () => {
    const config = loadConfig({ SIGNING_KEYS_SECRET_ID: 'arn:aws:secretsmanager:x', PORT: '4000' });
    expect(config.keys).toEqual({ source: 'secretsmanager', secretId: 'arn:aws:secretsmanager:x' });
    expect(config.issuer).toBe('http://localhost:4000');
  });

  it('gives verify-only functions the public-key secret, never the signing secret', () => {
    expect(loadConfig({ PUBLIC_KEYS_SECRET_ID: 'public' }).keys).toEqual({
      source: 'secretsmanager-public',
      secretId: 'public',
    });
    expect(loadConfig({ PUBLIC_KEYS_SECRET_ID: 'public', SIGNING_KEYS_SECRET_ID: 'signing' }).keys).toEqual({
      source: 'secretsmanager',
      secretId: 'signing',
    });
  });

  it('names every invalid variable at once', () => {
    const attempt = () =>
      loadConfig({
        ISSUER: 'ftp://x',
        AUTHORIZATION_CODE_TTL_SECONDS: '601',
        SCRYPT_LOG_N: '12',
        LOG_LEVEL: 'loud',
      });
    expect(attempt).toThrow(ConfigError);
    for (const name of ['ISSUER', 'AUTHORIZATION_CODE_TTL_SECONDS', 'SCRYPT_LOG_N', 'LOG_LEVEL']) {
      expect(attempt).toThrow(new RegExp(`${name} must`));
    }
  });
});
