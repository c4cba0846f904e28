/**
 * The authorizer as its Lambda entry runs it (functions/app/endpoints.ts): every decision reported to the
 * metrics adapter, and the metrics flushed once per invocation, so that the benchmark's throughput is the
 * deployed authorizer's, not a cheaper one's.
 */
import { ObservedEvents } from '#adapters/observability';
import { type Authorize, type AuthorizerDependencies, createAuthorizer } from '#core/authorizer/decision';

export function deployedAuthorizer(deps: Omit<AuthorizerDependencies, 'events'>): Authorize {
  const events = new ObservedEvents({ logger: deps.logger, write: () => {}, env: {} });
  const authorize = createAuthorizer({ ...deps, events });
  return async (event, requestId) => {
    try {
      return await authorize(event, requestId);
    } finally {
      events.flush();
    }
  };
}
