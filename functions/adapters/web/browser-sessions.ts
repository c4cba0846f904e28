/**
 * Browser sessions: the session token from /login, carried in a cookie instead of an Authorization
 * header, so a browser that is redirected to /authorize is recognised. The cookie holds the same JWT
 * and is checked against the same session record, so POST /logout, the sign-out page and revocation
 * end the bearer token and the cookie alike. It is the account's master credential, so it is set once
 * per page path (contract/pages.ts) and sent nowhere else: never to the backends under /protected.
 *
 * Forms are protected against cross-site request forgery three ways: every cookie is `SameSite=Lax`
 * (a cross-site POST carries none); every POST must carry a token that is an HMAC, keyed with a secret
 * only this browser holds (the session token, or before sign-in a random nonce cookie), of what the
 * form is for; and a POST whose `Origin` or `Sec-Fetch-Site` names another site is refused outright.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { HttpRequest } from '#adapters/http/request';
import { PAGE_PATHS } from '#contract/pages';
import { type Clock, epochSeconds } from '#core/clock';
import { InvalidToken, OAuthError } from '#core/errors';
import { isLoopbackHost } from '#core/loopback';
import type { ReadAheadRecords } from '#core/oauth/read-ahead';
import { constantTimeEqual } from '#core/secrets';
import type { SessionRecord } from '#core/users/records';
import type { Sessions } from '#core/users/sessions';

/** A form that did not come from a tinyoauth page in this browser (or came too late). */
export class CrossSiteRequestRefused extends OAuthError {
  readonly status = 403;
  readonly code = 'access_denied';
}

/** What each form's CSRF token is for, so that a token of one form is useless in another. */
export const FORM_PURPOSE = {
  signIn: 'signin',
  signUp: 'signup',
  signOut: 'signout',
  account: 'account',
  /** The pages of recovery, before sign-in (keyed by the form nonce). */
  verifyEmail: 'verify_email',
  forgotPassword: 'forgot_password',
  resetPassword: 'reset_password',
  /** Per client, so that approving one app can never be replayed as approving another. */
  consent: (clientId: string) => `consent:${clientId}`,
} as const;

/** How long a sign-in or sign-up form stays usable before it must be reloaded. */
export const FORM_NONCE_TTL_SECONDS = 3600;

const NONCE = /^[A-Za-z0-9_-]{43}$/;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface BrowserSession {
  session: SessionRecord;
  /** The session token the cookie carried; also the key of the session's CSRF tokens. */
  token: string;
}

export interface BrowserSessionDependencies {
  sessions: Sessions;
  issuer: string;
  clock: Clock;
}

export class BrowserSessions {
  /** `Secure` everywhere but a plain-http loopback issuer (`npm start`), where browsers could not keep it. */
  readonly secure: boolean;
  /** The API's base path (the issuer's path), where earlier versions scoped the cookies. */
  readonly path: string;
  /** The page paths below it (contract/pages.ts): the only paths the cookies are sent to. */
  readonly pagePaths: readonly string[];
  /** The issuer's origin: the only one a form may be posted from. */
  readonly origin: string;
  readonly sessionCookieName: string;
  readonly nonceCookieName: string;

  constructor(private readonly deps: BrowserSessionDependencies) {
    const issuer = new URL(deps.issuer);
    this.secure = !(issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname));
    const base = issuer.pathname.replace(/\/+$/, '');
    this.path = base || '/';
    this.pagePaths = PAGE_PATHS.map((page) => `${base}${page}`);
    this.origin = issuer.origin;
    // `__Secure-` names can only be set by a secure origin, so plain-http neighbours cannot plant them.
    const prefix = this.secure ? '__Secure-' : '';
    this.sessionCookieName = `${prefix}tinyoauth_session`;
    this.nonceCookieName = `${prefix}tinyoauth_form`;
  }

  /** The session token the cookie carries, if it is shaped like one. */
  sessionToken(request: HttpRequest): string | undefined {
    const token = request.cookies().get(this.sessionCookieName);
    return token !== undefined && JWT.test(token) ? token : undefined;
  }

  /**
   * The live session the request's cookie stands for, or undefined (no cookie, ended, forged, expired).
   * `found`: the session, when it was read ahead with the client (core/oauth/read-ahead.ts).
   */
  async current(request: HttpRequest, found?: ReadAheadRecords): Promise<BrowserSession | undefined> {
    const token = this.sessionToken(request);
    if (token === undefined) return undefined;
    try {
      return { session: await this.deps.sessions.authenticate(token, found), token };
    } catch (error) {
      if (error instanceof InvalidToken) return undefined;
      throw error;
    }
  }

  private cookie(name: string, value: string, options: { path: string; maxAgeSeconds: number }): string {
    const attributes = [
      `${name}=${value}`,
      `Path=${options.path}`,
      `Max-Age=${Math.max(0, options.maxAgeSeconds)}`,
    ];
    attributes.push('HttpOnly');
    if (this.secure) attributes.push('Secure');
    attributes.push('SameSite=Lax');
    return attributes.join('; ');
  }

  /** One cookie per page path, all alike: together they reach every page and nothing else. */
  private pageCookies(name: string, value: string, maxAgeSeconds: number): string[] {
    return this.pagePaths.map((path) => this.cookie(name, value, { path, maxAgeSeconds }));
  }

  /**
   * The session cookies, living exactly as long as the session does, behind the removal of a session
   * cookie an earlier version set on the whole API (and so on `/protected/*` too).
   */
  sessionCookies(token: string, session: SessionRecord): string[] {
    const lifetime = session.expiresAt - epochSeconds(this.deps.clock);
    return [this.legacySessionCookieRemoval(), ...this.pageCookies(this.sessionCookieName, token, lifetime)];
  }

  /** Ends the session cookie everywhere it can be: on every page path and on the whole API. */
  clearSessionCookies(): string[] {
    return [this.legacySessionCookieRemoval(), ...this.pageCookies(this.sessionCookieName, '', 0)];
  }

  private legacySessionCookieRemoval(): string {
    return this.cookie(this.sessionCookieName, '', { path: this.path, maxAgeSeconds: 0 });
  }

  /**
   * The secret that keys the CSRF token of a sign-in or sign-up form, before any session exists: the
   * browser's nonce cookie, or a new nonce with the cookies that set it.
   */
  formNonce(request: HttpRequest): { nonce: string; cookies: string[] } {
    const existing = request.cookies().get(this.nonceCookieName);
    if (existing !== undefined && NONCE.test(existing)) return { nonce: existing, cookies: [] };
    const nonce = randomBytes(32).toString('base64url');
    return { nonce, cookies: this.pageCookies(this.nonceCookieName, nonce, FORM_NONCE_TTL_SECONDS) };
  }

  /** The nonce the browser holds, if any (a form post must not mint one). */
  presentedNonce(request: HttpRequest): string | undefined {
    const nonce = request.cookies().get(this.nonceCookieName);
    return nonce !== undefined && NONCE.test(nonce) ? nonce : undefined;
  }

  /** The token a form for `purpose` carries; only a holder of `key` can compute it. */
  csrfToken(key: string, purpose: string): string {
    return createHmac('sha256', key).update(`tinyoauth-form\u0000${purpose}`, 'utf8').digest('base64url');
  }

  /** Throws CrossSiteRequestRefused unless `presented` is the token of `purpose` under `key`. */
  checkCsrf(key: string | undefined, purpose: string, presented: string | undefined): void {
    if (
      key === undefined ||
      presented === undefined ||
      !constantTimeEqual(this.csrfToken(key, purpose), presented)
    ) {
      throw new CrossSiteRequestRefused(
        'This form has expired or did not come from this site. Go back, reload the page and try again.',
        { detail: `CSRF token mismatch for ${purpose}` },
      );
    }
  }

  /**
   * Refuses a POST that says it came from another site. `Origin: null` is not a refusal: browsers send
   * it for every POST from a page with `Referrer-Policy: no-referrer`, which all of tinyoauth's pages
   * are; the CSRF token and `Sec-Fetch-Site` still decide.
   */
  checkSameOrigin(request: HttpRequest): void {
    const origin = request.header('origin');
    const site = request.header('sec-fetch-site');
    const foreignOrigin = origin !== undefined && origin !== 'null' && origin !== this.origin;
    const foreignSite = site !== undefined && site !== 'same-origin' && site !== 'none';
    if (foreignOrigin || foreignSite) {
      throw new CrossSiteRequestRefused('Forms can only be sent from tinyoauth’s own pages.', {
        detail: `cross-origin form post (origin ${origin ?? '-'}, sec-fetch-site ${site ?? '-'})`,
      });
    }
  }
}
