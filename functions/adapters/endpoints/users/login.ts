import { httpHandler } from '#adapters/http/handler';
import { stringField } from '#adapters/http/request';
import { json } from '#adapters/http/responses';
import { InvalidRequest } from '#core/errors';
import type { Logger } from '#core/logging';
import type { Accounts } from '#core/users/accounts';

/**
 * POST /login `{"username","password"}` → 200 `{"result":"succeeded","token":"<session jwt>"}`. With a
 * second factor, the password answers 403 `mfa_required` with an `mfa_token`, and POST /login
 * `{"mfa_token","code"}` (or `"recovery_code"`) completes the sign-in with the same 200.
 * Every failure keeps the design's body, `{"result":"failed","token":null}`, plus the error code.
 */
export const createLoginHandler = (accounts: Accounts, logger: Logger) =>
  httpHandler(
    async (request) => {
      const body = request.jsonObject();
      const { token } =
        body.mfa_token === undefined
          ? await accounts.login(stringField(body, 'username'), stringField(body, 'password'))
          : await accounts.completeSignIn(secondStep(body));
      return json(200, { result: 'succeeded', token });
    },
    { logger, errorEnvelope: { result: 'failed', token: null } },
  );

function secondStep(body: Record<string, unknown>) {
  const mfaToken = stringField(body, 'mfa_token');
  if (body.code !== undefined) return { mfaToken, code: stringField(body, 'code') };
  if (body.recovery_code !== undefined) return { mfaToken, recoveryCode: stringField(body, 'recovery_code') };
  throw new InvalidRequest('Send "code" (from the authenticator app) or "recovery_code" with "mfa_token".');
}
