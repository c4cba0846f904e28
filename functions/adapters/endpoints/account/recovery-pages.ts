import { httpHandler } from '#adapters/http/handler';
import type { HttpRequest } from '#adapters/http/request';
import type { HttpResponse } from '#adapters/http/responses';
import { type BrowserSessions, CrossSiteRequestRefused, FORM_PURPOSE } from '#adapters/web/browser-sessions';
import { forgotPasswordPage, resetPasswordPage, verifyEmailPage } from '#adapters/web/recovery-pages';
import { MethodNotAllowed, NotFound, OAuthError } from '#core/errors';
import type { Logger } from '#core/logging';
import type { EmailVerification } from '#core/users/email-verification';
import type { PasswordRecovery } from '#core/users/password-recovery';
import { RESPONSE_FLOOR_MS, withFloor } from './recovery.ts';

export interface RecoveryPageDependencies {
  passwordRecovery: PasswordRecovery;
  emailVerification: EmailVerification;
  browserSessions: BrowserSessions;
  issuer: string;
  responseFloorMs?: number;
}

interface Visit {
  deps: RecoveryPageDependencies;
  request: HttpRequest;
  log: Logger;
  /** The form's CSRF token and the nonce cookie, if the browser needs one. */
  csrf: string;
  cookies: string[];
}

type Page = {
  show(visit: Visit): Promise<HttpResponse>;
  submit(visit: Visit, fields: Map<string, string>): Promise<HttpResponse>;
};

const tokenIn = (request: HttpRequest) => request.queryPairs().find(([name]) => name === 'token')?.[1];

const PAGES: Record<string, { purpose: string; page: Page }> = {
  '/verify_email': {
    purpose: FORM_PURPOSE.verifyEmail,
    page: {
      show: async ({ deps, request, csrf, cookies }) =>
        verifyEmailPage({ issuer: deps.issuer, csrf, token: tokenIn(request) }, { cookies }),
      submit: async ({ deps, log, csrf }, fields) => {
        const { email } = await deps.emailVerification.verify(fields.get('token'));
        log.info('email verified');
        return verifyEmailPage({
          issuer: deps.issuer,
          csrf,
          token: undefined,
          notice: `${email} is confirmed.`,
        });
      },
    },
  },
  '/forgot_password': {
    purpose: FORM_PURPOSE.forgotPassword,
    page: {
      show: async ({ deps, csrf, cookies }) => forgotPasswordPage({ issuer: deps.issuer, csrf }, { cookies }),
      submit: async ({ deps, request, csrf }, fields) => {
        await withFloor(deps.responseFloorMs ?? RESPONSE_FLOOR_MS, () =>
          deps.passwordRecovery.request(fields.get('identifier') ?? '', request.sourceAddress()),
        );
        return forgotPasswordPage({ issuer: deps.issuer, csrf, sent: true });
      },
    },
  },
  '/reset_password': {
    purpose: FORM_PURPOSE.resetPassword,
    page: {
      show: async ({ deps, request, csrf, cookies }) => {
        const token = tokenIn(request);
        const username = await deps.passwordRecovery.linkFor(token);
        return resetPasswordPage({ issuer: deps.issuer, csrf, token, username }, { cookies });
      },
      submit: async ({ deps, log, csrf }, fields) => {
        const token = fields.get('token');
        try {
          const { sub } = await deps.passwordRecovery.reset(token, fields.get('password') ?? '');
          log.info('password reset', { sub });
          return resetPasswordPage({ issuer: deps.issuer, csrf, token, username: undefined, done: true });
        } catch (error) {
          if (!(error instanceof OAuthError) || error.status >= 500) throw error;
          const username = await deps.passwordRecovery.linkFor(token);
          const view = { issuer: deps.issuer, csrf, token, username, error: error.description };
          return resetPasswordPage(view, { status: error.status });
        }
      },
    },
  },
};

/**
 * GET and POST /verify_email, /forgot_password and /reset_password: the recovery pages, before
 * sign-in. A GET only shows a form (a mailed link is followed by scanners too); the POST does it.
 */
export const createRecoveryPagesHandler = (deps: RecoveryPageDependencies, logger: Logger) =>
  httpHandler(
    async (request, log) => {
      const entry = PAGES[request.event.resource];
      if (!entry) throw new NotFound('No such page.');
      const { nonce, cookies } = deps.browserSessions.formNonce(request);
      const visit = {
        deps,
        request,
        log,
        csrf: deps.browserSessions.csrfToken(nonce, entry.purpose),
        cookies,
      };
      if (request.method === 'GET') return entry.page.show(visit);
      if (request.method !== 'POST') throw new MethodNotAllowed('Use GET or POST.');
      const fields = new Map(request.formPairs());
      deps.browserSessions.checkSameOrigin(request);
      try {
        deps.browserSessions.checkCsrf(
          deps.browserSessions.presentedNonce(request),
          entry.purpose,
          fields.get('csrf'),
        );
      } catch (error) {
        if (!(error instanceof CrossSiteRequestRefused)) throw error;
        // Most often a form that outlived its nonce cookie: a fresh one is the useful answer.
        return entry.page.show({ ...visit, request });
      }
      return entry.page.submit(visit, fields);
    },
    { logger, pages: true },
  );
