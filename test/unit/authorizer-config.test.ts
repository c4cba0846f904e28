import { describe, expect, it } from 'vitest';
import { loadAuthorizerSettings } from '#adapters/authorizer-settings';
import { ConfigError } from '#contract/config-error';
import { authorizerCacheTtlSeconds, parseScopeRules } from '#contract/protection';
import { accessPolicy, parseMethodArn, unmetScopeRules } from '#core/authorizer/access-policy';
import { deadTokenReason } from '#core/oauth/liveness';

describe('PROTECTED_SCOPES', () => {
  it('is empty when unset or blank', () => {
    expect(parseScopeRules(undefined)).toEqual([]);
    expect(parseScopeRules('  ')).toEqual([]);
    expect(parseScopeRules('{}')).toEqual([]);
  });

  it('maps "<METHOD> <path>" to the scopes all required, ANY becoming the * method', () => {
    expect(
      parseScopeRules(
        '{"GET /protected/reports/*":"reports:read","ANY /protected/admin/*":"admin reports:write admin"}',
      ),
    ).toEqual([
      { method: 'GET', path: '/protected/reports/*', scopes: ['reports:read'] },
      { method: '*', path: '/protected/admin/*', scopes: ['admin', 'reports:write'] },
    ]);
  });

  it.each([
    ['not json', /not valid JSON/],
    ['["GET /protected/a"]', /JSON object/],
    ['"x"', /JSON object/],
    ['{"GET  /protected/a":"s"}', /"<METHOD> <path pattern>"/],
    ['{"get /protected/a":"s"}', /"<METHOD> <path pattern>"/],
    ['{"FETCH /protected/a":"s"}', /method must be one of/],
    ['{"GET /other/a":"s"}', /must start with \/protected\//],
    ['{"GET /protected":"s"}', /must start with \/protected\//],
    ['{"GET /protected//a":"s"}', /must start with \/protected\//],
    ['{"GET /protected/a?b":"s"}', /must start with \/protected\//],
    ['{"GET /protected/%61":"s"}', /must start with \/protected\//],
    ['{"GET /protected/a":""}', /scopes separated by single spaces/],
    ['{"GET /protected/a":"a  b"}', /scopes separated by single spaces/],
    ['{"GET /protected/a":"a\\"b"}', /scopes separated by single spaces/],
    ['{"GET /protected/a":["s"]}', /must map to a string/],
    ['{"GET /protected/a":null}', /must map to a string/],
  ])('refuses %s', (text, message) => {
    expect(() => parseScopeRules(text)).toThrow(ConfigError);
    expect(() => parseScopeRules(text)).toThrow(message);
  });

  it('refuses more rules than a policy can carry', () => {
    const many = Object.fromEntries(
      Array.from({ length: 41 }, (_, index) => [`GET /protected/r${index}`, 's']),
    );
    expect(() => parseScopeRules(JSON.stringify(many))).toThrow(/at most 40 rules/);
  });
});

describe('authorizer settings', () => {
  it('defaults the JWKS URI to the issuer’s and validates an explicit one', () => {
    expect(loadAuthorizerSettings({}, 'https://auth.example.test').jwksUri.href).toBe(
      'https://auth.example.test/.well-known/jwks.json',
    );
    expect(loadAuthorizerSettings({ JWKS_URI: 'http://127.0.0.1:3000/keys' }, 'x').jwksUri.href).toBe(
      'http://127.0.0.1:3000/keys',
    );
    expect(() => loadAuthorizerSettings({ JWKS_URI: 'keys.json' }, 'x')).toThrow(/JWKS_URI/);
    expect(() => loadAuthorizerSettings({ JWKS_URI: 'file:///etc/keys' }, 'x')).toThrow(/JWKS_URI/);
    expect(() => loadAuthorizerSettings({ PROTECTED_SCOPES: '[]' }, 'https://a.test')).toThrow(
      /PROTECTED_SCOPES/,
    );
  });

  it('reads the authorizer cache TTL within API Gateway’s limits', () => {
    expect(authorizerCacheTtlSeconds({})).toBe(60);
    expect(authorizerCacheTtlSeconds({ AUTHORIZER_CACHE_TTL_SECONDS: '0' })).toBe(0);
    expect(authorizerCacheTtlSeconds({ AUTHORIZER_CACHE_TTL_SECONDS: '3600' })).toBe(3600);
    for (const bad of ['3601', '-1', '1.5', 'soon']) {
      expect(() => authorizerCacheTtlSeconds({ AUTHORIZER_CACHE_TTL_SECONDS: bad })).toThrow(ConfigError);
    }
  });
});

describe('access policy', () => {
  it('reads method ARNs, including the local gateway’s, and nothing else', () => {
    expect(
      parseMethodArn('arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/protected/a/b'),
    ).toEqual({
      stagePrefix: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod',
      method: 'GET',
      path: '/protected/a/b',
    });
    expect(
      parseMethodArn('arn:aws:execute-api:local:000000000000:local/local/POST/protected/x')?.stagePrefix,
    ).toBe('arn:aws:execute-api:local:000000000000:local/local');
    expect(parseMethodArn('arn:aws:execute-api:eu-west-1:123456789012:abc123/prod')).toBeUndefined();
    expect(
      parseMethodArn('arn:aws:execute-api:eu-west-1:123456789012:abc123/*/GET/protected/a'),
    ).toBeUndefined();
    expect(parseMethodArn('arn:aws:s3:::bucket/prod/GET/protected/a')).toBeUndefined();
  });

  it('denies each unmet rule under the stage prefix', () => {
    const rules = [
      { method: 'GET', path: '/protected/r/*', scopes: ['r'] },
      { method: '*', path: '/protected/w/*', scopes: ['w'] },
    ];
    expect(unmetScopeRules(rules, 'r')).toEqual([rules[1]]);
    expect(unmetScopeRules(rules, '')).toEqual(rules);
    expect(accessPolicy('P', unmetScopeRules(rules, '')).Statement[1]?.Resource).toEqual([
      'P/GET/protected/r/*',
      'P/*/protected/w/*',
    ]);
  });
});

describe('token liveness', () => {
  const claims = { sub: 'u', client_id: 'c', jti: 'j', gid: 'g' };
  const grant = { clientId: 'c', expiresAt: 200 };

  it('is live with a live grant and no revocation entry', () => {
    expect(
      deadTokenReason(claims, { grant, session: undefined, revokedToken: undefined }, 100),
    ).toBeUndefined();
  });

  it('ignores a revocation entry past its expiry, but not a malformed one', () => {
    expect(
      deadTokenReason(claims, { grant, session: undefined, revokedToken: { expiresAt: 100 } }, 100),
    ).toBeUndefined();
    expect(
      deadTokenReason(claims, { grant, session: undefined, revokedToken: { expiresAt: 101 } }, 100),
    ).toBe('token_revoked');
    const malformed = { expiresAt: 'later' } as unknown as { expiresAt: number };
    expect(deadTokenReason(claims, { grant, session: undefined, revokedToken: malformed }, 100)).toBe(
      'token_revoked',
    );
  });

  it('treats a grant at its expiry as dead', () => {
    expect(deadTokenReason(claims, { grant, session: undefined, revokedToken: undefined }, 200)).toBe(
      'grant_revoked_or_expired',
    );
  });

  it('checks the session only for tokens that name one, and that it is the same user’s', () => {
    const session = { sub: 'someone-else', expiresAt: 200 };
    expect(deadTokenReason(claims, { grant, session, revokedToken: undefined }, 100)).toBeUndefined();
    expect(deadTokenReason({ ...claims, sid: 's' }, { grant, session, revokedToken: undefined }, 100)).toBe(
      'session_of_other_user',
    );
  });
});
