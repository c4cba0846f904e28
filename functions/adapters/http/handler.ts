/**
 * The one wrapper every HTTP handler runs in: the request parsed, a logger bound to the request id, the
 * result turned into a proxy result, and every thrown error logged and rendered by errors.ts.
 */
import type { Context } from 'aws-lambda';
import { invocationLogger } from '#adapters/logger';
import type { Logger } from '#core/logging';
import { CorsAttribution, type CorsPolicy, preflight, withCors } from './cors.ts';
import { errorJson, errorPage, logError } from './errors.ts';
import { type ApiEvent, HttpRequest } from './request.ts';
import { type ApiResult, type HttpResponse, toApiResult } from './responses.ts';

export type ApiHandler = (event: ApiEvent, context?: Partial<Context>) => Promise<ApiResult>;

export interface HandlerOptions {
  logger: Logger;
  /** Members every error body of this endpoint carries, e.g. the login response's `result`. */
  errorEnvelope?: Record<string, unknown>;
  /** The endpoint serves browsers too: an error is a page for a browser, JSON for anyone else. */
  pages?: boolean;
  /** Scripts of other origins may call it (cors.ts); its route has an OPTIONS method for preflights. */
  cors?: CorsPolicy;
}

export type Handle = (request: HttpRequest, logger: Logger, cors: CorsAttribution) => Promise<HttpResponse>;

export function httpHandler(handle: Handle, options: HandlerOptions): ApiHandler {
  return async (event, context) => {
    const request = new HttpRequest(event);
    const logger = invocationLogger(options.logger, { requestId: request.requestId, context });
    const { cors: policy } = options;
    if (policy && request.method === 'OPTIONS') return toApiResult(preflight(policy, request));
    const attribution = new CorsAttribution();
    const answer = (response: HttpResponse) =>
      toApiResult(policy ? withCors(response, { policy, request, attribution }) : response);
    try {
      return answer(await handle(request, logger, attribution));
    } catch (thrown) {
      const error = logError(logger, thrown, { path: event.path, method: event.httpMethod });
      const rendered =
        options.pages && request.prefersHtml() ? errorPage(error) : errorJson(error, options.errorEnvelope);
      return answer(rendered);
    }
  };
}
