/**
 * Cross-origin reads (the Fetch standard's CORS) for the few endpoints a script in a browser calls:
 * a public client (an SPA) exchanges codes, refreshes, revokes and reads userinfo itself, and any page
 * may read the discovery documents and the JWKS. Nothing else answers CORS, and no answer ever allows
 * credentials: cookies never travel with a cross-origin call.
 *
 * - `public` documents say `Access-Control-Allow-Origin: *`: they are the same for everyone and hold
 *   only public configuration, and `*` keeps them cacheable by any cache without `Vary: Origin`.
 * - `client` endpoints let a page read the answer only when its origin is the origin of one of the
 *   calling client's registered redirect URIs. The endpoint names the client once it knows it
 *   (`CorsAttribution.toClient`); an answer given before that (a malformed request, an unknown client)
 *   is readable by any origin, as it says nothing about any client.
 * - A preflight cannot name a client (it carries no body and no credentials), so it is allowed for
 *   every origin: it only lets the browser send the request, which any server could send anyway;
 *   whether the page may read the answer is still decided on the answer itself.
 */
import { isRegisteredOrigin } from '#core/clients/redirect-uris';
import type { HttpRequest } from './request.ts';
import type { HttpResponse } from './responses.ts';

export interface CorsPolicy {
  kind: 'public' | 'client';
  /** The methods of the route besides OPTIONS. */
  methods: readonly string[];
}

export const publicCors = (methods: readonly string[]): CorsPolicy => ({ kind: 'public', methods });
export const clientCors = (methods: readonly string[]): CorsPolicy => ({ kind: 'client', methods });

/** Chrome caps a preflight's lifetime at two hours; longer values are cut to that anyway. */
const PREFLIGHT_MAX_AGE_SECONDS = 7200;
/** What a client sends: Basic or Bearer credentials, and a form or JSON body. */
const ALLOWED_HEADERS = 'Authorization, Content-Type';

/** The client a request turned out to be for, once the endpoint knows it. */
export class CorsAttribution {
  private redirectUris: readonly string[] | undefined;

  /** From now on only this client's redirect-URI origins may read the answer. */
  toClient(client: { redirectUris: readonly string[] }): void {
    this.redirectUris = client.redirectUris;
  }

  allows(origin: string): boolean {
    return this.redirectUris === undefined || isRegisteredOrigin(this.redirectUris, origin);
  }
}

/** OPTIONS: the preflight answer (204), for any origin. */
export function preflight(policy: CorsPolicy, request: HttpRequest): HttpResponse {
  const origin = request.header('origin');
  const allowOrigin = policy.kind === 'public' ? '*' : origin;
  return {
    status: 204,
    headers: {
      Allow: ['OPTIONS', ...policy.methods].join(', '),
      ...(allowOrigin === undefined
        ? {}
        : {
            'Access-Control-Allow-Origin': allowOrigin,
            'Access-Control-Allow-Methods': policy.methods.join(', '),
            'Access-Control-Allow-Headers': ALLOWED_HEADERS,
            'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SECONDS),
          }),
      ...(policy.kind === 'client' ? { Vary: 'Origin' } : {}),
    },
  };
}

/** The answer with the CORS headers its policy and the request's client allow. */
export function withCors(
  response: HttpResponse,
  cors: { policy: CorsPolicy; request: HttpRequest; attribution: CorsAttribution },
): HttpResponse {
  const { policy, request, attribution } = cors;
  const origin = request.header('origin');
  const headers: Record<string, string> = { ...response.headers };
  if (policy.kind === 'public') headers['Access-Control-Allow-Origin'] = '*';
  else {
    headers.Vary = 'Origin';
    if (origin !== undefined && origin !== 'null' && attribution.allows(origin)) {
      headers['Access-Control-Allow-Origin'] = origin;
      // A script reading a 401 or 403 needs the challenge to know why (RFC 6750 §3).
      headers['Access-Control-Expose-Headers'] = 'WWW-Authenticate';
    }
  }
  return { ...response, headers };
}
