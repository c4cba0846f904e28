/**
 * What the gateway answers for a method that a known path does not have (`GET /token`): 405 with an
 * `Allow` header naming the path's methods (RFC 9110 §15.5.6), in the error shape of every other refusal,
 * never cached. A path that no route names stays 404 (MISSING_AUTHENTICATION_TOKEN in
 * infra/gateway-responses.ts). Defined once, here: the local gateway answers it from its routing, the
 * CDK stack from an `ANY` method on each such resource (infra/cdk/method-not-allowed.ts).
 */
import type { HttpMethod, RouteDefinition } from '#infra/routes';

export const METHOD_NOT_ALLOWED_STATUS = 405;

export interface MethodNotAllowedResponse {
  statusCode: typeof METHOD_NOT_ALLOWED_STATUS;
  /** Sent as they are; the CDK stack quotes them for API Gateway's mapping syntax. */
  headers: Record<string, string>;
  body: { error: 'method_not_allowed'; error_description: string };
}

/** The order `Allow` lists methods in, whatever the order of the routes. */
const METHOD_ORDER: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * The methods of every resource path that routes name, by path. A path with an `ANY` route takes every
 * method, so it has no entry: nothing there is ever answered 405.
 */
export function allowedMethodsByPath(routes: readonly RouteDefinition[]): Map<string, HttpMethod[]> {
  const byPath = new Map<string, Set<HttpMethod>>();
  for (const route of routes) byPath.set(route.path, (byPath.get(route.path) ?? new Set()).add(route.method));
  return new Map(
    [...byPath]
      .filter(([, methods]) => !methods.has('ANY'))
      .map(([path, methods]) => [path, METHOD_ORDER.filter((method) => methods.has(method))]),
  );
}

/** The 405 answer for a path whose routes have `allowed` methods. */
export function methodNotAllowed(allowed: readonly string[]): MethodNotAllowedResponse {
  const listed =
    allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}` : String(allowed[0]);
  return {
    statusCode: METHOD_NOT_ALLOWED_STATUS,
    headers: { 'Cache-Control': 'no-store', Allow: allowed.join(', ') },
    body: { error: 'method_not_allowed', error_description: `This endpoint accepts ${listed} only.` },
  };
}
