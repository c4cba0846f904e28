import type { HttpRequest } from '#adapters/http/request';
import type { HttpResponse } from '#adapters/http/responses';
import { type BrowserSessions, FORM_PURPOSE } from './browser-sessions.ts';
import { type SecondFactorView, secondFactorPage } from './recovery-pages.ts';
import { type Delivery, type SignInView, type SignUpView, signInPage, signUpPage } from './templates.ts';

/** What a sign-in or sign-up form shows; its CSRF token and the issuer are filled in here. */
export type SignInFields = Omit<SignInView, 'issuer' | 'csrf'>;
export type SignUpFields = Omit<SignUpView, 'issuer' | 'csrf'>;
/** How the form is sent; the nonce cookie is added when the browser needs one. */
export type FormDelivery = Omit<Delivery, 'cookies'>;

export interface FormSite {
  browserSessions: BrowserSessions;
  issuer: string;
}

/**
 * The sign-in and sign-up forms. No session exists yet to key their CSRF tokens, so the key is the
 * browser's form nonce; a browser without one gets the cookie that sets a new one with the page.
 */
export class AccountForms {
  constructor(private readonly site: FormSite) {}

  signIn(request: HttpRequest, fields: SignInFields, delivery: FormDelivery = {}): HttpResponse {
    const { csrf, cookies } = this.protection(request, FORM_PURPOSE.signIn);
    return signInPage({ issuer: this.site.issuer, csrf, ...fields }, { ...delivery, cookies });
  }

  signUp(request: HttpRequest, fields: SignUpFields, delivery: FormDelivery = {}): HttpResponse {
    const { csrf, cookies } = this.protection(request, FORM_PURPOSE.signUp);
    return signUpPage({ issuer: this.site.issuer, csrf, ...fields }, { ...delivery, cookies });
  }

  /** The second step of a sign-in: posted to /signin like the first, with the same kind of token. */
  secondFactor(
    request: HttpRequest,
    fields: Omit<SecondFactorView, 'issuer' | 'csrf'>,
    delivery: FormDelivery = {},
  ): HttpResponse {
    const { csrf, cookies } = this.protection(request, FORM_PURPOSE.signIn);
    return secondFactorPage({ issuer: this.site.issuer, csrf, ...fields }, { ...delivery, cookies });
  }

  /** The CSRF token of a form keyed by the browser's nonce, with the cookie that sets a new nonce if needed. */
  protection(request: HttpRequest, purpose: string): { csrf: string; cookies: string[] } {
    const { nonce, cookies } = this.site.browserSessions.formNonce(request);
    return { csrf: this.site.browserSessions.csrfToken(nonce, purpose), cookies };
  }
}
