/**
 * The cold path a user waits for: module initialisation plus the first DynamoDB response, in a fresh
 * process, for tinyoauth's token function and for the SDK floor, against the benchmark's DynamoDB
 * (bench/init-harness.mjs with `--invoke`). The first request loads the HTTP stack and opens a connection,
 * so it costs more than every later one.
 */
import { apiEvent, basic } from '../test/fakes/events.ts';
import type { BundleResult } from './bundles.ts';
import { deployedEnvironment, runHarness } from './cold-init.ts';
import { referenceEnvironment, SDK_FLOOR } from './references.ts';
import { type Summary, summarise } from './stats.ts';

export interface ColdPathResult {
  name: string;
  /** What the first invocation did, and the status it must answer. */
  request: string;
  initMs: Summary;
  firstResponseMs: Summary;
  totalMs: Summary;
}

interface ColdPath {
  name: string;
  request: string;
  event: unknown;
  status: number;
  environment: Record<string, string>;
}

function coldPaths(dynamo: { endpoint: string; prefix: string }): ColdPath[] {
  return [
    {
      name: 'token',
      request: 'POST /token of an unknown client: one GetItem, 401',
      event: apiEvent({
        method: 'POST',
        path: '/token',
        headers: { authorization: basic('unknown-client', 'secret') },
        form: { grant_type: 'client_credentials' },
      }),
      status: 401,
      environment: {
        ...deployedEnvironment('token'),
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        TABLE_PREFIX: dynamo.prefix,
      },
    },
    {
      name: SDK_FLOOR,
      request: 'one GetItem, 200',
      event: {},
      status: 200,
      environment: {
        ...referenceEnvironment(),
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        FLOOR_TABLE: `${dynamo.prefix}clients`,
      },
    },
  ];
}

export async function measureColdPath(
  bundles: readonly BundleResult[],
  dynamo: { endpoint: string; prefix: string },
  runs: number,
): Promise<ColdPathResult[]> {
  const paths = coldPaths(dynamo);
  const samples = new Map(paths.map((path) => [path.name, [] as { init: number; first: number }[]]));
  // Round robin, as for cold init, so that a burst of load spreads over both.
  for (let run = 0; run < runs; run++) {
    for (const path of paths) {
      const file = bundles.find((bundle) => bundle.name === path.name)?.file;
      if (!file) throw new Error(`No bundle of ${path.name}`);
      const result = await runHarness(file, path.environment, ['--invoke', JSON.stringify(path.event)]);
      const first = result.firstInvocation;
      if (first?.statusCode !== path.status)
        throw new Error(
          `${path.name}: the first invocation answered ${first?.statusCode}, not ${path.status}`,
        );
      samples.get(path.name)?.push({ init: result.initMs, first: first.ms });
    }
  }
  return paths.map(({ name, request }) => {
    const measured = samples.get(name) ?? [];
    return {
      name,
      request,
      initMs: summarise(measured.map((sample) => sample.init)),
      firstResponseMs: summarise(measured.map((sample) => sample.first)),
      totalMs: summarise(measured.map((sample) => sample.init + sample.first)),
    };
  });
}
