import { httpHandler } from '#adapters/http/handler';
import type { HttpRequest } from '#adapters/http/request';
import { type HttpResponse, seeOther } from '#adapters/http/responses';
import { type BrowserSession, type BrowserSessions, FORM_PURPOSE } from '#adapters/web/browser-sessions';
import { accountPage } from '#adapters/web/oidc-pages';
import { InvalidRequest, MethodNotAllowed } from '#core/errors';
import type { Logger } from '#core/logging';
import type { Profiles } from '#core/users/profile';

export interface AccountPageDependencies {
  profiles: Profiles;
  browserSessions: BrowserSessions;
  issuer: string;
}

/**
 * GET /account shows the signed-in user's name and email address in a form; POST /account saves them
 * (CSRF token and same origin required) and answers with a 303 back to the page. Without a session
 * both send the browser to the sign-in page.
 */
export const createAccountPageHandler = (deps: AccountPageDependencies, logger: Logger) =>
  httpHandler(
    async (request, log) => {
      if (request.method !== 'GET' && request.method !== 'POST')
        throw new MethodNotAllowed('Use GET or POST.');
      const current = await deps.browserSessions.current(request);
      if (!current) return seeOther(`${deps.issuer}/signin`);
      if (request.method === 'GET') return show(deps, current, { saved: request.query().has('saved') });
      return save(deps, request, log, current);
    },
    { logger, pages: true },
  );

async function show(
  deps: AccountPageDependencies,
  current: BrowserSession,
  state: { saved?: boolean; error?: string; values?: { email?: string; name?: string } },
): Promise<HttpResponse> {
  const user = state.values ?? (await deps.profiles.of(current.session.username));
  return accountPage(
    {
      issuer: deps.issuer,
      username: current.session.username,
      email: user.email,
      name: user.name,
      csrf: deps.browserSessions.csrfToken(current.token, FORM_PURPOSE.account),
      ...(state.saved ? { saved: true } : {}),
      ...(state.error === undefined ? {} : { error: state.error }),
    },
    state.error === undefined ? {} : { status: 400 },
  );
}

async function save(
  deps: AccountPageDependencies,
  request: HttpRequest,
  log: Logger,
  current: BrowserSession,
): Promise<HttpResponse> {
  const fields = request.form();
  deps.browserSessions.checkSameOrigin(request);
  deps.browserSessions.checkCsrf(current.token, FORM_PURPOSE.account, fields.get('csrf'));
  const changes = { email: fields.get('email') ?? null, name: fields.get('name') ?? null };
  try {
    await deps.profiles.change(current.session.username, changes);
  } catch (error) {
    if (!(error instanceof InvalidRequest)) throw error;
    const values = { email: fields.get('email') ?? '', name: fields.get('name') ?? '' };
    return show(deps, current, { error: error.description, values });
  }
  log.info('profile changed', { sub: current.session.sub });
  return seeOther(`${deps.issuer}/account?saved=1`);
}
