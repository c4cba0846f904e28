/**
 * The pages themselves: sign-in, sign-up, consent, signed-in and sign-out. Each is a plain form with
 * labelled inputs and a hidden CSRF token; everything they show from a request or a record goes
 * through the `html` tag, so it is escaped.
 */

import type { HttpResponse } from '#adapters/http/responses';
import type { ClientRecord } from '#core/clients/records';
import { parseScope } from '#core/scopes';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '#core/users/passwords';
import { MAX_EMAIL_LENGTH, MAX_NAME_LENGTH } from '#core/users/profile';
import { USERNAME_RULE } from '#core/users/usernames';
import { type CarriedRequest, clientLabel, REQUEST_FIELD, withLoginPrompt } from './carried-request.ts';
import { html, page, type SafeHtml } from './html.ts';

/** How a page is sent: status, cookies to set, extra headers. */
export interface Delivery {
  status?: number;
  cookies?: string[];
  headers?: Record<string, string>;
}

export const delivery = (options: Delivery) => ({
  ...(options.status === undefined ? {} : { status: options.status }),
  ...(options.cookies ? { cookies: options.cookies } : {}),
  ...(options.headers ? { headers: options.headers } : {}),
});

/** "15 minutes", rounded up, from a Retry-After in seconds. */
export function retryAfterText(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return minutes === 1 ? 'a minute' : `${minutes} minutes`;
}

export const alert = (message: string | undefined) =>
  message === undefined ? '' : html`<p class="alert" role="alert" id="form-error">${message}</p>`;

export const hidden = (name: string, value: string) =>
  html`<input type="hidden" name="${name}" value="${value}">`;

const requestField = (request: CarriedRequest | undefined) =>
  request ? hidden(REQUEST_FIELD, request.query) : '';

const withQuery = (url: string, query: string | undefined) => (query ? `${url}?${query}` : url);

/**
 * A client's name as shown in a page: isolated (`<bdi>`), so that whatever direction its characters
 * take, the text around it keeps its own order. Registration refuses direction controls in names; this
 * keeps a name stored before that, or one in a right-to-left script, from rearranging the sentence.
 */
const clientName = (client: ClientRecord): SafeHtml => html`<bdi class="client">${clientLabel(client)}</bdi>`;

/** The same, where no markup can go (a page title): between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE. */
const isolatedText = (text: string): string => `\u2068${text}\u2069`;

const continuingTo = (request: CarriedRequest | undefined) =>
  request ? html`<p class="lead">to continue to <strong>${clientName(request.client)}</strong></p>` : '';

export interface SignInView {
  issuer: string;
  request?: CarriedRequest | undefined;
  csrf: string;
  username?: string | undefined;
  error?: string | undefined;
  notice?: string | undefined;
}

export function signInPage(view: SignInView, options: Delivery = {}): HttpResponse {
  const invalid = view.error === undefined ? '' : html` aria-invalid="true" aria-describedby="form-error"`;
  const content = html`<h1>Sign in</h1>
${continuingTo(view.request)}
${view.notice === undefined ? '' : html`<p class="notice" role="status">${view.notice}</p>`}
${alert(view.error)}
<form method="post" action="${view.issuer}/signin">
${hidden('csrf', view.csrf)}
${requestField(view.request)}
<label for="username">Username</label>
<input type="text" id="username" name="username" value="${view.username ?? ''}" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="256"${invalid}${view.username ? '' : ' autofocus'}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required maxlength="512"${invalid}${view.username ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
<button type="submit" class="secondary" id="passkey-sign-in" name="passkey" value="start" formnovalidate>Sign in with a passkey</button>
</form>
<p class="meta"><a href="${view.issuer}/forgot_password">Forgot your password?</a></p>
<p class="meta">New to tinyoauth? <a href="${withQuery(`${view.issuer}/signup`, view.request?.query)}">Create an account</a></p>`;
  return page(content, {
    title: 'Sign in',
    formActions: view.request?.formActions ?? [],
    ...delivery(options),
  });
}

export interface SignUpView {
  issuer: string;
  request?: CarriedRequest | undefined;
  csrf: string;
  username?: string | undefined;
  /** The optional profile, shown again when the form comes back with an error. */
  email?: string | undefined;
  name?: string | undefined;
  error?: string | undefined;
}

/** The optional email and name inputs of the sign-up and account pages. */
export const profileInputs = (values: { email?: string | undefined; name?: string | undefined }) =>
  html`<label for="name">Name <span class="hint">(optional)</span></label>
<input type="text" id="name" name="name" value="${values.name ?? ''}" autocomplete="name" maxlength="${MAX_NAME_LENGTH}">
<label for="email">Email address <span class="hint">(optional)</span></label>
<input type="email" id="email" name="email" value="${values.email ?? ''}" autocomplete="email" autocapitalize="none" spellcheck="false" maxlength="${MAX_EMAIL_LENGTH}">`;

export function signUpPage(view: SignUpView, options: Delivery = {}): HttpResponse {
  const invalid = view.error === undefined ? '' : html` aria-invalid="true"`;
  const content = html`<h1>Create an account</h1>
${continuingTo(view.request)}
${alert(view.error)}
<form method="post" action="${view.issuer}/signup">
${hidden('csrf', view.csrf)}
${requestField(view.request)}
<label for="username">Username</label>
<input type="text" id="username" name="username" value="${view.username ?? ''}" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="256" aria-describedby="username-rule"${invalid}${view.username ? '' : ' autofocus'}>
<p class="hint" id="username-rule">${USERNAME_RULE}</p>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="new-password" required minlength="${MIN_PASSWORD_LENGTH}" maxlength="${MAX_PASSWORD_LENGTH}" aria-describedby="password-rule"${invalid}${view.username ? ' autofocus' : ''}>
<p class="hint" id="password-rule">${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters. A few unrelated words make a good one.</p>
<label for="password_again">Repeat the password</label>
<input type="password" id="password_again" name="password_again" autocomplete="new-password" required maxlength="${MAX_PASSWORD_LENGTH}"${invalid}>
${profileInputs(view)}
<button type="submit">Create account</button>
</form>
<p class="meta">Already have an account? <a href="${withQuery(`${view.issuer}/signin`, view.request?.query)}">Sign in</a></p>`;
  return page(content, {
    title: 'Create an account',
    formActions: view.request?.formActions ?? [],
    ...delivery(options),
  });
}

/** What the scopes tinyoauth ships with let an app do, in words a user can judge. */
const SCOPE_DESCRIPTIONS: Record<string, string> = {
  read: 'Read your data',
  write: 'Create, change and delete your data',
  openid: 'Sign you in with your tinyoauth account',
  profile: 'See your username and name',
  email: 'See your email address',
};

export interface ConsentView {
  issuer: string;
  request: CarriedRequest;
  /** The scope that will be granted (the validated one, not necessarily what was asked for). */
  scope: string;
  /** The authorization request's pairs, re-sent as hidden fields. */
  fields: [string, string][];
  username: string;
  csrf: string;
}

export function consentPage(view: ConsentView, options: Delivery = {}): HttpResponse {
  const client = clientName(view.request.client);
  const scopes = parseScope(view.scope);
  const destination = new URL(view.request.redirectUri).host;
  const content = html`<h1>Allow ${client} to use your account?</h1>
<p class="lead">Signed in as <strong>${view.username}</strong>.</p>
<p><strong>${client}</strong> will be able to:</p>
<ul class="scopes">
${scopes.map((scope) => html`<li>${SCOPE_DESCRIPTIONS[scope] ?? 'Use the scope'} (<code>${scope}</code>)</li>`)}
</ul>
<form method="post" action="${view.issuer}/authorize">
${view.fields.map(([name, value]) => hidden(name, value))}
${hidden('csrf', view.csrf)}
<button type="submit" name="decision" value="approve">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>
<p class="meta">Either way you go back to <strong class="client">${destination}</strong>. Not ${view.username}? <a href="${view.issuer}/signin?${withLoginPrompt(view.request.query)}">Use another account</a>.</p>`;
  return page(content, {
    title: `Allow ${isolatedText(clientLabel(view.request.client))}?`,
    formActions: view.request.formActions,
    ...delivery(options),
  });
}

const signOutForm = (issuer: string, csrf: string, label: string): SafeHtml =>
  html`<form method="post" action="${issuer}/signout">
${hidden('csrf', csrf)}
<button type="submit">${label}</button>
</form>`;

/** GET /signin when already signed in and no app is waiting. */
export function signedInPage(view: { issuer: string; username: string; csrf: string }): HttpResponse {
  const content = html`<h1>You are signed in</h1>
<p class="lead">Signed in as <strong>${view.username}</strong>. Apps that send you here will ask before they get access.</p>
<p><a href="${view.issuer}/account">Your account</a></p>
${signOutForm(view.issuer, view.csrf, 'Sign out')}`;
  return page(content, { title: 'Signed in' });
}

/** GET /signout: a button, because signing out by merely following a link could be forged. */
export function signOutPage(view: {
  issuer: string;
  username: string | undefined;
  csrf: string | undefined;
}) {
  const content =
    view.username === undefined || view.csrf === undefined
      ? html`<h1>You are not signed in</h1>
<p class="lead">There is no tinyoauth session in this browser.</p>
<p><a href="${view.issuer}/signin">Sign in</a></p>`
      : html`<h1>Sign out?</h1>
<p class="lead">Signed in as <strong>${view.username}</strong>.</p>
<p>Signing out also ends the access of apps you approved while signed in here.</p>
${signOutForm(view.issuer, view.csrf, 'Sign out')}`;
  return page(content, { title: 'Sign out' });
}

export function signedOutPage(view: { issuer: string }, options: Delivery = {}): HttpResponse {
  const content = html`<h1>You have signed out</h1>
<p class="notice" role="status">Your tinyoauth session in this browser has ended.</p>
<p><a href="${view.issuer}/signin">Sign in again</a></p>`;
  return page(content, { title: 'Signed out', ...delivery(options) });
}
