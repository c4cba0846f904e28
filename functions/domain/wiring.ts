/** Builds the domain services from their dependencies; used by the Lambda entry files and by tests. */
import type { Config } from '#commons/config';
import type { DynamoDb } from '#commons/dynamo';
import type { KeyRing } from '#commons/keys';
import type { Logger } from '#commons/logger';
import { DynamoAccountStore } from '#stores/accounts';
import { DynamoClientStore } from '#stores/clients';
import { DynamoGrantStore } from '#stores/grants';
import { DynamoRevocationStore } from '#stores/revocation';
import { Accounts } from './accounts.ts';
import { Authorization } from './authorization.ts';
import type { Clock } from './clock.ts';
import { Sessions } from './sessions.ts';
import { TokenGrants } from './token-grants.ts';
import { TokenState } from './token-revocation.ts';

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

/** The OAuth endpoints' services: authorization, token grants, revocation and introspection. */
export function oauthServices({ config, db, keyRing, clock }: Runtime, logger: Logger) {
  const clients = new DynamoClientStore(db, config.tablePrefix);
  const grants = new DynamoGrantStore(db, config.tablePrefix);
  const authorization = new Authorization({
    clients,
    grants,
    clock,
    issuer: config.issuer,
    codeTtlSeconds: config.authorizationCodeTtlSeconds,
  });
  const tokenGrants = new TokenGrants({
    grants,
    keys: keyRing,
    clock,
    issuer: config.issuer,
    audience: config.resourceIdentifier,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    logger,
  });
  const tokenState = new TokenState({
    grants,
    liveness: new DynamoRevocationStore(db, config.tablePrefix),
    keys: keyRing,
    clock,
    issuer: config.issuer,
    audience: config.resourceIdentifier,
    logger,
  });
  return { clients, authorization, tokenGrants, tokenState };
}
