/**
 * What API Gateway does with a Lambda authorizer's answer: check its shape, and evaluate its IAM policy
 * against the method ARN of the request. An explicit Deny that matches wins, then an Allow that matches;
 * nothing matching is a Deny. The same cached answer is evaluated again for every later request with the
 * same token, against that request's ARN.
 */

/** The authorizer answered something API Gateway would reject (→ AUTHORIZER_CONFIGURATION_ERROR). */
export class MalformedAuthorizerResult extends Error {
  override readonly name = 'MalformedAuthorizerResult';
}

interface Statement {
  effect: 'Allow' | 'Deny';
  actions: string[];
  resources: string[];
}

export interface AuthorizerResult {
  principalId: string;
  statements: Statement[];
  /** Only strings, numbers and booleans: API Gateway refuses anything else. */
  context: Record<string, string | number | boolean>;
}

const asList = (value: unknown, what: string): string[] => {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((entry) => typeof entry === 'string')) {
    throw new MalformedAuthorizerResult(`${what} must be a string or a non-empty list of strings`);
  }
  return list as string[];
};

function parseStatement(raw: unknown, index: number): Statement {
  if (raw === null || typeof raw !== 'object')
    throw new MalformedAuthorizerResult(`Statement ${index} is not an object`);
  const statement = raw as Record<string, unknown>;
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
    throw new MalformedAuthorizerResult(`Statement ${index}: Effect must be "Allow" or "Deny"`);
  }
  if ('NotAction' in statement || 'NotResource' in statement || 'Condition' in statement) {
    throw new MalformedAuthorizerResult(
      `Statement ${index}: NotAction, NotResource and Condition are not supported`,
    );
  }
  return {
    effect: statement.Effect,
    actions: asList(statement.Action, `Statement ${index}: Action`),
    resources: asList(statement.Resource, `Statement ${index}: Resource`),
  };
}

/** Checks an authorizer's return value the way API Gateway does before it uses it. */
export function parseAuthorizerResult(value: unknown): AuthorizerResult {
  if (value === null || typeof value !== 'object')
    throw new MalformedAuthorizerResult('The result is not an object');
  const result = value as Record<string, unknown>;
  if (typeof result.principalId !== 'string' || result.principalId === '') {
    throw new MalformedAuthorizerResult('principalId must be a non-empty string');
  }
  const document = result.policyDocument as Record<string, unknown> | null | undefined;
  if (document === null || typeof document !== 'object') {
    throw new MalformedAuthorizerResult('policyDocument must be an object');
  }
  const rawStatements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  if (document.Statement === undefined || rawStatements.length === 0) {
    throw new MalformedAuthorizerResult('policyDocument.Statement must hold at least one statement');
  }

  const context: Record<string, string | number | boolean> = {};
  if (result.context !== undefined && result.context !== null) {
    if (typeof result.context !== 'object' || Array.isArray(result.context)) {
      throw new MalformedAuthorizerResult('context must be an object');
    }
    for (const [key, entry] of Object.entries(result.context)) {
      if (typeof entry !== 'string' && typeof entry !== 'number' && typeof entry !== 'boolean') {
        throw new MalformedAuthorizerResult(`context.${key} must be a string, number or boolean`);
      }
      context[key] = entry;
    }
  }
  return { principalId: result.principalId, statements: rawStatements.map(parseStatement), context };
}

/** IAM wildcard matching: `*` any run of characters (`/` included), `?` exactly one. */
export function wildcardMatch(
  pattern: string,
  value: string,
  options: { ignoreCase?: boolean } = {},
): boolean {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, options.ignoreCase ? 'is' : 's').test(value);
}

const INVOKE = 'execute-api:Invoke';

export type PolicyDecision = 'allow' | 'deny';

/** Whether the statements let the caller invoke `methodArn`. */
export function evaluatePolicy(statements: readonly Statement[], methodArn: string): PolicyDecision {
  const applies = (statement: Statement) =>
    statement.actions.some((action) => wildcardMatch(action, INVOKE, { ignoreCase: true })) &&
    statement.resources.some((resource) => wildcardMatch(resource, methodArn));
  const matching = statements.filter(applies);
  if (matching.some((statement) => statement.effect === 'Deny')) return 'deny';
  return matching.some((statement) => statement.effect === 'Allow') ? 'allow' : 'deny';
}
