/**
 * One API Gateway method per route of infra/routes.ts: its integration (the route's function, or the
 * team's backend for `/protected/*`), the Lambda authorizer in front of every authorized route, and the
 * request validator; and the 405 of every other method on their resources (method-not-allowed.ts).
 * Created in the scope of the `TinyOAuth` construct, as deployed stacks know them.
 */
import type { Duration } from 'aws-cdk-lib';
import {
  AuthorizationType,
  HttpIntegration,
  IdentitySource,
  type Integration,
  LambdaIntegration,
  type RequestValidator,
  type RestApi,
  TokenAuthorizer,
} from 'aws-cdk-lib/aws-apigateway';
import type { Construct } from 'constructs';
import { IDENTITY_HEADERS, identityHeaderSpellings } from '#contract/protection';
import { AUTHORIZER, type RouteDefinition } from '#infra/routes';
import { acknowledgeAuthorizedMethod, acknowledgePublicMethod } from './acknowledgements.ts';
import type { TinyOAuthFunction } from './function.ts';
import type { TinyOAuthFunctions } from './functions.ts';
import { addMethodNotAllowed } from './method-not-allowed.ts';
import type { TinyOAuthBackend } from './props.ts';

/**
 * API Gateway's TOKEN authorizer rejects (401, without invoking the function) any Authorization header
 * that does not look like `Bearer <JWS compact serialization>`; the scheme is case-insensitive (RFC 7235).
 */
const BEARER_JWT = '^[Bb][Ee][Aa][Rr][Ee][Rr] +[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*$';

export interface MethodsOptions {
  api: RestApi;
  functions: TinyOAuthFunctions;
  backend: TinyOAuthBackend | undefined;
  authorizerCacheTtl: Duration;
  /** The routes to deploy: infra/routes.ts's, examples only when asked for. */
  routes: readonly RouteDefinition[];
}

interface RouteTargets extends MethodsOptions {
  authorizer: TokenAuthorizer;
  validator: RequestValidator;
}

/** Adds every route's method to the API; returns the authorizer of the authorized ones. */
export function addMethods(scope: Construct, options: MethodsOptions): TokenAuthorizer {
  const authorizerFunction = options.functions[AUTHORIZER];
  if (!authorizerFunction)
    throw new Error(
      `infra/routes.ts names "${AUTHORIZER}" as the authorizer, but it defines no such function`,
    );
  const authorizer = new TokenAuthorizer(scope, 'Authorizer', {
    authorizerName: 'tinyoauth',
    handler: authorizerFunction,
    identitySource: IdentitySource.header('Authorization'),
    validationRegex: BEARER_JWT,
    resultsCacheTtl: options.authorizerCacheTtl,
  });
  // Bodies are form-encoded (RFC 6749) and checked by the functions; the validator checks the
  // parameters each method declares as required (its path parameters).
  const validator = options.api.addRequestValidator('Validator', {
    validateRequestBody: true,
    validateRequestParameters: true,
  });
  for (const route of options.routes) addMethod(route, { ...options, authorizer, validator });
  addMethodNotAllowed(options.api, { routes: options.routes, validator });
  return authorizer;
}

function addMethod(route: RouteDefinition, targets: RouteTargets): void {
  const resource = targets.api.root.resourceForPath(route.path);
  const parameters = pathParameters(route.path);
  const requestParameters = Object.fromEntries(
    parameters.map(({ name }) => [`method.request.path.${name}`, true]),
  );
  const integration =
    route.authorized && !route.example && targets.backend
      ? backendIntegration(route, targets.backend, parameters)
      : undefined;
  const fn = targets.functions[route.function];
  if (!integration && !fn)
    throw new Error(`Route ${route.method} ${route.path} has no function "${route.function}"`);
  const method = resource.addMethod(
    route.method,
    integration ?? new LambdaIntegration(fn as TinyOAuthFunction, { allowTestInvoke: false }),
    {
      requestValidator: targets.validator,
      requestParameters,
      ...(route.authorized
        ? { authorizer: targets.authorizer, authorizationType: AuthorizationType.CUSTOM }
        : { authorizationType: AuthorizationType.NONE }),
    },
  );
  if (route.authorized) acknowledgeAuthorizedMethod(method);
  else acknowledgePublicMethod(method, route);
}

interface PathParameter {
  name: string;
  greedy: boolean;
}

/** `{name}` and `{name+}` of an API Gateway resource path. */
function pathParameters(path: string): PathParameter[] {
  return [...path.matchAll(/\{([A-Za-z0-9_]+)(\+?)\}/g)].map((match) => ({
    name: match[1] as string,
    greedy: match[2] === '+',
  }));
}

/**
 * The backend of an authorized route. `/protected/{proxy+}` → `${httpUrl}/{proxy}`: the first path
 * segment names tinyoauth's protected area, the rest is the backend's own path.
 */
function backendIntegration(
  route: RouteDefinition,
  backend: TinyOAuthBackend,
  parameters: PathParameter[],
): Integration {
  if ('lambda' in backend) return new LambdaIntegration(backend.lambda, { allowTestInvoke: false });
  const base = backend.httpUrl.replace(/\/+$/, '');
  const rest = route.path.replace(/^\/[^/]+/, '').replace(/\{([A-Za-z0-9_]+)\+\}/g, '{$1}');
  // Every -/_ spelling gets the genuine value: a client's `X_Tinyoauth_Sub` would otherwise pass through
  // next to it, and backends that treat - and _ alike would read it. API Gateway matches header names
  // case-insensitively, so one mapping per spelling covers every case.
  const identity = Object.entries(IDENTITY_HEADERS).flatMap(([contextKey, header]) =>
    identityHeaderSpellings(header).map((spelling) => [
      `integration.request.header.${spelling}`,
      `context.authorizer.${contextKey}`,
    ]),
  );
  return new HttpIntegration(`${base}${rest}`, {
    proxy: true,
    httpMethod: 'ANY',
    options: {
      requestParameters: Object.fromEntries([
        ...parameters.map(({ name }) => [`integration.request.path.${name}`, `method.request.path.${name}`]),
        ...identity,
      ]),
    },
  });
}
