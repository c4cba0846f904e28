/**
 * Module initialisation of every bundle in a fresh Node process (bench/init-harness.mjs), repeated: what a
 * Lambda cold start adds on top of the runtime's own start. One extra audit run per bundle records any
 * network, DNS or file operation the initialisation starts; there must be none.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS } from '#contract/protection';
import { PROJECT_ROOT } from '#infra/paths';
import { AUTHORIZER, type FunctionName, functions } from '#infra/routes';
import type { BundleResult } from './bundles.ts';
import { referenceEnvironment } from './references.ts';
import { type Summary, summarise } from './stats.ts';

const HARNESS = join(PROJECT_ROOT, 'bench/init-harness.mjs');
const RESULT_MARKER = '@@init-result ';

export interface HarnessResult {
  initMs: number;
  handler: boolean;
  undici: boolean;
  builtins: string[];
  pending: string[];
  operations?: string[];
  /** With `--invoke`: the first invocation. */
  firstInvocation?: { ms: number; statusCode?: number };
}

export interface ColdInitResult {
  name: string;
  initMs: Summary;
  /** Whether initialisation loaded Node's fetch implementation (undici), ~20 ms on its own. */
  loadsUndici: boolean;
  /** Node built-in modules the initialisation loaded. */
  builtins: string[];
  /** Network, DNS or file operations started at initialisation, and resources left running. */
  io: string[];
}

/**
 * The environment the CDK stack gives the function (infra/cdk/tinyoauth.ts), with placeholders for what
 * only exists in AWS; DynamoDB points at a closed local port, since initialisation must not reach it.
 */
export function deployedEnvironment(name: FunctionName): Record<string, string> {
  const definition = functions[name];
  const issuer = 'https://auth.example.com';
  const environment: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_LAMBDA_FUNCTION_NAME: name,
    ISSUER: issuer,
    RESOURCE_IDENTIFIER: `${issuer}/protected`,
    TABLE_PREFIX: 'tinyoauth_',
    DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
    // Lambda runs Node 24; the SDK's notice about Node 20 is this machine's, not the function's.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const secret = (id: string) => `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}`;
  if ('keys' in definition && definition.keys === 'sign')
    environment.SIGNING_KEYS_SECRET_ID = secret('signing-keys');
  if ('keys' in definition && definition.keys === 'publish')
    environment.PUBLIC_KEYS_SECRET_ID = secret('public-keys');
  if (name === AUTHORIZER) {
    environment.JWKS_URI = `${issuer}/.well-known/jwks.json`;
    environment.AUTHORIZER_CACHE_TTL_SECONDS = String(DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS);
  }
  return environment;
}

/** The environment a bundle initialises in: the stack's for a function, Lambda's basics for the others. */
export const environmentOf = (bundle: Pick<BundleResult, 'name' | 'kind'>): Record<string, string> =>
  bundle.kind === 'function' ? deployedEnvironment(bundle.name as FunctionName) : referenceEnvironment();

/** One fresh `node` running bench/init-harness.mjs with `flags` (`--audit`, or `--invoke <event>`). */
export function runHarness(
  file: string,
  environment: Record<string, string>,
  flags: readonly string[],
): Promise<HarnessResult> {
  const args = [HARNESS, file, ...flags];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env: environment, timeout: 30_000 }, (error, stdout, stderr) => {
      const line = stdout.split('\n').find((text) => text.startsWith(RESULT_MARKER));
      if (error || !line) {
        reject(new Error(`Initialising ${file} failed: ${error?.message ?? 'no result'}\n${stderr.trim()}`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_MARKER.length)) as HarnessResult);
    });
  });
}

export async function measureColdInit(
  bundles: readonly BundleResult[],
  runs: number,
): Promise<ColdInitResult[]> {
  const audits = new Map<string, HarnessResult>();
  for (const bundle of bundles) {
    const audit = await runHarness(bundle.file, environmentOf(bundle), ['--audit']);
    if (!audit.handler) throw new Error(`${bundle.entry} exports no handler once bundled`);
    audits.set(bundle.name, audit);
  }
  // Round robin rather than one bundle after the other, so that a burst of load on the machine spreads
  // over all bundles instead of inflating one of them.
  const timings = new Map<string, HarnessResult[]>(bundles.map((bundle) => [bundle.name, []]));
  for (let run = 0; run < runs; run++) {
    for (const bundle of bundles) {
      timings.get(bundle.name)?.push(await runHarness(bundle.file, environmentOf(bundle), []));
    }
  }
  return bundles.map((bundle) => {
    const audit = audits.get(bundle.name) as HarnessResult;
    const measured = timings.get(bundle.name) ?? [];
    // The loader reads the bundle itself; anything else is the module's doing.
    const operations = (audit.operations ?? []).filter((operation) => !operation.includes(bundle.file));
    return {
      name: bundle.name,
      initMs: summarise(measured.map((result) => result.initMs)),
      loadsUndici: measured.some((result) => result.undici),
      builtins: measured[0]?.builtins ?? audit.builtins,
      io: [...operations, ...audit.pending.map((resource) => `left running: ${resource}`)],
    };
  });
}
