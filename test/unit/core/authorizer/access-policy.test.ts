import { describe, expect, it } from 'vitest';
import type { ScopeRule } from '#contract/protection';
import {
  accessPolicy,
  NON_CANONICAL_PATHS,
  parseMethodArn,
  unmetScopeRules,
} from '#core/authorizer/access-policy';
import { evaluatePolicy, parseAuthorizerResult } from '#infra/local/policy';
import { ONLY_DEFAULT } from '../../../fakes/resources.ts';

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
    const denied = accessPolicy('P', { ...ONLY_DEFAULT, unmet: unmetScopeRules(rules, '') }).Statement[1]
      ?.Resource;
    expect(denied?.slice(0, 3)).toEqual(['P/GET/protected/r/*', 'P/HEAD/protected/r/*', 'P/*/protected/w/*']);
    expect(denied?.slice(3)).toEqual(NON_CANONICAL_PATHS.map((suffix) => `P/*/protected${suffix}`));
    expect(NON_CANONICAL_PATHS).toHaveLength(89 + 8 + 2);
  });
});

/**
 * The policy as API Gateway uses it: cached for the token and evaluated (IAM wildcards, explicit Deny
 * first) against the method ARN of every later request. Whether that ARN carries the path as sent or
 * percent-decoded is not documented, so every case is checked against both spellings.
 */
describe('access policy against equivalent spellings of a path (RFC 3986 §6.2.2)', () => {
  const STAGE = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/v1';
  const rules: ScopeRule[] = [
    { method: 'GET', path: '/protected/reports/*', scopes: ['reports'] },
    { method: '*', path: '/protected/admin/*', scopes: ['admin'] },
  ];
  const statementsOf = (scope: string) =>
    parseAuthorizerResult({
      principalId: 'p',
      policyDocument: accessPolicy(STAGE, { ...ONLY_DEFAULT, unmet: unmetScopeRules(rules, scope) }),
    }).statements;
  const decide = (scope: string, method: string, path: string) =>
    evaluatePolicy(statementsOf(scope), `${STAGE}/${method}${path}`);

  it.each([
    ['GET', '/protected/admin/users'],
    ['GET', '/protected/%61dmin/users'],
    ['GET', '/protected/%61%64%6D%69%6E/users'],
    ['GET', '/protected/%61%64%6d%69%6e/users'],
    ['DELETE', '/protected/adm%69n/users'],
    ['GET', '/protected/admin%2Fusers'],
    ['GET', '/protected/admin%2fusers'],
    ['GET', '/protected/admin%5Cusers'],
    ['GET', '/protected/%2561dmin/users'],
    ['GET', '/protected/public/../admin/users'],
    ['GET', '/protected/./admin/users'],
    ['GET', '/protected/public/%2E%2E/admin/users'],
    ['GET', '/protected//admin/users'],
    ['GET', '/protected/reports/2026'],
    ['HEAD', '/protected/reports/2026'],
    ['HEAD', '/protected/r%65ports/2026'],
    ['GET', '/protected/%72eports/2026'],
  ])('denies %s %s to a token without the scopes', (method, path) => {
    expect(decide('read', method, path)).toBe('deny');
  });

  it.each([
    ['GET', '/protected/files/a%20b'],
    ['GET', '/protected/files/caf%C3%A9'],
    ['GET', '/protected/search/what%3F'],
    ['POST', '/protected/reports/2026'],
    ['GET', '/protected/files/report..v2'],
  ])('allows %s %s, which no rule covers in any spelling', (method, path) => {
    expect(decide('read', method, path)).toBe('allow');
  });

  it('refuses nothing extra to a token that meets every rule', () => {
    const statements = statementsOf('reports admin');
    expect(statements).toHaveLength(1);
    for (const path of ['/protected/%61dmin/users', '/protected/admin/users', '/protected//x']) {
      expect(evaluatePolicy(statements, `${STAGE}/GET${path}`)).toBe('allow');
    }
  });
});
