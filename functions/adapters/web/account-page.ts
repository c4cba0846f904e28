/**
 * The account page: profile, email address and its status, password, the authenticator app (TOTP),
 * passkeys, * the sessions with a sign-out for each, and deleting the account. One page of plain forms, each posted
 * to /account with an `action` and the session's CSRF token; the TOTP QR code is inline SVG (no script,
 * no image request), with the secret as text beside it.
 */

import { renderSVG } from 'uqr';
import type { HttpResponse } from '#adapters/http/responses';
import type { SessionSummary } from '#core/users/account-sessions';
import type { PasskeyRecord } from '#core/users/passkeys';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '#core/users/passwords';
import { html, page, SafeHtml } from './html.ts';
import { passkeysSection } from './passkey-pages.ts';
import { alert, type Delivery, delivery, hidden, profileInputs } from './templates.ts';

export interface AccountView {
  issuer: string;
  username: string;
  email?: string | undefined;
  emailVerified?: boolean | undefined;
  name?: string | undefined;
  csrf: string;
  totp: 'on' | 'off' | { secret: string; uri: string };
  sessions: SessionSummary[];
  passkeys: PasskeyRecord[];
  currentSessionId: string;
  error?: string | undefined;
  notice?: string | undefined;
}

const form = (view: AccountView, action: string, content: SafeHtml | string, label: string, cls = '') =>
  html`<form method="post" action="${view.issuer}/account">
${hidden('csrf', view.csrf)}${hidden('action', action)}
${content}
<button type="submit"${cls ? html` class="${cls}"` : ''}>${label}</button>
</form>`;

const passwordInput = (id: string, label: string, autocomplete: string) =>
  html`<label for="${id}">${label}</label>
<input type="password" id="${id}" name="${id}" autocomplete="${autocomplete}" required maxlength="${MAX_PASSWORD_LENGTH}">`;

const when = (seconds: number) => new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16);

function emailStatus(view: AccountView) {
  if (view.email === undefined)
    return html`<p class="hint">No email address: add one to be able to reset a forgotten password.</p>`;
  if (view.emailVerified) return html`<p>${view.email} is <strong>verified</strong>.</p>`;
  return html`<p>${view.email} is <strong>not verified yet</strong>. Follow the link we sent to it.</p>
${form(view, 'resend_verification', '', 'Send the link again', 'secondary')}`;
}

function totpSection(view: AccountView) {
  if (view.totp === 'on') {
    return html`<p>Signing in asks for a code from your authenticator app (or a recovery code).</p>
${form(view, 'totp_disable', passwordInput('totp_password', 'Your password', 'current-password'), 'Turn off', 'secondary')}`;
  }
  if (view.totp === 'off') {
    return html`<p>Add a second step to signing in: a code from an authenticator app.</p>
${form(view, 'totp_start', '', 'Set up an authenticator app')}`;
  }
  const qr = new SafeHtml(renderSVG(view.totp.uri, { pixelSize: 4, border: 2 }));
  return html`<p>Scan this code with your authenticator app, or type the key below into it.</p>
<div class="qr" role="img" aria-label="QR code of the key">${qr}</div>
<p>Key: <span class="secret" id="totp-secret">${view.totp.secret}</span></p>
${form(
  view,
  'totp_confirm',
  html`<label for="code">The six-digit code the app shows</label>
<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" required maxlength="7">`,
  'Turn on',
)}`;
}

function sessionsSection(view: AccountView) {
  return html`<ul class="sessions">
${view.sessions.map(
  (session) =>
    html`<li>Signed in ${when(session.createdAt)} UTC${session.amr?.includes('mfa') ? ' with a second factor' : ''}${
      session.sessionId === view.currentSessionId
        ? html` <strong>(this browser)</strong>`
        : form(
            view,
            'end_session',
            hidden('session_id', session.sessionId),
            'Sign out this session',
            'secondary',
          )
    }</li>`,
)}
</ul>`;
}

export function accountPage(view: AccountView, options: Delivery = {}): HttpResponse {
  const notice = view.notice === undefined ? '' : html`<p class="notice" role="status">${view.notice}</p>`;
  const content = html`<h1>Your account</h1>
<p class="lead">Signed in as <strong>${view.username}</strong>. Apps you allow to see your profile or email address get what you enter here.</p>
${notice}${alert(view.error)}
${form(view, 'profile', html`${profileInputs(view)}<p class="hint">Leave a field empty to remove it. A new email address is sent a link to confirm it.</p>`, 'Save')}
<section><h2>Email address</h2>${emailStatus(view)}</section>
<section><h2>Password</h2>
${form(
  view,
  'change_password',
  html`${passwordInput('current_password', 'Current password', 'current-password')}
<label for="new_password">New password</label>
<input type="password" id="new_password" name="new_password" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}" maxlength="${MAX_PASSWORD_LENGTH}">
<p class="hint">Changing it signs out your other sessions.</p>`,
  'Change password',
)}</section>
<section><h2>Authenticator app</h2>${totpSection(view)}</section>
<section><h2>Passkeys</h2>${passkeysSection(view.passkeys, (action, content, label, cls) => form(view, action, content, label, cls))}</section>
<section><h2>Sessions</h2>${sessionsSection(view)}</section>
<section><h2>Delete account</h2>
<p>Deletes your account, your apps, and every approval and token, at once. This cannot be undone.</p>
${form(view, 'delete_account', passwordInput('delete_password', 'Your password', 'current-password'), 'Delete my account', 'danger')}
${view.passkeys.length > 0 && form(view, 'delete_passkey_start', '', 'Delete my account with a passkey instead', 'secondary')}</section>
<p class="meta"><a href="${view.issuer}/signout">Sign out</a></p>`;
  return page(content, { title: 'Your account', ...delivery(options) });
}

/** Shown once, right after TOTP is confirmed: the recovery codes are never shown again. */
export function recoveryCodesPage(view: { issuer: string; codes: string[] }): HttpResponse {
  const content = html`<h1>Save your recovery codes</h1>
<p class="notice" role="status">The authenticator app is on.</p>
<p>If you lose the app, each of these codes signs you in once instead of a code from it. Keep them somewhere safe: they are shown only now.</p>
<ul class="codes" id="recovery-codes">
${view.codes.map((code) => html`<li>${code}</li>`)}
</ul>
<p><a href="${view.issuer}/account">Back to your account</a></p>`;
  return page(content, { title: 'Recovery codes' });
}

export function accountDeletedPage(view: { issuer: string }, options: Delivery = {}): HttpResponse {
  const content = html`<h1>Your account is deleted</h1>
<p class="notice" role="status">Your account, your apps and every approval and token are gone.</p>
<p><a href="${view.issuer}/signup">Create a new account</a></p>`;
  return page(content, { title: 'Account deleted', ...delivery(options) });
}
