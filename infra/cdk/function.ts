/**
 * One tinyoauth Lambda function with every default the project decided once: current Node runtime on
 * ARM64, explicit memory and timeout, its own log group with retention, its own role (so that the
 * only permissions it holds are the ones granted to it explicitly), switchable tracing, and an ESM
 * bundle built by the project's own esbuild, never Docker: from source in this repository, ahead of
 * time in the npm package (see `usePrebuiltBundles`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import {
  type BundlingOptions,
  NodejsFunction,
  type NodejsFunctionProps,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { EnvironmentName } from '#contract/environment';
import { projectPath } from '#infra/paths';
import { acknowledge, REASONS } from './acknowledgements.ts';

/** The newest Node.js runtime this aws-cdk-lib knows; cdk-nag's LambdaLatestVersion checks the same list. */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;
export const DEFAULT_MEMORY_MB = 256;

/**
 * How every function is bundled, in one place: `npm run bench` measures bundles built from exactly
 * these options (bench/bundles.ts translates them to esbuild's), so its sizes are the deployed ones.
 */
export const BUNDLING = {
  forceDockerBundling: false,
  format: OutputFormat.ESM,
  // Lambda's Node runtime loads `.mjs` as ESM; `module` first picks jose's ESM build.
  mainFields: ['module', 'main'],
  target: `node${FUNCTION_RUNTIME.name.replace(/^nodejs(\d+)\.x$/, '$1')}`,
  minify: true,
  // Off: stack traces in logs stay short, and nothing but our own code is in the bundle anyway.
  sourceMap: false,
  // Nothing external: the SDK version the Lambda runtime happens to ship is not ours to depend on, and a
  // bundled SDK is tree-shaken to the two clients we use (DESIGN.md has the numbers).
  externalModules: [],
  esbuildArgs: {
    // Lambda puts the role's credentials in the environment; the rest of the default credential chain
    // is ~130 KB and ~9 ms of every cold start (functions/adapters/aws/lambda-credentials.ts).
    '--alias:@aws-sdk/credential-provider-node': './functions/adapters/aws/lambda-credentials.ts',
  },
  // No `require` banner: every dependency bundles as ESM (test/cdk checks the output).
} as const satisfies BundlingOptions;
/**
 * Well under API Gateway's 29 s integration timeout, so a function stuck on a dependency ends as its
 * own logged failure rather than a gateway timeout; every tinyoauth request needs well under a second.
 */
export const DEFAULT_TIMEOUT = Duration.seconds(10);

/** The variables a function gets, named by the contract so that a misspelt one does not compile. */
export type FunctionEnvironment = Partial<Record<EnvironmentName, string>>;

export interface TinyOAuthFunctionProps {
  /** Entry module relative to the project root (as in infra/routes.ts); it exports `handler`. */
  entry: string;
  description: string;
  memoryMB?: number;
  timeout?: Duration;
  environment: FunctionEnvironment;
  tracing: boolean;
  logRetention: RetentionDays;
  /** Why this function needs no dead-letter queue (how it is invoked); see acknowledgements.ts. */
  withoutDeadLetterQueue: string;
}

export class TinyOAuthFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: TinyOAuthFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An explicit role instead of the default one, which would carry the AWS-managed
    // AWSLambdaBasicExecutionRole (logs:* on every log group of the account).
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      // IAM descriptions allow Latin-1 only; the function's own description says the rest.
      description: `Execution role of the tinyoauth ${id} function`,
    });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );

    super(scope, id, {
      ...codeOf(props.entry),
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMB ?? DEFAULT_MEMORY_MB,
      timeout: props.timeout ?? DEFAULT_TIMEOUT,
      role,
      logGroup,
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      environment: definedVariables(props.environment),
    });

    acknowledge(this, 'Serverless', 'Serverless-LambdaDLQ', props.withoutDeadLetterQueue);
    if (props.tracing)
      acknowledge(role, 'AwsSolutions', 'AwsSolutions-IAM5[Resource::*]', REASONS.xrayWildcard);
    else acknowledge(this, 'Serverless', 'Serverless-LambdaTracing', REASONS.tracingDisabled);
  }
}

/** The file every bundle consists of; Lambda's Node runtime loads `.mjs` as ESM. */
export const BUNDLE_FILE = 'index.mjs';

/** Where a bundle lives among the pre-built ones: its entry's path without `.ts` (they mirror functions/handlers). */
export const bundleDirectory = (entry: string): string => entry.replace(/\.ts$/, '');

let prebuiltBundles: string | undefined;

/**
 * Makes every function use the bundle of its entry under `directory` instead of bundling from source.
 * Only the npm package's entry point (infra/package/index.ts) calls it: a team's CDK app has neither our
 * sources nor our lock file, so the package ships every function bundled with the same `BUNDLING`.
 */
export function usePrebuiltBundles(directory: string): void {
  prebuiltBundles = directory;
}

type CodeProps = Pick<
  NodejsFunctionProps,
  'code' | 'handler' | 'entry' | 'projectRoot' | 'depsLockFilePath' | 'bundling'
>;

function codeOf(entry: string): CodeProps {
  if (prebuiltBundles === undefined) {
    return {
      entry: projectPath(entry),
      handler: 'handler',
      projectRoot: projectPath('.'),
      depsLockFilePath: projectPath('package-lock.json'),
      bundling: BUNDLING,
    };
  }
  const directory = join(prebuiltBundles, bundleDirectory(entry));
  if (!existsSync(join(directory, BUNDLE_FILE)))
    throw new Error(
      `This tinyoauth package has no bundle of ${entry} (${directory}): its build is incomplete`,
    );
  // With `code`, NodejsFunction bundles nothing and needs no lock file.
  return { code: Code.fromAsset(directory), handler: 'index.handler' };
}

/** Lambda takes strings only; a variable set to `undefined` is one left out. */
function definedVariables(environment: FunctionEnvironment): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
