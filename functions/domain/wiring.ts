/** Builds the domain services from their dependencies; used by the Lambda entry files and by tests. */
import type { Config } from '#commons/config';
import type { DynamoDb } from '#commons/dynamo';
import type { KeyRing } from '#commons/keys';
import { DynamoAccountStore } from '#stores/accounts';
import { Accounts } from './accounts.ts';
import type { Clock } from './clock.ts';
import { Sessions } from './sessions.ts';

export interface Runtime {
  config: Config;
  db: DynamoDb;
  keyRing: KeyRing;
  clock: Clock;
}

export function userServices({ config, db, keyRing, clock }: Runtime) {
  const store = new DynamoAccountStore(db, config.tablePrefix);
  const sessions = new Sessions({ store, keys: keyRing, issuer: config.issuer, clock });
  const accounts = new Accounts({
    store,
    sessions,
    clock,
    scrypt: { logN: config.scryptLogN, r: 8, p: 1 },
    sessionTtlSeconds: config.sessionTtlSeconds,
    lockout: config.lockout,
  });
  return { accounts, sessions };
}
