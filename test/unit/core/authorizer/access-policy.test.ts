import { describe, expect, it } from 'vitest';
import { accessPolicy, parseMethodArn, unmetScopeRules } from '#core/authorizer/access-policy';

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
