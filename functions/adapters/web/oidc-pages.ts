/**
 * The page OpenID Connect adds: the confirmation of an RP-initiated logout. Built like every other page
 * (templates.ts): a plain form, a CSRF token, every value escaped.
 */
import type { HttpResponse } from '#adapters/http/responses';
import { html, page } from './html.ts';
import { hidden } from './templates.ts';

export interface LogoutConfirmationView {
  issuer: string;
  username: string;
  /** The app that asked, when it is known. */
  clientName: string | undefined;
  /** The logout request's own parameters, posted back with the confirmation. */
  fields: Record<string, string>;
  csrf: string;
  /** The origin the browser is sent to afterwards, which the form's redirect needs in `form-action`. */
  formActions: string[];
}

/** GET /end_session without a hint for this session: signing out is the user's decision. */
export function logoutConfirmationPage(view: LogoutConfirmationView): HttpResponse {
  // Isolated like every client name (templates.ts): its characters cannot reorder the sentence.
  const asking = view.clientName
    ? html`<strong><bdi class="client">${view.clientName}</bdi></strong> asks to sign you out of tinyoauth.`
    : html`An app asks to sign you out of tinyoauth.`;
  const content = html`<h1>Sign out?</h1>
<p class="lead">Signed in as <strong>${view.username}</strong>. ${asking}</p>
<p>Signing out also ends the access of apps you approved while signed in here.</p>
<form method="post" action="${view.issuer}/end_session">
${Object.entries(view.fields).map(([name, value]) => hidden(name, value))}
${hidden('csrf', view.csrf)}
<button type="submit">Sign out</button>
</form>
<p class="meta">To stay signed in, close this page.</p>`;
  return page(content, { title: 'Sign out', formActions: view.formActions });
}
