import { httpHandler } from '#adapters/http/handler';
import { stringField } from '#adapters/http/request';
import { json } from '#adapters/http/responses';
import type { Logger } from '#core/logging';
import type { Accounts } from '#core/users/accounts';
import type { EmailVerification } from '#core/users/email-verification';

/**
 * POST /register `{"username","password"}`, optionally with `"email"` and `"name"` →
 * 201 `{"result":"succeeded"}`. An email address is sent a verification link.
 */
export const createRegisterHandler = (
  deps: { accounts: Accounts; emailVerification: EmailVerification },
  logger: Logger,
) =>
  httpHandler(
    async (request, log) => {
      const body = request.jsonObject();
      const { email, name } = body;
      const { sub, user } = await deps.accounts.register(
        stringField(body, 'username'),
        stringField(body, 'password'),
        { email, name },
      );
      log.info('user registered', { sub });
      await sendVerification(deps.emailVerification, user, request.sourceAddress(), log);
      return json(201, { result: 'succeeded' });
    },
    { logger, errorEnvelope: { result: 'failed' } },
  );

/**
 * Mails the verification link of a new account. The account exists whatever happens here: a refused
 * or failed mail is logged, and the user can ask again from the account page.
 */
export async function sendVerification(
  verification: EmailVerification,
  user: Parameters<EmailVerification['send']>[0],
  address: string | undefined,
  log: Logger,
): Promise<void> {
  try {
    if (await verification.send(user, address)) log.info('verification mail sent', { sub: user.sub });
  } catch (error) {
    log.warn('verification mail not sent', { sub: user.sub, error });
  }
}
