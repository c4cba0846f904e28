/**
 * The authorizer's own settings, beyond the shared Config: where the public keys are published and
 * which routes need which scopes. Validated at cold start so a misconfigured authorizer fails loudly
 * (and, failing, denies every request) instead of allowing something by accident.
 */

import { ConfigError } from '#contract/config-error';
import type { ScopeRule } from '#contract/protection';
import { parseScopeRules, SCOPE_RULES_VARIABLE } from '#contract/protection';
import { checkScopeRules, type ResourceServer } from '#contract/resources';

export interface AuthorizerSettings {
  jwksUri: URL;
  scopeRules: ScopeRule[];
}

type Env = Record<string, string | undefined>;

export function loadAuthorizerSettings(
  env: Env,
  { issuer, resourceServers }: { issuer: string; resourceServers: readonly ResourceServer[] },
): AuthorizerSettings {
  const raw = env.JWKS_URI || `${issuer}/.well-known/jwks.json`;
  let jwksUri: URL;
  try {
    jwksUri = new URL(raw);
  } catch {
    throw new ConfigError(`JWKS_URI must be an absolute URL, got "${raw}"`);
  }
  if ((jwksUri.protocol !== 'https:' && jwksUri.protocol !== 'http:') || jwksUri.hash || jwksUri.username) {
    throw new ConfigError(`JWKS_URI must be an http(s) URL without fragment or credentials, got "${raw}"`);
  }
  const scopeRules = parseScopeRules(env[SCOPE_RULES_VARIABLE]);
  checkScopeRules(scopeRules, resourceServers);
  return { jwksUri, scopeRules };
}
