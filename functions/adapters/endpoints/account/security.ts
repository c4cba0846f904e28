import { httpHandler } from '#adapters/http/handler';
import type { HttpRequest } from '#adapters/http/request';
import { stringField } from '#adapters/http/request';
import { type HttpResponse, json } from '#adapters/http/responses';
import { MethodNotAllowed, NotFound } from '#core/errors';
import type { Logger } from '#core/logging';
import type { AccountDeletion } from '#core/users/account-deletion';
import type { AccountSessions, SessionSummary } from '#core/users/account-sessions';
import type { EmailVerification } from '#core/users/email-verification';
import type { PasskeyRecord, Passkeys } from '#core/users/passkeys';
import type { PasswordChange } from '#core/users/password-change';
import type { SessionRecord } from '#core/users/records';
import type { Sessions } from '#core/users/sessions';
import type { TotpEnrolment } from '#core/users/totp-enrolment';

export interface SecurityApiDependencies {
  sessions: Sessions;
  accountSessions: AccountSessions;
  emailVerification: EmailVerification;
  passwordChange: PasswordChange;
  totpEnrolment: TotpEnrolment;
  accountDeletion: AccountDeletion;
  passkeys: Passkeys;
}

type Route = (
  deps: SecurityApiDependencies,
  request: HttpRequest,
  session: SessionRecord,
) => Promise<HttpResponse>;

const ok = (extra: Record<string, unknown> = {}) => json(200, { result: 'succeeded', ...extra });

/** A session as the API lists it. */
export const sessionView = (session: SessionSummary, current: string) => ({
  session_id: session.sessionId,
  created_at: session.createdAt,
  expires_at: session.expiresAt,
  amr: session.amr ?? ['pwd'],
  current: session.sessionId === current,
});

/** A passkey as the API lists it (never its public key). */
const passkeyView = (passkey: PasskeyRecord) => ({
  credential_id: passkey.credentialId,
  name: passkey.name,
  kind: passkey.kind,
  created_at: passkey.createdAt,
  ...(passkey.lastUsedAt === undefined ? {} : { last_used_at: passkey.lastUsedAt }),
});

/** Every route of the account security API, by method and resource (infra/routes.ts has the same list). */
const ROUTES: Record<string, Route> = {
  'POST /account/email/verification': async (deps, request, session) => {
    await deps.emailVerification.resend(session.username, request.sourceAddress());
    return json(202, { result: 'accepted' });
  },
  'POST /account/password': async (deps, request, session) => {
    const body = request.jsonObject();
    const current = stringField(body, 'current_password');
    const ended = await deps.passwordChange.change(session, {
      current,
      next: stringField(body, 'new_password'),
    });
    return ok({ sessions_ended: ended });
  },
  'POST /account/totp': async (deps, _request, session) => {
    const { secret, uri } = await deps.totpEnrolment.start(session.username);
    return json(201, { secret, otpauth_uri: uri });
  },
  'POST /account/totp/confirm': async (deps, request, session) => {
    const codes = await deps.totpEnrolment.confirm(
      session.username,
      stringField(request.jsonObject(), 'code'),
    );
    return ok({ recovery_codes: codes });
  },
  'DELETE /account/totp': async (deps, request, session) => {
    await deps.totpEnrolment.disable(session.username, stringField(request.jsonObject(), 'password'));
    return ok();
  },
  'GET /account/passkeys': async (deps, _request, session) => {
    const passkeys = await deps.passkeys.list(session.sub);
    return json(200, { passkeys: passkeys.map(passkeyView) });
  },
  'POST /account/passkeys/options': async (deps, _request, session) => {
    const { username, sub } = session;
    return json(200, { options: await deps.passkeys.registrationOptions({ username, sub }) });
  },
  'POST /account/passkeys': async (deps, request, session) => {
    const body = request.jsonObject();
    const { username, sub } = session;
    const name = stringField(body, 'name');
    const passkey = await deps.passkeys.register({ username, sub }, { name, response: body.credential });
    return json(201, { result: 'succeeded', passkey: passkeyView(passkey) });
  },
  'DELETE /account/passkeys/{credential_id}': async (deps, request, session) => {
    await deps.passkeys.remove(session.sub, request.pathParameter('credential_id') ?? '');
    return ok();
  },
  'GET /account/sessions': async (deps, _request, session) => {
    const sessions = await deps.accountSessions.list(session.sub);
    return json(200, { sessions: sessions.map((listed) => sessionView(listed, session.sessionId)) });
  },
  'DELETE /account/sessions/{session_id}': async (deps, request, session) => {
    await deps.accountSessions.end(session.sub, request.pathParameter('session_id') ?? '');
    return ok();
  },
  'POST /account/delete': async (deps, request, session) => {
    const password = stringField(request.jsonObject(), 'password');
    await deps.accountDeletion.deleteOwnAccount(session.username, password);
    return ok();
  },
};

/**
 * The account's security, as JSON with `Authorization: Bearer <session token>` (never the cookie,
 * though browsers send it below /account): verification mail, password change, TOTP, passkeys, sessions and
 * deletion, with exactly the rules of the account page.
 */
export const createAccountSecurityHandler = (deps: SecurityApiDependencies, logger: Logger) =>
  httpHandler(
    async (request, log) => {
      const route = ROUTES[`${request.method} ${request.event.resource}`];
      if (!route) {
        const known = Object.keys(ROUTES).some((key) => key.endsWith(` ${request.event.resource}`));
        throw known ? new MethodNotAllowed('Not with this method.') : new NotFound('No such endpoint.');
      }
      const session = await deps.sessions.authenticate(request.bearerToken());
      const response = await route(deps, request, session);
      log.info('account security changed', {
        sub: session.sub,
        route: `${request.method} ${request.event.resource}`,
      });
      return response;
    },
    { logger, errorEnvelope: { result: 'failed' } },
  );
