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

/** The targets (issue 6), measured with the method of the README's Performance section. */
export const TARGETS = {
  /** Authorizer warm throughput as a fraction of raw `jwtVerify` of the same token with the same key. */
  authorizerThroughputRatio: 0.8,
  authorizerColdInitMs: 15,
  authorizerBundleKB: 150,
  endpointColdInitMs: 45,
  endpointBundleKB: 400,
} as const;

export function parseMode(argv: readonly string[]): Mode {
  const unknown = argv.filter((argument) => argument !== '--quick');
  if (unknown.length > 0) throw new Error(`Unknown argument ${unknown[0]}; usage: bench/run.ts [--quick]`);
  return argv.includes('--quick') ? 'quick' : 'full';
}
