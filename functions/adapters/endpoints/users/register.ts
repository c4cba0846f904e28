import { httpHandler, json, stringField } from '#adapters/http/edge';
import type { Logger } from '#adapters/logger';
import type { Accounts } from '#core/users/accounts';

/** POST /register `{"username","password"}` → 201 `{"result":"succeeded"}`. */
export const createRegisterHandler = (accounts: Accounts, logger: Logger) =>
  httpHandler(
    async (request, log) => {
      const body = request.jsonObject();
      const { sub } = await accounts.register(stringField(body, 'username'), stringField(body, 'password'));
      log.info('user registered', { sub });
      return json(201, { result: 'succeeded' });
    },
    { logger, errorEnvelope: { result: 'failed' } },
  );
