/**
 * The other half of a cold start: the first DynamoDB request in a fresh process, which loads the HTTP
 * stack and opens a connection, next to the second one on the warm connection. Measured with the
 * project's DynamoDB client bundled as the functions are (bench/first-request-probe.ts).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { DEPLOYED_BUNDLING } from '#infra/package/bundling';
import { PROJECT_ROOT } from '#infra/paths';
import { type Summary, summarise } from './stats.ts';

export interface FirstRequestResult {
  firstMs: Summary;
  nextMs: Summary;
  /** Whether Node's fetch implementation (undici) was loaded to make the requests. */
  loadsUndici: boolean;
}

function probe(
  file: string,
  endpoint: string,
): Promise<{ firstMs: number; nextMs: number; undici: boolean }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [file, endpoint],
      { env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`The first-request probe failed: ${error.message}\n${stderr.trim()}`));
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}'));
      },
    );
  });
}

export async function measureFirstRequest(
  endpoint: string,
  outputDirectory: string,
  runs: number,
): Promise<FirstRequestResult> {
  const file = join(outputDirectory, 'first-request-probe.mjs');
  await build({
    ...DEPLOYED_BUNDLING,
    mainFields: [...DEPLOYED_BUNDLING.mainFields],
    external: [...DEPLOYED_BUNDLING.external],
    entryPoints: [join(PROJECT_ROOT, 'bench/first-request-probe.ts')],
    outfile: file,
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'error',
  });
  const results = [];
  for (let run = 0; run < runs; run++) results.push(await probe(file, endpoint));
  return {
    firstMs: summarise(results.map((result) => result.firstMs)),
    nextMs: summarise(results.map((result) => result.nextMs)),
    loadsUndici: results.some((result) => result.undici),
  };
}
