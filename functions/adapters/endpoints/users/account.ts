import { httpHandler } from '#adapters/http/handler';
import { json } from '#adapters/http/responses';
import { MethodNotAllowed } from '#core/errors';
import type { Logger } from '#core/logging';
import type { EmailVerification } from '#core/users/email-verification';
import { type Profiles, profileView } from '#core/users/profile';
import type { Sessions } from '#core/users/sessions';

export interface ProfileApiDependencies {
  profiles: Profiles;
  sessions: Sessions;
  emailVerification: EmailVerification;
}

/**
 * GET and PATCH /account/profile with `Authorization: Bearer <session token>`: the caller's own profile
 * in OpenID Connect claim names; PATCH takes JSON `{"email", "name"}` (a string sets a field, `null`
 * or `""` removes it, an absent member leaves it) and answers with the profile after the change. A new
 * address is sent a verification link and the old one is told.
 */
export const createAccountProfileHandler = (deps: ProfileApiDependencies, logger: Logger) =>
  httpHandler(
    async (request, log) => {
      const { username, sub } = await deps.sessions.authenticate(request.bearerToken());
      if (request.method === 'GET') return json(200, profileView(await deps.profiles.of(username)));
      if (request.method !== 'PATCH') throw new MethodNotAllowed('Use GET or PATCH.');
      const { before, after } = await deps.profiles.change(username, request.jsonObject());
      log.info('profile changed', { sub });
      await deps.emailVerification.addressChanged(before, after, request.sourceAddress());
      return json(200, profileView(after));
    },
    { logger },
  );
