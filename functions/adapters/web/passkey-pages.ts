/**
 * The passkey forms: the step that runs a ceremony (registering one on the account page, signing in
 * with one on the sign-in page), and the account page's list of passkeys. A ceremony form is a plain
 * form posted with its CSRF token; the passkey script (adapters/web/scripts) runs the ceremony with the
 * options in `data-options` and fills in `credential` before it is sent. Only these pages allow that
 * script, by its URL.
 */
import type { HttpResponse } from '#adapters/http/responses';
import { PASSKEY_SCRIPT_PATH } from '#contract/pages';
import { MAX_PASSKEY_NAME_LENGTH } from '#core/users/passkey-names';
import type { PasskeyRecord } from '#core/users/passkeys';
import { type CarriedRequest, REQUEST_FIELD } from './carried-request.ts';
import { html, page, type SafeHtml } from './html.ts';
import { alert, type Delivery, delivery, hidden } from './templates.ts';

export interface PasskeyCeremonyView {
  issuer: string;
  csrf: string;
  /** The ceremony's options, as JSON, from the core. */
  options: unknown;
  error?: string | undefined;
}

const when = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

/** The form that runs a ceremony: the fields it posts besides the browser's `credential`. */
const ceremonyForm = (
  view: PasskeyCeremonyView & { action: string; ceremony: 'register' | 'authenticate' },
  fields: SafeHtml,
  label: string,
) => html`<form method="post" action="${view.action}" data-passkey="${view.ceremony}" data-options="${JSON.stringify(view.options)}">
${hidden('csrf', view.csrf)}${fields}<input type="hidden" name="credential" value="">
<p class="alert passkey-problem" role="alert" hidden></p>
<button type="submit" id="passkey-continue">${label}</button>
</form>`;

const scripts = (issuer: string) => [`${issuer}${PASSKEY_SCRIPT_PATH}`];

/**
 * Signing in with a passkey: alone (the browser offers the passkeys it holds for this site), or as the
 * second step after the password (`mfaToken`: one of the user's passkeys).
 */
export function passkeySignInPage(
  view: PasskeyCeremonyView & { request?: CarriedRequest | undefined; mfaToken?: string | undefined },
  options: Delivery = {},
): HttpResponse {
  const carried = view.request ? hidden(REQUEST_FIELD, view.request.query) : '';
  const step = view.mfaToken === undefined ? '' : hidden('mfa_token', view.mfaToken);
  const title = view.mfaToken === undefined ? 'Sign in with a passkey' : 'Confirm with your passkey';
  const content = html`<h1>${title}</h1>
${alert(view.error)}
<p class="lead">Your browser or device asks which passkey to use.</p>
${ceremonyForm({ ...view, action: `${view.issuer}/signin`, ceremony: 'authenticate' }, html`${carried}${step}${hidden('passkey', 'finish')}`, 'Use a passkey')}
<p class="meta"><a href="${view.issuer}/signin${view.request ? `?${view.request.query}` : ''}">Sign in with a password instead</a></p>`;
  return page(content, {
    title,
    formActions: view.request?.formActions ?? [],
    scripts: scripts(view.issuer),
    ...delivery(options),
  });
}

/** Registering a passkey, named already: the browser or device creates it. */
export function passkeyRegistrationPage(view: PasskeyCeremonyView & { name: string }): HttpResponse {
  const fields = html`${hidden('action', 'passkey_finish')}${hidden('passkey_name', view.name)}`;
  const content = html`<h1>Add a passkey</h1>
${alert(view.error)}
<p class="lead">Your browser or device creates the passkey <strong>${view.name}</strong> for your account.</p>
${ceremonyForm({ ...view, action: `${view.issuer}/account`, ceremony: 'register' }, fields, 'Create the passkey')}
<p class="meta"><a href="${view.issuer}/account">Back to your account</a></p>`;
  return page(content, { title: 'Add a passkey', scripts: scripts(view.issuer) });
}

/** Deleting the account after a passkey's re-check instead of the password's. */
export function passkeyDeletionPage(view: PasskeyCeremonyView): HttpResponse {
  const content = html`<h1>Delete your account</h1>
${alert(view.error)}
<p class="lead">Confirm with one of your passkeys. This deletes your account, your apps, and every approval and token, at once.</p>
${ceremonyForm({ ...view, action: `${view.issuer}/account`, ceremony: 'authenticate' }, hidden('action', 'delete_passkey_finish'), 'Confirm and delete my account')}
<p class="meta"><a href="${view.issuer}/account">Back to your account</a></p>`;
  return page(content, { title: 'Delete your account', scripts: scripts(view.issuer) });
}

/** The account page's section: each passkey with a removal form, and a form to add one by name. */
export function passkeysSection(
  passkeys: PasskeyRecord[],
  form: (action: string, content: SafeHtml, label: string, cls?: string) => SafeHtml,
): SafeHtml {
  const kind = (passkey: PasskeyRecord) => (passkey.kind === 'swk' ? 'synced' : 'on one device');
  return html`<p>Sign in with your fingerprint, face, screen lock or security key instead of a password.</p>
<ul class="sessions" id="passkeys">
${passkeys.map(
  (passkey) =>
    html`<li><strong>${passkey.name}</strong>, added ${when(passkey.createdAt)} (${kind(passkey)})${form(
      'passkey_remove',
      hidden('credential_id', passkey.credentialId),
      `Remove ${passkey.name}`,
      'secondary',
    )}</li>`,
)}
</ul>
${form(
  'passkey_start',
  html`<label for="passkey_name">Name of the new passkey</label>
<input type="text" id="passkey_name" name="passkey_name" required maxlength="${MAX_PASSKEY_NAME_LENGTH}" placeholder="My phone">`,
  'Add a passkey',
)}`;
}

/** The browser's response, as the passkey script posts it (JSON); undefined when it is not JSON. */
export function parseCredential(value: string | undefined): unknown {
  if (value === undefined || value.length > 64 * 1024) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}
