/**
 * The challenge of each 401 and 403 the local gateway's authorizer answers, per request (RFC 6750 §3,
 * RFC 9728 §5.1): the metadata URL of the resource server that serves the path, no error code when no
 * token came, and for a 403 the scopes of the rules this request fails.
 */
import type { ScopeRule } from '#contract/protection';
import {
  protectedResourceMetadataUrl,
  type ResourceServer,
  resourceServerForPath,
} from '#contract/resources';
import { unmetScopeRules } from '#core/authorizer/access-policy';
import type { Challenge } from '#infra/gateway-responses';
import type { AuthorizationOutcome } from './authorization.ts';
import { wildcardMatch } from './policy.ts';

/** What the challenges are computed from: the settings the authorizer itself runs with. */
export interface LocalProtection {
  issuer: string;
  resourceServers: readonly ResourceServer[];
  scopeRules: readonly ScopeRule[];
}

type Refused = Extract<AuthorizationOutcome, { kind: 'refused' }>;

const appliesTo = (rule: ScopeRule, method: string, path: string): boolean =>
  (rule.method === '*' || rule.method === method || (rule.method === 'GET' && method === 'HEAD')) &&
  wildcardMatch(rule.path, path);

export function challengeOf(
  protection: LocalProtection,
  request: { method: string; path: string },
  refusal: Refused,
): Challenge {
  const server = resourceServerForPath(protection.resourceServers, request.path);
  const failed =
    refusal.tokenScope === undefined
      ? []
      : unmetScopeRules(protection.scopeRules, refusal.tokenScope).filter((rule) =>
          appliesTo(rule, request.method, request.path),
        );
  const scope = [...new Set(failed.flatMap((rule) => rule.scopes))].join(' ');
  return {
    resourceMetadata: server && protectedResourceMetadataUrl(protection.issuer, server),
    ...(refusal.tokenMissing ? { tokenMissing: true } : {}),
    ...(scope ? { scope } : {}),
  };
}
