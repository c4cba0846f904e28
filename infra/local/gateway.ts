/**
 * The local stand-in for API Gateway: a node:http server that routes each request as the REST API does,
 * runs the Lambda authorizer for authorized routes, turns the request into a v1 proxy event, calls the
 * function's handler in-process and turns its result back into the HTTP response. It is a test double
 * for API Gateway, so anything API Gateway would answer itself comes from infra/gateway-responses.ts.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS } from '#contract/protection';
import { AUTHORIZER, functions, routes as projectRoutes, type RouteDefinition } from '#infra/routes';
import { type AuthorizationOutcome, TokenAuthorizer } from './authorization.ts';
import { buildProxyEvent, INTEGRATION_TIMEOUT_MS, type IncomingRequest, lambdaContext } from './events.ts';
import { type HandlerLoader, importHandler, isFunctionName } from './handlers.ts';
import { forwardToBackend, pathBelowPrefix } from './http-backend.ts';
import {
  gatewayHttpResponse,
  type HttpResponse,
  integrationFailure,
  proxyResultToResponse,
} from './results.ts';
import { compileRoutes, matchRoute } from './routing.ts';

/** API Gateway's payload limit for REST APIs. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export interface GatewayOptions {
  /** Default: the routes of infra/routes.ts. */
  routes?: readonly RouteDefinition[];
  /** The function that authorizes routes marked `authorized`. Default: AUTHORIZER of infra/routes.ts. */
  authorizer?: string;
  /** Default: `import()` of the function's entry module, on first use. */
  loadHandler?: HandlerLoader;
  /** How long an authorizer answer is reused for the same Authorization header; 0 disables the cache. */
  authorizerCacheTtlSeconds?: number;
  /** When set, authorized routes go to this HTTP backend instead of their function. */
  protectedBackendUrl?: string;
  maxRequestBytes?: number;
  /** Epoch milliseconds; tests pass a clock they move. */
  now?: () => number;
  /** One line per request and per failure. Default: silent. */
  log?: (line: string) => void;
}

export interface Gateway {
  server: Server;
  /** Starts listening; port 0 picks a free one. Resolves with the base URL. */
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

class TooLarge extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return reject(new TooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.pause();
        reject(new TooLarge());
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

const pairs = (raw: string[]): [string, string][] => {
  const out: [string, string][] = [];
  for (let index = 0; index + 1 < raw.length; index += 2) out.push([raw[index]!, raw[index + 1]!]);
  return out;
};

const lastHeader = (rawHeaders: readonly [string, string][], name: string): string | undefined =>
  rawHeaders.findLast(([key]) => key.toLowerCase() === name)?.[1];

export function createGateway(options: GatewayOptions = {}): Gateway {
  const compiled = compileRoutes(options.routes ?? projectRoutes);
  const loadHandler = options.loadHandler ?? importHandler;
  const authorizerName = options.authorizer ?? AUTHORIZER;
  const maxRequestBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});

  const memoryOf = (name: string) =>
    isFunctionName(name) ? (functions[name] as { memoryMB?: number }).memoryMB : undefined;

  /** Runs a function's handler as Lambda would; rejects when it cannot be loaded or throws. */
  async function invoke(name: string, event: unknown, requestId: string): Promise<unknown> {
    const handler = await loadHandler(name);
    const memoryMB = memoryOf(name);
    return handler(event, lambdaContext(name, { requestId, now, ...(memoryMB ? { memoryMB } : {}) }));
  }

  const authorizer = new TokenAuthorizer({
    invoke: (event) => invoke(authorizerName, event, randomUUID()),
    cacheTtlSeconds: options.authorizerCacheTtlSeconds ?? DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS,
    now,
  });

  async function respond(
    request: IncomingMessage,
    requestId: string,
  ): Promise<{ response: HttpResponse; target: string }> {
    // WHATWG parsing resolves dot segments (also `%2e`), so routing, the method ARN the policy is checked
    // against and the path a backend receives are one and the same: `/protected/a/../admin` is `/protected/admin`.
    const url = new URL(request.url ?? '/', 'http://gateway.invalid');
    const rawHeaders = pairs(request.rawHeaders);
    const method = (request.method ?? 'GET').toUpperCase();

    let body: Buffer;
    try {
      body = await readBody(request, maxRequestBytes);
    } catch (error) {
      if (error instanceof TooLarge)
        return { response: gatewayHttpResponse('REQUEST_TOO_LARGE'), target: '-' };
      throw error;
    }

    const match = matchRoute(compiled, method, url.pathname);
    if (!match) return { response: gatewayHttpResponse('MISSING_AUTHENTICATION_TOKEN'), target: '-' };
    const { route, pathParameters } = match;

    const incoming: IncomingRequest = {
      method,
      path: url.pathname,
      query: url.search.slice(1),
      rawHeaders,
      body,
      sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    };

    let authorization: Extract<AuthorizationOutcome, { kind: 'allowed' }> | undefined;
    if (route.authorized) {
      const outcome = await authorizer.authorize(
        lastHeader(rawHeaders, 'authorization'),
        method,
        url.pathname,
      );
      if (outcome.kind === 'refused') {
        log(`  authorizer: ${outcome.reason}`);
        return { response: gatewayHttpResponse(outcome.response), target: authorizerName };
      }
      authorization = outcome;
    }

    if (route.authorized && options.protectedBackendUrl) {
      const target = options.protectedBackendUrl;
      try {
        const response = await forwardToBackend(
          target,
          {
            ...incoming,
            path: pathBelowPrefix(route.path, url.pathname),
            identity: authorization?.context ?? {},
          },
          INTEGRATION_TIMEOUT_MS,
        );
        return { response, target };
      } catch (error) {
        log(`  backend ${target} failed: ${(error as Error).message}`);
        return { response: integrationFailure(), target };
      }
    }

    const event = buildProxyEvent(incoming, {
      requestId,
      now: now(),
      resource: route.path,
      pathParameters,
      ...(authorization ? { authorizer: authorization.authorizer } : {}),
    });
    try {
      return {
        response: proxyResultToResponse(await invoke(route.function, event, randomUUID())),
        target: route.function,
      };
    } catch (error) {
      log(`  ${route.function} failed: ${(error as Error)?.stack ?? String(error)}`);
      return { response: integrationFailure(), target: route.function };
    }
  }

  function send(response: ServerResponse, result: HttpResponse, requestId: string, isHead: boolean) {
    for (const [name, values] of Object.entries(result.headers)) response.setHeader(name, values);
    response.setHeader('x-amzn-RequestId', requestId);
    response.setHeader('Content-Length', result.body.length);
    response.writeHead(result.status);
    response.end(isHead ? undefined : result.body);
  }

  const server = createServer((request, response) => {
    const requestId = randomUUID();
    const started = performance.now();
    respond(request, requestId)
      .catch((error: unknown) => {
        log(`  gateway error: ${(error as Error)?.stack ?? String(error)}`);
        return { response: gatewayHttpResponse('DEFAULT_5XX'), target: '-' };
      })
      .then(({ response: result, target }) => {
        // A body left unread (it was too large) ends the connection rather than being drained.
        if (!request.complete) {
          response.setHeader('Connection', 'close');
          response.on('finish', () => request.socket.destroy());
        }
        send(response, result, requestId, request.method === 'HEAD');
        // The query string is left out on purpose: it can hold codes and tokens.
        const path = (request.url ?? '/').split('?')[0];
        log(
          `${request.method} ${path} → ${result.status} ${target} ${Math.round(performance.now() - started)} ms`,
        );
      });
  });

  return {
    server,
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shown =
            host === '127.0.0.1' || host === '::1' || host === '::' || host === '0.0.0.0'
              ? 'localhost'
              : host;
          resolve(`http://${shown}:${address.port}`);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
