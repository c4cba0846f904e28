/**
 * The pages of recovery and of the second sign-in step: confirm an email address, ask for a reset link,
 * choose a new password, enter a code. Plain forms with a CSRF token keyed by the form nonce (nobody is
 * signed in yet), every value escaped. A mailed link opens a form and only its POST uses the token, so
 * a mail scanner that follows links consumes nothing.
 */
import type { HttpResponse } from '#adapters/http/responses';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '#core/users/passwords';
import type { CarriedRequest } from './carried-request.ts';
import { REQUEST_FIELD } from './carried-request.ts';
import { html, page } from './html.ts';
import { alert, type Delivery, delivery, hidden } from './templates.ts';

interface FormView {
  issuer: string;
  csrf: string;
  error?: string | undefined;
  notice?: string | undefined;
}

const notice = (text: string | undefined) =>
  text === undefined ? '' : html`<p class="notice" role="status">${text}</p>`;

export function verifyEmailPage(view: FormView & { token: string | undefined }, options: Delivery = {}) {
  const content =
    view.token === undefined
      ? html`<h1>Confirm your email address</h1>${notice(view.notice)}${alert(view.error)}
<p><a href="${view.issuer}/account">Your account</a></p>`
      : html`<h1>Confirm your email address</h1>
${alert(view.error)}
<form method="post" action="${view.issuer}/verify_email">
${hidden('csrf', view.csrf)}${hidden('token', view.token)}
<button type="submit">Confirm my email address</button>
</form>`;
  return page(content, { title: 'Confirm your email address', ...delivery(options) });
}

export function forgotPasswordPage(
  view: FormView & { sent?: boolean },
  options: Delivery = {},
): HttpResponse {
  const content = view.sent
    ? html`<h1>Check your mail</h1>
<p class="notice" role="status">If an account matches and has a confirmed email address, a link to reset its password is on its way. It works once, for 30 minutes.</p>
<p><a href="${view.issuer}/signin">Back to sign in</a></p>`
    : html`<h1>Forgot your password?</h1>
<p class="lead">Enter your username or your email address. If the account has a confirmed email address, we mail a link to choose a new password.</p>
${alert(view.error)}
<form method="post" action="${view.issuer}/forgot_password">
${hidden('csrf', view.csrf)}
<label for="identifier">Username or email address</label>
<input type="text" id="identifier" name="identifier" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="254" autofocus>
<button type="submit">Send the link</button>
</form>
<p class="meta"><a href="${view.issuer}/signin">Back to sign in</a></p>`;
  return page(content, { title: 'Forgot your password?', ...delivery(options) });
}

export function resetPasswordPage(
  view: FormView & { token: string | undefined; username: string | undefined; done?: boolean },
  options: Delivery = {},
): HttpResponse {
  let content: ReturnType<typeof html>;
  if (view.done) {
    content = html`<h1>Your password is changed</h1>
<p class="notice" role="status">Every session of your account was signed out.</p>
<p><a href="${view.issuer}/signin">Sign in with the new password</a></p>`;
  } else if (view.token === undefined || view.username === undefined) {
    content = html`<h1>This link no longer works</h1>
${alert(view.error ?? 'The link has expired or was already used.')}
<p><a href="${view.issuer}/forgot_password">Ask for a new link</a></p>`;
  } else {
    content = html`<h1>Choose a new password</h1>
<p class="lead">For <strong>${view.username}</strong>. Setting it signs you out everywhere.</p>
${alert(view.error)}
<form method="post" action="${view.issuer}/reset_password">
${hidden('csrf', view.csrf)}${hidden('token', view.token)}
<input type="text" name="username" value="${view.username}" autocomplete="username" hidden>
<label for="password">New password</label>
<input type="password" id="password" name="password" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}" maxlength="${MAX_PASSWORD_LENGTH}" autofocus>
<button type="submit">Set the new password</button>
</form>`;
  }
  return page(content, { title: 'Reset your password', ...delivery(options) });
}

export interface SecondFactorView extends FormView {
  mfaToken: string;
  request?: CarriedRequest | undefined;
  /** `recovery`: the form asks for a recovery code instead of the app's code. */
  mode: 'totp' | 'recovery';
  /** The user has a passkey: the page offers it instead of a code. */
  passkey?: boolean | undefined;
}

/** The second step of a sign-in: the password was right, the code opens the session. */
export function secondFactorPage(view: SecondFactorView, options: Delivery = {}): HttpResponse {
  const input =
    view.mode === 'totp'
      ? html`<label for="code">Code from your authenticator app</label>
<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" required maxlength="7" autofocus>`
      : html`<label for="recovery_code">Recovery code</label>
<input type="text" id="recovery_code" name="recovery_code" autocomplete="off" autocapitalize="none" spellcheck="false" required maxlength="40" autofocus>`;
  const other = view.mode === 'totp' ? 'Use a recovery code instead' : 'Use the authenticator app instead';
  const content = html`<h1>Enter your code</h1>
${notice(view.notice)}${alert(view.error)}
<form method="post" action="${view.issuer}/signin">
${hidden('csrf', view.csrf)}${hidden('mfa_token', view.mfaToken)}${view.request ? hidden(REQUEST_FIELD, view.request.query) : ''}
${input}
<button type="submit">Sign in</button>
</form>
<form method="post" action="${view.issuer}/signin">
${hidden('csrf', view.csrf)}${hidden('mfa_token', view.mfaToken)}${view.request ? hidden(REQUEST_FIELD, view.request.query) : ''}${hidden('mode', view.mode === 'totp' ? 'recovery' : 'totp')}
<button type="submit" class="secondary">${other}</button>
</form>
${
  view.passkey
    ? html`<form method="post" action="${view.issuer}/signin">
${hidden('csrf', view.csrf)}${hidden('mfa_token', view.mfaToken)}${view.request ? hidden(REQUEST_FIELD, view.request.query) : ''}
<button type="submit" class="secondary" name="passkey" value="start">Use a passkey instead</button>
</form>`
    : ''
}`;
  return page(content, {
    title: 'Enter your code',
    formActions: view.request?.formActions ?? [],
    ...delivery(options),
  });
}
