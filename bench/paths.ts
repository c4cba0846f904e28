import { resolve } from 'node:path';
import { PROJECT_ROOT } from '#infra/paths';

/** Git-ignored: bundles, and one JSON file per run. */
export const RESULTS_DIRECTORY = resolve(PROJECT_ROOT, 'bench/results');
