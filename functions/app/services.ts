/** Builds the domain services from their dependencies; used by the Lambda entry files and by tests. */

import type { DynamoDb } from '#adapters/aws/dynamodb';
import type { Config } from '#adapters/config';
import { DynamoAccountStore } from '#adapters/dynamo/accounts';
import { DynamoClientStore } from '#adapters/dynamo/clients';
import { DynamoGrantStore } from '#adapters/dynamo/grants';
import { DynamoRevocationStore } from '#adapters/dynamo/liveness';
import type { Logger } from '#adapters/logger';
import type { Clock } from '#core/clock';
import type { KeyRing } from '#core/keys/key-ring';
import { Authorization } from '#core/oauth/authorization';
import { TokenGrants } from '#core/oauth/token-grants';
import { TokenState } from '#core/oauth/token-state';
import { Accounts } from '#core/users/accounts';
import { Sessions } from '#core/users/sessions';

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
