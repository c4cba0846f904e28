/**
 * The IAM policy the authorizer returns, built so that it stays correct when API Gateway caches it for
 * the whole token: it depends only on the token (its scope) and the API stage, never on the request that
 * happened to trigger it. A cached policy is re-evaluated by API Gateway against every later request's
 * method ARN, so it allows all of `/protected/*` and denies, explicitly, every route whose scope
 * requirement the token does not meet (an explicit Deny wins over the Allow → 403 ACCESS_DENIED).
 */
import type { ScopeRule } from '#contract/protection';

export interface ExecuteApiArn {
  /** `arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>`: the part that is the same for every route. */
  stagePrefix: string;
  method: string;
  /** The request path, from its first `/`. */
  path: string;
}

/**
 * Splits an API Gateway method ARN, `arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/protected/a`.
 * Anything else is undefined: the caller denies rather than guessing a resource to allow.
 */
export function parseMethodArn(methodArn: string): ExecuteApiArn | undefined {
  const match =
    /^(arn:[a-z0-9-]+:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+\/[^/*?]+)\/([A-Z]+)(\/.*)$/.exec(
      methodArn,
    );
  if (!match) return undefined;
  const [, stagePrefix, method, path] = match as unknown as [string, string, string, string];
  return { stagePrefix, method, path };
}

export const grantedScopes = (scope: string): Set<string> => new Set(scope.split(' ').filter(Boolean));

/** The rules a token with this scope fails; each becomes a Deny. */
export function unmetScopeRules(rules: readonly ScopeRule[], scope: string): ScopeRule[] {
  const granted = grantedScopes(scope);
  return rules.filter((rule) => !rule.scopes.every((required) => granted.has(required)));
}

export interface PolicyStatement {
  Action: 'execute-api:Invoke';
  Effect: 'Allow' | 'Deny';
  Resource: string[];
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** The protected area every valid token may reach, less the routes it lacks the scope for. */
export function accessPolicy(stagePrefix: string, unmet: readonly ScopeRule[]): PolicyDocument {
  const Statement: PolicyStatement[] = [
    { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [`${stagePrefix}/*/protected/*`] },
  ];
  if (unmet.length > 0) {
    Statement.push({
      Action: 'execute-api:Invoke',
      Effect: 'Deny',
      Resource: unmet.map((rule) => `${stagePrefix}/${rule.method}${rule.path}`),
    });
  }
  return { Version: '2012-10-17', Statement };
}
