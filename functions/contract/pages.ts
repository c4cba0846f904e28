/**
 * The paths of tinyoauth's browser pages, below the issuer's path: the only places the session cookie
 * (the account's master credential: it gets codes for any client and manages the user's clients) and
 * the sign-in forms' nonce cookie are sent. Each cookie is set once per path here, so that a browser
 * never sends them to any other route of the API, least of all to the backends under `/protected`.
 *
 * One list for the functions that set the cookies and for the routes that serve the pages (a test checks
 * infra/routes.ts against it): a page added to one must be added to the other. A cookie's `Path` also
 * covers the paths below it, so a route there is a page too or is declared to ignore the cookie
 * (`ignoresSessionCookie` in infra/routes.ts: the JSON API `/account/profile`).
 */
export const PAGE_PATHS = [
  '/authorize',
  '/signin',
  '/signup',
  '/signout',
  '/end_session',
  '/account',
  '/verify_email',
  '/forgot_password',
  '/reset_password',
] as const;

export type PagePath = (typeof PAGE_PATHS)[number];

/**
 * The passkey forms' script, served by tinyoauth itself (no page has inline script): the only script
 * any page loads, and only the pages with a passkey form allow it (`script-src` of exactly this URL).
 */
export const PASSKEY_SCRIPT_PATH = '/passkey.js';
