import { httpHandler } from '#adapters/http/handler';
import { stringField } from '#adapters/http/request';
import { json } from '#adapters/http/responses';
import type { Logger } from '#core/logging';
import type { Accounts } from '#core/users/accounts';

/**
 * POST /login `{"username","password"}` → 200 `{"result":"succeeded","token":"<session jwt>"}`.
 * Every failure keeps the design's body, `{"result":"failed","token":null}`, plus the error code.
 */
export const createLoginHandler = (accounts: Accounts, logger: Logger) =>
  httpHandler(
    async (request) => {
      const body = request.jsonObject();
      const { token } = await accounts.login(stringField(body, 'username'), stringField(body, 'password'));
      return json(200, { result: 'succeeded', token });
    },
    { logger, errorEnvelope: { result: 'failed', token: null } },
  );
