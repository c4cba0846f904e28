import { httpHandler } from '#adapters/http/handler';
import { json } from '#adapters/http/responses';
import { MethodNotAllowed } from '#core/errors';
import type { Logger } from '#core/logging';
import { type Profiles, profileView } from '#core/users/profile';
import type { Sessions } from '#core/users/sessions';

/**
 * GET and PATCH /account/profile with `Authorization: Bearer <session token>`: the caller's own profile
 * in OpenID Connect claim names; PATCH takes JSON `{"email", "name"}` (a string sets a field, `null`
 * or `""` removes it, an absent member leaves it) and answers with the profile after the change.
 */
export const createAccountProfileHandler = (profiles: Profiles, sessions: Sessions, logger: Logger) =>
  httpHandler(
    async (request, log) => {
      const { username, sub } = await sessions.authenticate(request.bearerToken());
      if (request.method === 'GET') return json(200, profileView(await profiles.of(username)));
      if (request.method !== 'PATCH') throw new MethodNotAllowed('Use GET or PATCH.');
      const user = await profiles.change(username, request.jsonObject());
      log.info('profile changed', { sub });
      return json(200, profileView(user));
    },
    { logger },
  );
