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
import { allowedMethodsByPath } from '#infra/method-not-allowed';
import { AUTHORIZER, functions, routes as projectRoutes, type RouteDefinition } from '#infra/routes';
import { type AuthorizationOutcome, TokenAuthorizer } from './authorization.ts';
import { challengeOf, type LocalProtection } from './challenges.ts';
import { buildProxyEvent, INTEGRATION_TIMEOUT_MS, type IncomingRequest, lambdaContext } from './events.ts';
import { type HandlerLoader, importHandler, isFunctionName } from './handlers.ts';
import { forwardToBackend, pathBelowPrefix } from './http-backend.ts';
import { lastHeader, readRequest } from './incoming.ts';
import {
  gatewayHttpResponse,
  type HttpResponse,
  integrationFailure,
  methodNotAllowedResponse,
  proxyResultToResponse,
} from './results.ts';
import { type CompiledRoute, compileRoutes, matchRoute, type RouteMatch, resourceFor } from './routing.ts';

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
  /** The resource servers and scope rules the authorizer runs with: its 401s and 403s name them. */
  protection?: LocalProtection;
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

type Routed = { response: HttpResponse; target: string };
type Allowed = Extract<AuthorizationOutcome, { kind: 'allowed' }>;

/** What answering a request needs, settled once per gateway. */
interface Context {
  routes: CompiledRoute[];
  /** The methods of each path that has routes and no ANY route (infra/method-not-allowed.ts). */
  allowedMethods: Map<string, string[]>;
  authorizer: TokenAuthorizer;
  authorizerName: string;
  maxRequestBytes: number;
  protectedBackendUrl: string | undefined;
  protection: LocalProtection | undefined;
  now: () => number;
  log: (line: string) => void;
  /** Runs a function's handler as Lambda would; rejects when it cannot be loaded or throws. */
  invoke: (name: string, event: unknown, requestId: string) => Promise<unknown>;
}

function contextOf(options: GatewayOptions): Context {
  const loadHandler = options.loadHandler ?? importHandler;
  const authorizerName = options.authorizer ?? AUTHORIZER;
  const now = options.now ?? Date.now;
  const memoryOf = (name: string) =>
    isFunctionName(name) ? (functions[name] as { memoryMB?: number }).memoryMB : undefined;
  const invoke = async (name: string, event: unknown, requestId: string): Promise<unknown> => {
    const handler = await loadHandler(name);
    const memoryMB = memoryOf(name);
    return handler(event, lambdaContext(name, { requestId, now, ...(memoryMB ? { memoryMB } : {}) }));
  };
  const authorizer = new TokenAuthorizer({
    invoke: (event) => invoke(authorizerName, event, randomUUID()),
    cacheTtlSeconds: options.authorizerCacheTtlSeconds ?? DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS,
    now,
  });
  const routes = options.routes ?? projectRoutes;
  return {
    routes: compileRoutes(routes),
    allowedMethods: allowedMethodsByPath(routes),
    authorizer,
    authorizerName,
    maxRequestBytes: options.maxRequestBytes ?? MAX_REQUEST_BYTES,
    protectedBackendUrl: options.protectedBackendUrl,
    protection: options.protection,
    now,
    log: options.log ?? (() => {}),
    invoke,
  };
}

async function forward(
  context: Context,
  request: { incoming: IncomingRequest; route: RouteDefinition; authorization: Allowed | undefined },
): Promise<Routed> {
  const target = context.protectedBackendUrl as string;
  const { incoming, route, authorization } = request;
  try {
    const response = await forwardToBackend(
      target,
      {
        ...incoming,
        path: pathBelowPrefix(route.path, incoming.path),
        identity: authorization?.context ?? {},
      },
      INTEGRATION_TIMEOUT_MS,
    );
    return { response, target };
  } catch (error) {
    context.log(`  backend ${target} failed: ${(error as Error).message}`);
    return { response: integrationFailure(), target };
  }
}

async function invokeRoute(
  context: Context,
  request: {
    incoming: IncomingRequest;
    match: RouteMatch;
    authorization: Allowed | undefined;
    requestId: string;
  },
): Promise<Routed> {
  const { incoming, match, authorization, requestId } = request;
  const { route, pathParameters } = match;
  const event = buildProxyEvent(incoming, {
    requestId,
    now: context.now(),
    resource: route.path,
    pathParameters,
    ...(authorization ? { authorizer: authorization.authorizer } : {}),
  });
  try {
    return {
      response: proxyResultToResponse(await context.invoke(route.function, event, randomUUID())),
      target: route.function,
    };
  } catch (error) {
    context.log(`  ${route.function} failed: ${(error as Error)?.stack ?? String(error)}`);
    return { response: integrationFailure(), target: route.function };
  }
}

/** No route for the request: 405 on a known path, else the 404 of an unknown one. */
function unmatched(context: Context, path: string): HttpResponse {
  const resource = resourceFor(context.routes, path)?.resource;
  const allowed = resource === undefined ? undefined : context.allowedMethods.get(resource);
  return allowed ? methodNotAllowedResponse(allowed) : gatewayHttpResponse('MISSING_AUTHENTICATION_TOKEN');
}

/** Body limit, route, authorizer, then the route's function or the protected backend. */
async function respond(context: Context, request: IncomingMessage, requestId: string): Promise<Routed> {
  const incoming = await readRequest(request, context.maxRequestBytes);
  if (!incoming) return { response: gatewayHttpResponse('REQUEST_TOO_LARGE'), target: '-' };
  const match = matchRoute(context.routes, incoming.method, incoming.path);
  if (!match) return { response: unmatched(context, incoming.path), target: '-' };
  const { route } = match;

  let authorization: Allowed | undefined;
  if (route.authorized) {
    const header = lastHeader(incoming.rawHeaders, 'authorization');
    const outcome = await context.authorizer.authorize(header, incoming.method, incoming.path);
    if (outcome.kind === 'refused') {
      context.log(`  authorizer: ${outcome.reason}`);
      const challenge = context.protection && challengeOf(context.protection, incoming, outcome);
      return {
        response: gatewayHttpResponse(outcome.response, undefined, challenge),
        target: context.authorizerName,
      };
    }
    authorization = outcome;
  }
  if (route.authorized && !route.example && context.protectedBackendUrl) {
    return forward(context, { incoming, route, authorization });
  }
  return invokeRoute(context, { incoming, match, authorization, requestId });
}

function send(response: ServerResponse, result: HttpResponse, requestId: string, isHead: boolean) {
  for (const [name, values] of Object.entries(result.headers)) response.setHeader(name, values);
  response.setHeader('x-amzn-RequestId', requestId);
  response.setHeader('Content-Length', result.body.length);
  response.writeHead(result.status);
  response.end(isHead ? undefined : result.body);
}

function serve(context: Context, request: IncomingMessage, response: ServerResponse): void {
  const requestId = randomUUID();
  const started = performance.now();
  respond(context, request, requestId)
    .catch((error: unknown): Routed => {
      context.log(`  gateway error: ${(error as Error)?.stack ?? String(error)}`);
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
      context.log(
        `${request.method} ${path} → ${result.status} ${target} ${Math.round(performance.now() - started)} ms`,
      );
    });
}

const LOOPBACK_OR_ANY = new Set(['127.0.0.1', '::1', '::', '0.0.0.0']);

function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve(`http://${LOOPBACK_OR_ANY.has(host) ? 'localhost' : host}:${address.port}`);
    });
  });
}

export function createGateway(options: GatewayOptions = {}): Gateway {
  const context = contextOf(options);
  const server = createServer((request, response) => serve(context, request, response));
  return {
    server,
    listen: (port, host = '127.0.0.1') => listen(server, port, host),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
