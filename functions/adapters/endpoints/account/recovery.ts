import { setTimeout as sleep } from 'node:timers/promises';
import { httpHandler } from '#adapters/http/handler';
import { stringField } from '#adapters/http/request';
import { json } from '#adapters/http/responses';
import { InvalidRequest, NotFound } from '#core/errors';
import type { Logger } from '#core/logging';
import type { EmailVerification } from '#core/users/email-verification';
import type { PasswordRecovery } from '#core/users/password-recovery';

export interface RecoveryApiDependencies {
  passwordRecovery: PasswordRecovery;
  emailVerification: EmailVerification;
  /**
   * Every answer to a reset request takes at least this long, so that the time it takes (a lookup, a
   * token and a mail, or nothing) tells nobody whether an account matched. Default 750 ms.
   */
  responseFloorMs?: number;
}

export const RESPONSE_FLOOR_MS = 750;

/** Runs `work` and answers no sooner than `floorMs` after it started, whatever it found. */
export async function withFloor<T>(floorMs: number, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    const left = floorMs - (performance.now() - started);
    if (left > 0) await sleep(left);
  }
}

/**
 * The JSON API of recovery, without a session:
 * - POST /password/forgot `{"username"}` or `{"email"}` → 202 `{"result":"accepted"}`, the same whether
 *   or not an account matched (a reset link goes to a matching account's verified address);
 * - POST /password/reset `{"token","password"}` → 200; every session of the user ends;
 * - POST /email/verify `{"token"}` → 200; the address the link was sent to is verified.
 */
export const createRecoveryHandler = (deps: RecoveryApiDependencies, logger: Logger) =>
  httpHandler(
    async (request, log) => {
      const body = request.jsonObject();
      switch (request.event.resource) {
        case '/password/forgot': {
          const identifier = forgotIdentifier(body);
          await withFloor(deps.responseFloorMs ?? RESPONSE_FLOOR_MS, () =>
            deps.passwordRecovery.request(identifier, request.sourceAddress()),
          );
          return json(202, { result: 'accepted' });
        }
        case '/password/reset': {
          const { sub } = await deps.passwordRecovery.reset(body.token, stringField(body, 'password'));
          log.info('password reset', { sub });
          return json(200, { result: 'succeeded' });
        }
        case '/email/verify': {
          await deps.emailVerification.verify(body.token);
          log.info('email verified');
          return json(200, { result: 'succeeded' });
        }
        default:
          throw new NotFound('No such endpoint.');
      }
    },
    { logger, errorEnvelope: { result: 'failed' } },
  );

function forgotIdentifier(body: Record<string, unknown>): string {
  if (body.username !== undefined) return stringField(body, 'username');
  if (body.email !== undefined) return stringField(body, 'email');
  throw new InvalidRequest('Send "username" or "email".');
}
