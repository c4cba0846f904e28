/**
 * infra/routes.ts against the contracts it serves: the page paths the session cookie is scoped to, the
 * CORS preflights, and which entries may carry the DynamoDB client.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PAGE_PATHS } from '#contract/pages';
import { PROTECTED_AREA } from '#contract/protection';
import { projectPath } from '#infra/paths';
import { type FunctionName, functions, routes } from '#infra/routes';

const flagged = (flag: 'pages' | 'ignoresSessionCookie') =>
  (Object.keys(functions) as FunctionName[]).filter((name) => functions[name][flag]);
const pageFunctions = flagged('pages');
const cookieIgnoring = flagged('ignoresSessionCookie');

const atOrBelowPage = (path: string) =>
  PAGE_PATHS.some((page) => path === page || path.startsWith(`${page}/`));

describe('routes and the page paths of functions/contract/pages.ts', () => {
  it('mark as pages exactly the functions that read the session cookie: every page, and /authorize', () => {
    expect([...pageFunctions].sort()).toEqual(
      ['authorize', 'signIn', 'signUp', 'signOut', 'endSession', 'accountPage', 'recoveryPages'].sort(),
    );
  });

  it('serve the functions that read the session cookie at exactly the page paths', () => {
    const served = routes
      .filter((route) => pageFunctions.includes(route.function))
      .map((route) => route.path);
    expect(new Set(served)).toEqual(new Set(PAGE_PATHS));
  });

  it('serve nothing else at or below a page path but functions declared to ignore the cookie', () => {
    for (const route of routes) {
      if (!atOrBelowPage(route.path) || pageFunctions.includes(route.function)) continue;
      expect(PAGE_PATHS as readonly string[], `${route.method} ${route.path}`).not.toContain(route.path);
      expect(cookieIgnoring, `${route.method} ${route.path}`).toContain(route.function);
    }
  });

  it('declare a function to ignore the cookie only when the cookie reaches it, and never as a page', () => {
    expect(cookieIgnoring).toEqual(['accountProfile', 'accountSecurity']);
    for (const name of cookieIgnoring) {
      expect(pageFunctions).not.toContain(name);
      const paths = routes.filter((route) => route.function === name).map((route) => route.path);
      expect(paths.length).toBeGreaterThan(0);
      for (const path of paths) expect(atOrBelowPage(path), path).toBe(true);
    }
  });

  it('keep every page outside the protected area and its authorizer', () => {
    for (const page of PAGE_PATHS as readonly string[]) {
      expect(page === PROTECTED_AREA || page.startsWith(`${PROTECTED_AREA}/`)).toBe(false);
      expect(routes.filter((route) => route.path === page).every((route) => !route.authorized)).toBe(true);
    }
  });
});

describe('CORS preflight routes', () => {
  it('go to the function that serves the path, and exist only where scripts of other origins call', () => {
    const preflights = routes.filter((route) => route.method === 'OPTIONS');
    for (const preflight of preflights) {
      const served = routes.filter((route) => route.path === preflight.path && route.method !== 'OPTIONS');
      expect(served.map((route) => route.function)).toContain(preflight.function);
    }
    expect(preflights.map((route) => route.path).sort()).toEqual(
      [
        '/.well-known/jwks.json',
        '/.well-known/oauth-authorization-server',
        '/.well-known/oauth-protected-resource/{proxy+}',
        '/.well-known/openid-configuration',
        '/revoke',
        '/token',
        '/userinfo',
      ].sort(),
    );
  });
});

describe('functions granted no table', () => {
  // `@aws-sdk/lib-dynamodb` declares no `sideEffects: false`: an entry that imports app/endpoints.ts
  // bundles the whole DynamoDB client (~200 KB, a third of a cold start) even if it never sends a request.
  // The MCP server has a module of its own (app/mcp-endpoint.ts): its SDK must not reach the others.
  it('import their endpoint from app/endpoints-without-dynamodb.ts or app/mcp-endpoint.ts, which import no store', () => {
    const withoutTables = (Object.keys(functions) as FunctionName[]).filter(
      (name) => Object.keys(functions[name].tables).length === 0,
    );
    expect(withoutTables.length).toBeGreaterThan(0);
    for (const name of withoutTables) {
      const entry = readFileSync(projectPath(functions[name].entry), 'utf8');
      expect(entry, name).toMatch(/from '#app\/(endpoints-without-dynamodb|mcp-endpoint)'/);
      expect(entry, name).not.toContain("from '#app/endpoints'");
    }
  });
});
