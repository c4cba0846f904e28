/**
 * The functions that run WebAuthn ceremonies: the sign-in page, the account page and the account API. Apart from
 * endpoints.ts so that only their bundles hold @simplewebauthn/server and its ASN.1 and X.509
 * dependencies (which declare no `sideEffects: false`, so importing them anywhere keeps them there).
 */
import { DynamoPasskeyStore } from '#adapters/dynamo/passkeys';
import { createAccountSecurityHandler } from '#adapters/endpoints/account/security';
import { createAccountPageHandler } from '#adapters/endpoints/pages/account';
import { createSignInHandler } from '#adapters/endpoints/pages/signin';
import { simpleWebAuthn } from '#adapters/webauthn/ceremonies';
import { Passkeys, relyingParty } from '#core/users/passkeys';
import { accountPages, accountSecurity } from './endpoints.ts';
import { perRuntime, type Runtime } from './runtime.ts';
import {
  accounts,
  accountTokens,
  browserSessions,
  dynamoDb,
  flushing,
  lambdaRuntime,
  profiles,
  sessions,
} from './services.ts';

export const passkeys = /* @__PURE__ */ perRuntime(
  (runtime) =>
    new Passkeys({
      store: new DynamoPasskeyStore(dynamoDb(runtime), runtime.config.tablePrefix),
      ceremonies: simpleWebAuthn,
      tokens: accountTokens(runtime),
      accounts: accounts(runtime),
      clock: runtime.clock,
      rp: relyingParty(runtime.config.issuer),
    }),
);

export const signInEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(
    runtime,
    createSignInHandler({ ...accountPages(runtime), passkeys: passkeys(runtime) }, runtime.logger),
  );

export const accountPageEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(
    runtime,
    createAccountPageHandler(
      {
        ...accountSecurity(runtime),
        passkeys: passkeys(runtime),
        profiles: profiles(runtime),
        browserSessions: browserSessions(runtime),
        issuer: runtime.config.issuer,
      },
      runtime.logger,
    ),
  );

export const accountSecurityEndpoint = (runtime: Runtime = lambdaRuntime()) =>
  flushing(
    runtime,
    createAccountSecurityHandler(
      { ...accountSecurity(runtime), passkeys: passkeys(runtime), sessions: sessions(runtime) },
      runtime.logger,
    ),
  );
