import type { HttpRequest } from '#adapters/http/request';
import { type HttpResponse, seeOther } from '#adapters/http/responses';
import type { AccountForms } from '#adapters/web/account-forms';
import { FORM_PURPOSE } from '#adapters/web/browser-sessions';
import { type CarriedRequest, continuation } from '#adapters/web/carried-request';
import { parseCredential, passkeySignInPage } from '#adapters/web/passkey-pages';
import { retryAfterText } from '#adapters/web/templates';
import { InvalidRequest, TooManyAttempts } from '#core/errors';
import type { Logger } from '#core/logging';
import type { Parameters } from '#core/oauth/parameters';
import { AccountDisabled, InvalidCredentials, SignInExpired } from '#core/users/accounts';
import type { Passkeys } from '#core/users/passkeys';
import type { AccountPageDependencies } from './dependencies.ts';

export interface PasskeyStep {
  fields: Parameters;
  carried: CarriedRequest | undefined;
  /** The second step of a password sign-in, when the form carries its MFA token. */
  mfaToken: string | undefined;
}

/** What the sign-in page says of a refusal, with its status; undefined for what is not a refusal. */
function refusal(
  error: unknown,
): { text: string; status: number; headers?: Record<string, string> } | undefined {
  if (error instanceof AccountDisabled)
    return { text: 'This account is disabled. Ask the service for help.', status: 403 };
  if (error instanceof TooManyAttempts) {
    const text = `Too many failed attempts. Try again in ${retryAfterText(error.retryAfterSeconds)}.`;
    return { text, status: 429, headers: error.headers };
  }
  if (error instanceof InvalidCredentials) return { text: error.description, status: 401 };
  return undefined;
}

/**
 * A passkey on the sign-in page, alone or as the second step after the password. `passkey=start` shows
 * the ceremony's form (its options hold a new challenge); `passkey=finish` verifies the browser's
 * response and opens the session, or shows the form again with a new challenge and what went wrong.
 */
export async function passkeySignIn(
  site: { deps: AccountPageDependencies; forms: AccountForms; passkeys: Passkeys },
  request: HttpRequest,
  log: Logger,
  step: PasskeyStep,
): Promise<HttpResponse> {
  const { deps, forms, passkeys } = site;
  const { fields, carried, mfaToken } = step;
  const ceremony = async (
    error?: string,
    delivery: { status?: number; headers?: Record<string, string> } = {},
  ) => {
    const { csrf, cookies } = forms.protection(request, FORM_PURPOSE.signIn);
    const options =
      mfaToken === undefined ? await passkeys.signInOptions() : await passkeys.secondFactorOptions(mfaToken);
    const view = { issuer: deps.issuer, csrf, options, request: carried, mfaToken, error };
    return passkeySignInPage(view, { ...delivery, cookies });
  };
  try {
    if (fields.get('passkey') !== 'finish') return await ceremony();
    const response = parseCredential(fields.get('credential'));
    const { token, session } =
      mfaToken === undefined
        ? await passkeys.signIn(response)
        : await passkeys.completeSignIn(mfaToken, response);
    return seeOther(continuation(deps.issuer, carried), deps.browserSessions.sessionCookies(token, session));
  } catch (error) {
    if (error instanceof SignInExpired || error instanceof InvalidRequest) {
      return forms.signIn(request, { request: carried, error: error.description }, { status: error.status });
    }
    const refused = refusal(error);
    if (!refused) throw error;
    log.info('passkey sign-in refused', { code: (error as InvalidCredentials).code });
    return ceremony(refused.text, {
      status: refused.status,
      ...(refused.headers ? { headers: refused.headers } : {}),
    });
  }
}
