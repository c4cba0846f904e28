/**
 * The paths of the pages a browser reaches with tinyoauth's session cookie: every route whose function
 * reads it. One list, so that whatever scopes the cookie (its `Path`) can scope it to exactly these and
 * a new page cannot be forgotten; test/unit/contract/pages.test.ts checks it against infra/routes.ts.
 */
export const SESSION_COOKIE_PAGES = [
  '/authorize',
  '/signin',
  '/signup',
  '/signout',
  '/end_session',
  '/account',
] as const;

export type SessionCookiePage = (typeof SESSION_COOKIE_PAGES)[number];
