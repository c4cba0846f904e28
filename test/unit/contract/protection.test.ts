import { describe, expect, it } from 'vitest';
import { ConfigError } from '#contract/config-error';
import { identityHeaderSpellings, isIdentityHeaderSpelling, parseScopeRules } from '#contract/protection';

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
    ['{"GET /protected/public/../admin/*":"s"}', /no "\." or "\.\." segment/],
    ['{"GET /protected/./admin":"s"}', /no "\." or "\.\." segment/],
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

describe('identity header spellings', () => {
  it('are every choice of - or _ between the words of the name', () => {
    expect(identityHeaderSpellings('X-Tinyoauth-Sub')).toEqual([
      'X-Tinyoauth-Sub',
      'X-Tinyoauth_Sub',
      'X_Tinyoauth-Sub',
      'X_Tinyoauth_Sub',
    ]);
    expect(identityHeaderSpellings('X-Tinyoauth-Token-Id')).toHaveLength(8);
  });

  it.each([
    ['X-Tinyoauth-Sub', true],
    ['x_tinyoauth_scope', true],
    ['X-TINYOAUTH_client-id', true],
    ['X_Tinyoauth-Anything', true],
    ['X-Tinyoauthish', false],
    ['X-Other-Tinyoauth-Sub', false],
  ])('%s is in their namespace: %s', (name, inside) => {
    expect(isIdentityHeaderSpelling(name)).toBe(inside);
  });
});
