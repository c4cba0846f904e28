/**
 * ANY /protected/*: the sample backend behind the authorizer. It answers with the caller's identity
 * exactly as API Gateway handed it over in `requestContext.authorizer`, which only the authorizer can
 * fill. Headers are never trusted for identity: a client can send any header it likes.
 */
import { httpHandler } from '#adapters/http/handler';
import type { HttpRequest } from '#adapters/http/request';
import { json } from '#adapters/http/responses';
import { InvalidToken } from '#core/errors';
import type { Logger } from '#core/logging';

export interface Caller {
  sub: string;
  client_id: string;
  scope: string;
  token_id: string;
}

/** The identity the authorizer passed, or undefined when there is none (the route is not authorized). */
export function callerOf(request: HttpRequest): Caller | undefined {
  const context: Record<string, unknown> | null | undefined = request.event.requestContext?.authorizer;
  if (!context) return undefined;
  const { sub, client_id, scope, jti } = context;
  const present = (value: unknown): value is string => typeof value === 'string' && value !== '';
  if (!present(sub) || !present(client_id) || typeof scope !== 'string' || !present(jti)) return undefined;
  return { sub, client_id, scope, token_id: jti };
}

/** The caller, or a 401: reaching a backend without an authorizer context means a route without it. */
export function requireCaller(request: HttpRequest): Caller {
  const caller = callerOf(request);
  if (caller) return caller;
  throw new InvalidToken('A valid access token is required.', {
    detail: 'no authorizer context: is the route missing its authorizer?',
    headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
  });
}

export const createSampleBackendHandler = (logger: Logger) =>
  httpHandler(
    async (request) => {
      const caller = requireCaller(request);
      return json(200, {
        message: 'Hello from the tinyoauth sample protected service.',
        method: request.event.httpMethod,
        path: request.event.path,
        caller,
      });
    },
    { logger },
  );
