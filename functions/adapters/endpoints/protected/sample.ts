/**
 * ANY /protected/*: the sample backend behind the authorizer. It answers with the caller's identity
 * exactly as API Gateway handed it over in `requestContext.authorizer`, which only the authorizer can
 * fill. Headers are never trusted for identity: a client can send any header it likes.
 */
import { loadConfig } from '#adapters/config';
import { type HttpRequest, httpHandler, json } from '#adapters/http/edge';
import { createLogger } from '#adapters/logger';
import { InvalidToken } from '#core/errors';

const config = loadConfig(process.env);
const logger = createLogger({ level: config.logLevel, service: 'protected' });

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

export const handler = httpHandler(
  async (request) => {
    const caller = callerOf(request);
    if (!caller) {
      // Reaching here without an authorizer context means the route was deployed without the authorizer.
      throw new InvalidToken('A valid access token is required.', {
        detail: 'no authorizer context: is the route missing its authorizer?',
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      });
    }
    return json(200, {
      message: 'Hello from the tinyoauth sample protected service.',
      method: request.event.httpMethod,
      path: request.event.path,
      caller,
    });
  },
  { logger },
);
