import { httpHandler } from '#adapters/http/handler';
import { stringField } from '#adapters/http/request';
import { json } from '#adapters/http/responses';
import type { Logger } from '#core/logging';
import type { Accounts } from '#core/users/accounts';

/**
 * POST /register `{"username","password"}`, optionally with `"email"` and `"name"` →
 * 201 `{"result":"succeeded"}`.
 */
export const createRegisterHandler = (accounts: Accounts, logger: Logger) =>
  httpHandler(
    async (request, log) => {
      const body = request.jsonObject();
      const { email, name } = body;
      const { sub } = await accounts.register(stringField(body, 'username'), stringField(body, 'password'), {
        email,
        name,
      });
      log.info('user registered', { sub });
      return json(201, { result: 'succeeded' });
    },
    { logger, errorEnvelope: { result: 'failed' } },
  );
