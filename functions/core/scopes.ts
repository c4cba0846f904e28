/** Scope strings as RFC 6749 §3.3 defines them: space-delimited, case-sensitive scope tokens. */
import { isScopeToken } from '#contract/scopes';
import { InvalidScope } from './errors.ts';

/** The distinct scope tokens of a scope string, in their first order; throws on a malformed one. */
export function parseScope(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  const tokens = scope.split(' ').filter((token) => token !== '');
  for (const token of tokens) {
    if (!isScopeToken(token)) throw new InvalidScope('The scope contains a malformed scope token.');
  }
  return [...new Set(tokens)];
}

export const formatScope = (tokens: readonly string[]): string => tokens.join(' ');

/**
 * The scope to grant for a request: the requested scope if every token is allowed, the allowed scope
 * when nothing was requested (RFC 6749 §3.3 lets the server apply a default), `invalid_scope` otherwise.
 */
export function grantableScope(requested: string | undefined, allowed: string): string {
  const wanted = parseScope(requested);
  const permitted = new Set(parseScope(allowed));
  if (wanted.length === 0) return allowed;
  const refused = wanted.filter((token) => !permitted.has(token));
  if (refused.length > 0) {
    throw new InvalidScope(`The scope "${refused.join(' ')}" is not available to this client.`);
  }
  return formatScope(wanted);
}
