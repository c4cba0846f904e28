/**
 * Every Lambda function bundled exactly as `cdk deploy` bundles it from source, for the npm package
 * (which ships the bundles, so that a team's synth needs neither our sources nor our lock file) and for
 * the benchmark (which measures the deployed bundles).
 *
 * NodejsFunction runs `esbuild --bundle <entry> --target=… --platform=node --format=esm
 * --outfile=…/index.mjs --minify --main-fields=module,main` in the project root for the `bundling` props of
 * infra/cdk/function.ts (aws-cdk-lib/aws-lambda-nodejs/lib/bundling.js, buildEsbuildArgs); the props are
 * imported from there.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { BUNDLE_FILE, BUNDLING, bundleDirectory } from '#infra/cdk/function';
import { PROJECT_ROOT, projectPath } from '#infra/paths';

/**
 * The esbuild options NodejsFunction passes for the `bundling` props of infra/cdk/function.ts
 * (`BUNDLING`), derived from them so that what is measured and shipped is what is deployed.
 */
export const DEPLOYED_BUNDLING = {
  bundle: true,
  platform: 'node',
  format: BUNDLING.format === OutputFormat.ESM ? 'esm' : 'cjs',
  target: BUNDLING.target,
  minify: BUNDLING.minify,
  sourcemap: BUNDLING.sourceMap,
  mainFields: BUNDLING.mainFields,
  external: BUNDLING.externalModules,
  alias: aliasesOf(BUNDLING.esbuildArgs),
} as const;

/** `--alias:<package>=<path>` arguments as esbuild's `alias` option (paths relative to the project root). */
function aliasesOf(esbuildArgs: Readonly<Record<string, string | boolean>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(esbuildArgs)
      .filter(([flag]) => flag.startsWith('--alias:'))
      .map(([flag, path]) => [flag.slice('--alias:'.length), String(path)]),
  );
}

/** Where the Lambda entries are: every module there is one function's `handler` (see DESIGN.md). */
const HANDLERS = 'functions/handlers';

/** Every Lambda entry module, relative to the project root as infra/routes.ts writes them. */
export function handlerEntries(): string[] {
  return readdirSync(projectPath(HANDLERS), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => `${HANDLERS}/${file.split('\\').join('/')}`)
    .sort();
}

/**
 * Bundles one entry into `outfile` with the deployed options; returns esbuild's account of it.
 * `overrides`: options that differ from the deployed ones (the benchmark's trades and peers only).
 */
export async function bundleEntry(
  entry: string,
  outfile: string,
  overrides: Partial<BuildOptions> = {},
): Promise<Metafile> {
  const { metafile } = await build({
    ...DEPLOYED_BUNDLING,
    mainFields: [...DEPLOYED_BUNDLING.mainFields],
    external: [...DEPLOYED_BUNDLING.external],
    ...overrides,
    entryPoints: [projectPath(entry)],
    outfile,
    absWorkingDir: PROJECT_ROOT,
    metafile: true,
    logLevel: 'error',
  });
  return metafile;
}

/**
 * Every entry bundled under `directory`, where infra/cdk/function.ts looks for it once
 * `usePrebuiltBundles(directory)` was called. Returns every input file of every bundle (relative to the
 * project root, `node_modules/…` for a package).
 */
export async function bundleAllEntries(directory: string): Promise<string[]> {
  const inputs = new Set<string>();
  for (const entry of handlerEntries()) {
    const outfile = join(directory, bundleDirectory(entry), BUNDLE_FILE);
    const metafile = await bundleEntry(entry, outfile);
    for (const input of Object.keys(metafile.inputs)) inputs.add(input);
  }
  return [...inputs];
}
