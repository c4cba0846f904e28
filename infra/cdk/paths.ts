/** Paths of the project, independent of the directory `cdk` or vitest was started from. */
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = new URL('../../', import.meta.url);

export const projectPath = (relative: string): string => fileURLToPath(new URL(relative, PROJECT_ROOT));
