/**
 * `npm run build`, which `npm pack` runs first (`prepack`): the npm package in dist/, made of
 * - dist/index.js: the construct (infra/package/index.ts) as one ESM file, with everything it imports
 *   bundled in except its peer dependencies (aws-cdk-lib, constructs), so a team installs nothing else;
 * - dist/lambda/: every Lambda function bundled as `cdk deploy` bundles it from source, which the packaged
 *   construct deploys as they are (a team's app has neither our sources nor our lock file);
 * - dist/types/: the type declarations (declarations.ts);
 * - dist/THIRD-PARTY-NOTICES.md: the licences of the code inside those bundles (notices.ts).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT, projectPath } from '#infra/paths';
import { bundleAllEntries } from './bundling.ts';
import { emitDeclarations } from './declarations.ts';
import { writeNotices } from './notices.ts';

export const DIST = projectPath('dist');
const ENTRY = 'infra/package/index.ts';

interface Manifest {
  engines: { node: string };
  peerDependencies: Record<string, string>;
}

/** The construct for the Node versions package.json `engines` promises, its peers left to the team's app. */
async function bundleConstruct(manifest: Manifest): Promise<string[]> {
  const minimumNode = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(manifest.engines.node)?.[1];
  if (!minimumNode)
    throw new Error(`package.json engines.node must be ">=x.y", got "${manifest.engines.node}"`);
  const peers = Object.keys(manifest.peerDependencies);
  const { metafile } = await build({
    entryPoints: [projectPath(ENTRY)],
    outfile: join(DIST, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${minimumNode}`,
    external: peers.flatMap((name) => [name, `${name}/*`]),
    // Not minified: a team reads its stack traces when its synth fails.
    minify: false,
    absWorkingDir: PROJECT_ROOT,
    metafile: true,
    logLevel: 'error',
  });
  return Object.keys(metafile.inputs);
}

async function main(): Promise<void> {
  const manifest = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as Manifest;
  rmSync(DIST, { recursive: true, force: true });
  const started = performance.now();
  const functionInputs = await bundleAllEntries(join(DIST, 'lambda'));
  const constructInputs = await bundleConstruct(manifest);
  emitDeclarations(join(DIST, 'types'));
  const bundled = writeNotices(join(DIST, 'THIRD-PARTY-NOTICES.md'), [...functionInputs, ...constructInputs]);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`Built dist/ in ${seconds} s (bundled packages: ${bundled.join(', ') || 'none'})`);
}

await main();
