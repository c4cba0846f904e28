/**
 * Remembered consent: which scopes a user approved for a client on the consent page. A request is
 * covered only when every scope it asks for was approved before; asking for more shows the page again,
 * and approving adds the new scopes to what was approved (consent only grows until it is revoked).
 */
import { type Clock, epochSeconds } from '#core/clock';
import { parseScope } from '#core/scopes';

export interface ConsentRecord {
  sub: string;
  clientId: string;
  /** The scope tokens approved so far. */
  scopes: string[];
  createdAt: number;
  updatedAt: number;
}

export interface ConsentStore {
  findConsent(sub: string, clientId: string): Promise<ConsentRecord | undefined>;
  /** Adds scopes to the user's consent for the client (creating it), atomically with other additions. */
  addScopes(sub: string, clientId: string, scopes: readonly string[], nowSeconds: number): Promise<void>;
}

/** The requested scope tokens that were not approved. */
export function missingScopes(approved: Iterable<string>, requested: readonly string[]): string[] {
  const have = new Set(approved);
  return requested.filter((scope) => !have.has(scope));
}

export interface ConsentDependencies {
  store: ConsentStore;
  clock: Clock;
}

export class Consents {
  constructor(private readonly deps: ConsentDependencies) {}

  /**
   * Whether the user approved this client for every token of `scope` before. Never true without a
   * stored approval, even for an empty scope: a client is always shown once.
   */
  async covers(sub: string, clientId: string, scope: string): Promise<boolean> {
    const record = await this.deps.store.findConsent(sub, clientId);
    return record !== undefined && missingScopes(record.scopes, parseScope(scope)).length === 0;
  }

  /** Records that the user approved `scope` for the client. */
  async remember(sub: string, clientId: string, scope: string): Promise<void> {
    await this.deps.store.addScopes(sub, clientId, parseScope(scope), epochSeconds(this.deps.clock));
  }
}
