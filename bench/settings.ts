/**
 * How much `npm run bench` measures, and what it must reach. The quick mode keeps every measurement but
 * repeats each one less, so that it runs as a CI smoke test in well under a minute.
 */

export type Mode = 'full' | 'quick';

export interface Iterations {
  /** Fresh Node processes per bundle for the cold-init measurement. */
  coldInitRuns: number;
  /** How long the authorizer and raw jwtVerify run, interleaved batch by batch. */
  throughputMs: number;
  /** Sequential authorizations against DynamoDB Local for the revocation-check latency. */
  revocationChecks: number;
  /** Full flows measured (after one unmeasured warm-up flow). */
  flows: number;
  /** scrypt derivations at the configured parameters. */
  scryptRuns: number;
}

export const ITERATIONS: Record<Mode, Iterations> = {
  full: {
    coldInitRuns: 15,
    throughputMs: 20_000,
    revocationChecks: 300,
    flows: 9,
    scryptRuns: 9,
  },
  quick: {
    coldInitRuns: 3,
    throughputMs: 3000,
    revocationChecks: 30,
    flows: 2,
    scryptRuns: 3,
  },
};

/**
 * The targets of issue 11, measured with the method of the README's Performance section. Cold init and
 * bundle size are relative to the SDK floor of the same run (bench/references.ts), so that a busy machine
 * moves both sides alike.
 */
export const TARGETS = {
  /** Authorizer warm throughput as a fraction of raw `jwtVerify` of the same token with the same key. */
  authorizerThroughputRatio: 0.85,
  /** Median cold init of every function at most this much above the floor's median. */
  endpointInitOverFloorMs: 15,
  authorizerInitOverFloorMs: 10,
  /** Every bundle at most this much larger than the floor's. */
  bundleOverFloorKB: 150,
  /** Flow steps that read their client with the code or token in one BatchGetItem, and their requests. */
  oneReadSteps: ['authorize', 'token (code)', 'refresh', 'revoke'],
  oneReadStepRequests: 2,
} as const;

export function parseMode(argv: readonly string[]): Mode {
  const unknown = argv.filter((argument) => argument !== '--quick');
  if (unknown.length > 0) throw new Error(`Unknown argument ${unknown[0]}; usage: bench/run.ts [--quick]`);
  return argv.includes('--quick') ? 'quick' : 'full';
}
