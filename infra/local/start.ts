/**
 * `npm start`: the whole API on http://localhost:3000 (PORT overrides), with DynamoDB Local persisting
 * to `.data/dynamodb` unless DYNAMODB_ENDPOINT names another DynamoDB. Ctrl-C or SIGTERM stops
 * everything this process started, java included.
 *
 * Environment, beyond what functions/adapters/config.ts reads: PORT, HOST (default 127.0.0.1),
 * AUTHORIZER_CACHE_TTL_SECONDS, PROTECTED_BACKEND_URL, DYNAMODB_LOCAL_DATA_DIR, SAMPLE_APP_PORT,
 * SAMPLE_APP_STATE_FILE (infra/local/sample-app.ts).
 */

import { loadAuthorizerSettings } from '#adapters/authorizer-settings';
import { ConfigError } from '#contract/config-error';
import { authorizerCacheTtlSeconds } from '#contract/protection';
import { SAMPLE_MCP_SERVER } from '#infra/resource-server-functions';
import { AUTHORIZER, routes } from '#infra/routes';
import { DynamoDbUnreachable, type LocalBackend, prepareBackend } from './backend.ts';
import { DataDirectoryInUse } from './data-directory.ts';
import { type DynamoDbLocal, JavaUnavailable } from './dynamodb-local.ts';
import { createGateway, type Gateway } from './gateway.ts';
import { type SampleApp, startSampleAppFromEnv } from './sample-app.ts';

let dynamoDbLocal: DynamoDbLocal | undefined;
let backend: LocalBackend | undefined;
let gateway: Gateway | undefined;
let sampleApp: SampleApp | undefined;
let stopping = false;

async function stopAll(code: number): Promise<never> {
  stopping = true;
  await sampleApp?.close().catch(() => {});
  await gateway?.close().catch(() => {});
  await (backend?.stop() ?? dynamoDbLocal?.stop())?.catch(() => {});
  process.exit(code);
}

function onSignal(signal: NodeJS.Signals) {
  if (stopping) {
    // A second Ctrl-C: do not wait any longer, but still take java down.
    dynamoDbLocal?.process.kill('SIGKILL');
    process.exit(130);
  }
  console.log(`\n${signal}: stopping…`);
  void stopAll(0);
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('SIGHUP', onSignal);

function parsePort(raw: string | undefined): number {
  const port = Number(raw ?? '3000');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`PORT must be a port number, got "${raw}"`);
  return port;
}

function parseBackendUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return raw;
  } catch {}
  throw new ConfigError(`PROTECTED_BACKEND_URL must be an http(s) URL, got "${raw}"`);
}

async function main() {
  const port = parsePort(process.env.PORT);
  const host = process.env.HOST || '127.0.0.1';
  const cacheTtlSeconds = authorizerCacheTtlSeconds(process.env);
  const protectedBackendUrl = parseBackendUrl(process.env.PROTECTED_BACKEND_URL);
  // The sample MCP server at /protected/mcp is a resource server of its own, unless told otherwise.
  process.env.RESOURCE_SERVERS ??= JSON.stringify([SAMPLE_MCP_SERVER]);
  // MCP clients register themselves: locally, public clients may, unless told otherwise.
  process.env.OPEN_REGISTRATION ??= 'public';

  backend = await prepareBackend(process.env, {
    command: 'npm start',
    // Two stacks on one database would also fight over port 3000, the sample app and the key file.
    whenInUse: 'refuse',
    onDynamoDbLocal: (local) => {
      dynamoDbLocal = local;
      local.process.once('exit', (code, signal) => {
        if (stopping) return;
        console.error(`DynamoDB Local stopped unexpectedly (${code ?? signal}); stopping.`);
        void stopAll(1);
      });
    },
  });
  if (stopping) return;

  const { config } = backend;
  const { scopeRules } = loadAuthorizerSettings(process.env, config);
  gateway = createGateway({
    authorizerCacheTtlSeconds: cacheTtlSeconds,
    protection: { issuer: config.issuer, resourceServers: config.resourceServers, scopeRules },
    ...(protectedBackendUrl ? { protectedBackendUrl } : {}),
    log: (line) => console.log(line),
  });
  const url = await gateway.listen(port, host);

  const width = Math.max(...routes.map((route) => route.path.length));
  const lines = routes.map((route) => {
    const target = route.authorized
      ? `${protectedBackendUrl ? `→ ${protectedBackendUrl}` : route.function} (${AUTHORIZER}, cached ${cacheTtlSeconds} s)`
      : route.function;
    return `  ${route.method.padEnd(6)} ${url}${route.path.padEnd(width)}  ${target}`;
  });
  console.log(
    [
      `tinyoauth is running at ${url}`,
      ...backend.summary.map((line) => `  ${line}`),
      ...(backend.dynamoDbLocal ? ['  (npm run invoke uses this DynamoDB Local while npm start runs)'] : []),
      'Routes:',
      ...lines,
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
  sampleApp = await startSampleAppFromEnv(process.env, backend.config);
}

main().catch(async (error: unknown) => {
  // A signal during start-up pulls DynamoDB away from under the table setup: that is not an error.
  if (stopping) return;
  // Known problems are one sentence; anything else keeps its stack.
  const known =
    error instanceof ConfigError ||
    error instanceof JavaUnavailable ||
    error instanceof DynamoDbUnreachable ||
    error instanceof DataDirectoryInUse;
  console.error(known ? (error as Error).message : error);
  if ((error as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    console.error(`Port ${process.env.PORT ?? '3000'} is in use: stop what runs there or set PORT.`);
  }
  await stopAll(1);
});
