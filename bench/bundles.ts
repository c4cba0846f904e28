/**
 * Every function of infra/routes.ts bundled exactly as `cdk deploy` bundles it, and what fills each bundle.
 *
 * NodejsFunction runs `esbuild --bundle <entry> --target=… --platform=node --format=esm
 * --outfile=…/index.mjs --minify --main-fields=module,main` in the project root for the `bundling` props of
 * infra/cdk/function.ts (aws-cdk-lib/aws-lambda-nodejs/lib/bundling.js, buildEsbuildArgs); the props and
 * the default memory are imported from there.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build, type Metafile } from 'esbuild';
import { BUNDLING, DEFAULT_MEMORY_MB } from '#infra/cdk/function';
import { PROJECT_ROOT } from '#infra/paths';
import { type FunctionDefinition, type FunctionName, functions } from '#infra/routes';

/**
 * The esbuild options NodejsFunction passes for the `bundling` props of infra/cdk/function.ts
 * (`BUNDLING`), derived from them so that the benchmark measures the deployed bundles.
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
} as const;

export interface PackageShare {
  /** `jose`, `aws4fetch`, or `tinyoauth functions/core` for our own code (by directory). */
  name: string;
  bytes: number;
}

export interface BundleResult {
  name: FunctionName;
  entry: string;
  file: string;
  bytes: number;
  memoryMB: number;
  /** Minified bytes each package (or directory of our own code) contributes, largest first. */
  packages: PackageShare[];
  /** The largest single modules. */
  topInputs: PackageShare[];
}

/** Which package (or which directory of our own code) a metafile input belongs to. */
export function packageOf(input: string): string {
  const modules = input.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [first, second] = input.slice(modules + 'node_modules/'.length).split('/');
    return first?.startsWith('@') ? `${first}/${second}` : (first ?? input);
  }
  const directory = input.split('/').slice(0, 2).join('/');
  return `tinyoauth ${directory}`;
}

function shares(metafile: Metafile, output: string): { packages: PackageShare[]; topInputs: PackageShare[] } {
  const inputs = Object.entries(metafile.outputs[output]?.inputs ?? {}).map(([name, input]) => ({
    name,
    bytes: input.bytesInOutput,
  }));
  const byPackage = new Map<string, number>();
  for (const input of inputs) {
    const name = packageOf(input.name);
    byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytes);
  }
  const largestFirst = (a: PackageShare, b: PackageShare) => b.bytes - a.bytes;
  return {
    packages: [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort(largestFirst),
    topInputs: inputs.sort(largestFirst).slice(0, 5),
  };
}

export const memoryOf = (definition: FunctionDefinition): number => definition.memoryMB ?? DEFAULT_MEMORY_MB;

export async function bundleAll(outputDirectory: string): Promise<BundleResult[]> {
  const results: BundleResult[] = [];
  for (const [name, definition] of Object.entries(functions) as [FunctionName, FunctionDefinition][]) {
    const directory = join(outputDirectory, name);
    await mkdir(directory, { recursive: true });
    const file = join(directory, 'index.mjs');
    const { metafile } = await build({
      ...DEPLOYED_BUNDLING,
      mainFields: [...DEPLOYED_BUNDLING.mainFields],
      external: [...DEPLOYED_BUNDLING.external],
      entryPoints: [join(PROJECT_ROOT, definition.entry)],
      outfile: file,
      absWorkingDir: PROJECT_ROOT,
      metafile: true,
      logLevel: 'error',
    });
    const [output, meta] = Object.entries(metafile.outputs).find(([path]) => path.endsWith('.mjs')) ?? [];
    if (!output || !meta) throw new Error(`esbuild wrote no bundle for ${name}`);
    results.push({
      name,
      entry: definition.entry,
      file,
      bytes: meta.bytes,
      memoryMB: memoryOf(definition),
      ...shares(metafile, output),
    });
  }
  return results;
}
