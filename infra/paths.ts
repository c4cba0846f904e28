/**
 * The repository root, independent of the directory `cdk`, vitest, `npm start` or the bench was started
 * from: function entries (infra/routes.ts) are relative to it, and esbuild bundles in it.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const projectPath = (relative: string): string => resolve(PROJECT_ROOT, relative);
