/** infra/routes.ts against the contracts it serves: the page paths the session cookie is scoped to. */
import { describe, expect, it } from 'vitest';
import { PAGE_PATHS } from '#contract/pages';
import { PROTECTED_AREA } from '#contract/protection';
import { type FunctionName, functions, routes } from '#infra/routes';

const pageFunctions = (Object.keys(functions) as FunctionName[]).filter(
  (name) => (functions[name] as { pages?: true }).pages,
);

describe('routes and the page paths of functions/contract/pages.ts', () => {
  it('serve the functions that read the session cookie at exactly the page paths', () => {
    const served = routes
      .filter((route) => pageFunctions.includes(route.function))
      .map((route) => route.path);
    expect(new Set(served)).toEqual(new Set(PAGE_PATHS));
  });

  it('serve nothing else at or below a page path, so the cookie reaches page functions only', () => {
    for (const route of routes) {
      const covered = PAGE_PATHS.some((page) => route.path === page || route.path.startsWith(`${page}/`));
      if (covered) expect(pageFunctions, `${route.method} ${route.path}`).toContain(route.function);
    }
  });

  it('keep every page outside the protected area and its authorizer', () => {
    for (const page of PAGE_PATHS as readonly string[]) {
      expect(page === PROTECTED_AREA || page.startsWith(`${PROTECTED_AREA}/`)).toBe(false);
      expect(routes.filter((route) => route.path === page).every((route) => !route.authorized)).toBe(true);
    }
  });
});
