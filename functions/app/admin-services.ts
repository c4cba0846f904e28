/**
 * The operator's services (the admin tool, infra/admin; account deletion disables and ends sessions
 * through them too): the functions' stores and services plus the administration store, built the same
 * way, once per runtime.
 */
import { DynamoAccountErasureStore } from '#adapters/dynamo/account-erasure';
import { DynamoAdministrationStore } from '#adapters/dynamo/administration';
import { ClientAdministration } from '#core/clients/client-administration';
import { epochSeconds } from '#core/clock';
import { UserAdministration } from '#core/users/user-administration';
import { perRuntime } from './runtime.ts';
import { clientRegistry, dynamoDb, securityEvents } from './services.ts';

/** A user's sessions and what else names them: one store for the user's own pages and the operator. */
export const erasureStore = /* @__PURE__ */ perRuntime(
  (runtime) => new DynamoAccountErasureStore(dynamoDb(runtime), runtime.config.tablePrefix),
);

const administrationStore = /* @__PURE__ */ perRuntime(
  (runtime) => new DynamoAdministrationStore(dynamoDb(runtime), runtime.config.tablePrefix),
);

/** The operator's `counts`: exact, by scans (adapters/dynamo/administration.ts says why that is fine). */
export const administrationCounts = /* @__PURE__ */ perRuntime(
  (runtime) => () => administrationStore(runtime).counts(epochSeconds(runtime.clock)),
);

export const userAdministration = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new UserAdministration({
      store: administrationStore(runtime),
      sessions: erasureStore(runtime),
      clock: runtime.clock,
      events: securityEvents(runtime),
    }),
);

export const clientAdministration = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new ClientAdministration({
      store: administrationStore(runtime),
      registry: clientRegistry(runtime),
      clock: runtime.clock,
      events: securityEvents(runtime),
    }),
);
