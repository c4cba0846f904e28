import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: entries in infra/routes.ts are relative to it, and esbuild runs in it as CDK does. */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
/** Git-ignored: bundles, and one JSON file per run. */
export const RESULTS_DIRECTORY = resolve(PROJECT_ROOT, 'bench/results');
