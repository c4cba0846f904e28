/**
 * `npm run bench` (full) and `npm run bench:quick` (fewer repetitions, a CI smoke test): bundles, cold
 * init, authorizer throughput and revocation cost, the full flow against DynamoDB, scrypt, and the cost
 * per million. Prints the tables and writes bench/results/bench-<date>.json. Method: the README's Performance section.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { measureRevocationCheck, measureThroughput } from './authorizer.ts';
import { type BundleResult, bundleAll, FUNCTION_BUNDLES } from './bundles.ts';
import { measureColdInit } from './cold-init.ts';
import { measureColdPath } from './cold-path.ts';
import { computeCost } from './cost.ts';
import { LOCAL_CREDENTIALS, openDynamoDb, REGION } from './dynamodb.ts';
import { measureFlow } from './flow.ts';
import { describeMachine } from './machine.ts';
import { MeteredDynamoDb } from './metered-dynamodb.ts';
import { RESULTS_DIRECTORY } from './paths.ts';
import { REFERENCES } from './references.ts';
import { type Results, render } from './report.ts';
import { measureScrypt } from './scrypt.ts';
import { ITERATIONS, type Iterations, parseMode } from './settings.ts';
import { StoredItems } from './stored-items.ts';
import { evaluateTargets } from './targets.ts';

const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

/** The measurements that need DynamoDB, against one DynamoDB opened for them and closed after. */
async function measureAgainstDynamoDb(iterations: Iterations, bundles: readonly BundleResult[]) {
  progress('starting DynamoDB');
  const dynamo = await openDynamoDb();
  try {
    progress(`cold path (init + first DynamoDB response), ${iterations.coldInitRuns} fresh processes each`);
    const coldPath = await measureColdPath(bundles, dynamo, iterations.coldInitRuns);
    const db = new MeteredDynamoDb({ region: REGION, endpoint: dynamo.endpoint });
    const items = new StoredItems(
      new DynamoDBClient({ region: REGION, endpoint: dynamo.endpoint, credentials: LOCAL_CREDENTIALS }),
      dynamo.prefix,
    );
    progress(`authorizer revocation check, ${iterations.revocationChecks} authorizations`);
    const revocation = await measureRevocationCheck(db, items, dynamo.prefix, iterations.revocationChecks);
    progress(`full flow, ${iterations.flows} measured runs`);
    const flow = await measureFlow(dynamo.endpoint, dynamo.prefix, iterations.flows);
    return { dynamoDb: dynamo.kind, coldPath, revocation, flow };
  } finally {
    await dynamo.close();
  }
}

async function writeResults(results: Results, started: number): Promise<void> {
  await mkdir(RESULTS_DIRECTORY, { recursive: true });
  const file = join(RESULTS_DIRECTORY, `bench-${results.date.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  progress(`wrote ${file} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  const mode = parseMode(process.argv.slice(2));
  const iterations = ITERATIONS[mode];
  const started = performance.now();
  const date = new Date().toISOString();

  progress('bundling every function as CDK deploys it');
  const bundles = await bundleAll([...FUNCTION_BUNDLES, ...REFERENCES], join(RESULTS_DIRECTORY, 'bundles'));
  progress(`cold init, ${iterations.coldInitRuns} fresh processes per bundle`);
  const coldInit = await measureColdInit(bundles, iterations.coldInitRuns);
  progress('authorizer warm throughput');
  const throughput = await measureThroughput(iterations.throughputMs);
  const { dynamoDb, coldPath, revocation, flow } = await measureAgainstDynamoDb(iterations, bundles);
  progress(`scrypt, ${iterations.scryptRuns} runs`);
  const scrypt = await measureScrypt(iterations.scryptRuns);

  const results: Results = {
    date,
    mode,
    command: mode === 'quick' ? 'npm run bench:quick' : 'npm run bench',
    machine: describeMachine(),
    dynamoDb,
    bundles,
    coldInit,
    coldPath,
    throughput,
    revocation,
    flow,
    scrypt,
    cost: computeCost(flow.steps),
    targets: evaluateTargets({ bundles, coldInit, throughput, flow }),
  };
  process.stdout.write(`${render(results)}\n`);
  await writeResults(results, started);
  // The full run is the one the README quotes: a failed target fails it. The quick run is a smoke test
  // on whatever machine CI has, where only a measurement that cannot be made fails.
  if (mode === 'full' && results.targets.some((row) => !row.pass)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
