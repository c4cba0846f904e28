/**
 * One `TinyOAuthFunction` per function of infra/routes.ts, with exactly the table actions and the key
 * access it declares, created in the scope of the `TinyOAuth` construct (their logical IDs are the
 * deployed ones). A function whose every route the team's backend serves is not created at all.
 */
import type { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CACHE_TTL_VARIABLE, SCOPE_RULES_VARIABLE } from '#contract/protection';
import { AUTHORIZER, type FunctionName, functions, type RouteDefinition, routes } from '#infra/routes';
import { REASONS } from './acknowledgements.ts';
import type { TinyOAuthTables } from './dynamodb.ts';
import { type FunctionEnvironment, TinyOAuthFunction } from './function.ts';
import { mailEnvironment, sendEmailStatement, type TinyOAuthMail } from './mail.ts';
import type { TinyOAuthBackend } from './props.ts';
import type { Settings } from './settings.ts';
import type { SigningKeys } from './signing-keys.ts';

/** The functions created, by their name in infra/routes.ts. */
export type TinyOAuthFunctions = Partial<Record<FunctionName, TinyOAuthFunction>>;

export interface FunctionsOptions extends Pick<Settings, 'tracing' | 'logRetention' | 'scopeRules'> {
  backend: TinyOAuthBackend | undefined;
  tables: TinyOAuthTables;
  keys: SigningKeys;
  /** What every function reads (settings.ts `sharedEnvironment`). */
  environment: FunctionEnvironment;
  jwksUrl: string;
  authorizerCacheTtl: Duration;
  mail: TinyOAuthMail | undefined;
  /** The routes deployed (infra/routes.ts, examples only on request): a function only they serve is left out. */
  routes: readonly RouteDefinition[];
}

export function createFunctions(scope: Construct, options: FunctionsOptions): TinyOAuthFunctions {
  const created: TinyOAuthFunctions = {};
  for (const name of Object.keys(functions) as FunctionName[]) {
    const undeployedExample =
      routes.some((route) => route.function === name && route.example) &&
      !options.routes.some((route) => route.function === name);
    if (!undeployedExample && !servedByBackend(name, options.backend)) {
      created[name] = createFunction(scope, name, options);
    }
  }
  return created;
}

/** The backend replaces a function that serves authorized routes only (the sample protected service). */
function servedByBackend(name: FunctionName, backend: TinyOAuthBackend | undefined): boolean {
  return (
    backend !== undefined &&
    name !== AUTHORIZER &&
    routes.some((route) => route.function === name) &&
    routes.every((route) => route.function !== name || (route.authorized && !route.example))
  );
}

function createFunction(scope: Construct, name: FunctionName, options: FunctionsOptions): TinyOAuthFunction {
  const definition = functions[name];
  const fn = new TinyOAuthFunction(scope, name, {
    entry: definition.entry,
    description: definition.description,
    memoryMB: definition.memoryMB,
    environment: environmentOf(name, options),
    withoutDeadLetterQueue: REASONS.synchronousNoDlq,
    tracing: options.tracing,
    logRetention: options.logRetention,
  });
  for (const statement of options.tables.statementsFor(definition)) fn.addToRolePolicy(statement);
  if (definition.keys === 'sign') options.keys.grantSign(fn);
  if (definition.keys === 'publish') options.keys.grantPublish(fn);
  if (definition.mail && options.mail) fn.addToRolePolicy(sendEmailStatement(scope, options.mail));
  // No function may answer before its keys exist.
  if (definition.keys) fn.node.addDependency(options.keys.ready);
  return fn;
}

function environmentOf(name: FunctionName, options: FunctionsOptions): FunctionEnvironment {
  const definition = functions[name];
  const environment = { ...options.environment };
  if (definition.keys === 'sign') environment.SIGNING_KEYS_SECRET_ID = options.keys.signingSecret.secretArn;
  if (definition.keys === 'publish') environment.PUBLIC_KEYS_SECRET_ID = options.keys.publicSecret.secretArn;
  if (definition.mail && options.mail) Object.assign(environment, mailEnvironment(options.mail));
  if (name === AUTHORIZER) {
    // The authorizer verifies tokens against the published JWKS, fetched over HTTPS: it reads no secret.
    environment.JWKS_URI = options.jwksUrl;
    environment[CACHE_TTL_VARIABLE] = String(options.authorizerCacheTtl.toSeconds());
    if (options.scopeRules) environment[SCOPE_RULES_VARIABLE] = options.scopeRules;
  }
  return environment;
}
