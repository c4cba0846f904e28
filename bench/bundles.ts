/**
 * Every function of infra/routes.ts bundled exactly as `cdk deploy` bundles it (infra/package/bundling.ts),
 * the SDK floor, its trades and the peers (bench/references.ts) with the options their spec changes, and
 * what fills each bundle.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';
import { DEFAULT_MEMORY_MB } from '#infra/cdk/function';
import type { FunctionDefinition } from '#infra/function-definition';
import { bundleEntry } from '#infra/package/bundling';
import { type FunctionName, functions } from '#infra/routes';

export interface PackageShare {
  /** `jose`, `aws4fetch`, or `tinyoauth functions/core` for our own code (by directory). */
  name: string;
  bytes: number;
}

/** A tinyoauth function, the SDK floor, the floor without one of our bundling trades, or a peer. */
export type BundleKind = 'function' | 'floor' | 'trade' | 'peer';

export interface BundleSpec {
  name: string;
  kind: BundleKind;
  /** Relative to the project root. */
  entry: string;
  memoryMB?: number;
  /** For a trade: what it does differently. */
  why?: string;
  /** esbuild options that differ from the deployed ones. */
  overrides?: Partial<BuildOptions>;
}

export interface BundleResult {
  name: string;
  kind: BundleKind;
  entry: string;
  why?: string;
  file: string;
  bytes: number;
  memoryMB?: number;
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

/** Every function of infra/routes.ts, as deployed. */
export const FUNCTION_BUNDLES: readonly BundleSpec[] = (
  Object.entries(functions) as [FunctionName, FunctionDefinition][]
).map(([name, definition]) => ({
  name,
  kind: 'function',
  entry: definition.entry,
  memoryMB: memoryOf(definition),
}));

/** One bundle, built with the deployed options (and the spec's overrides), with what fills it. */
export async function bundle(spec: BundleSpec, outputDirectory: string): Promise<BundleResult> {
  const directory = join(outputDirectory, spec.name.replace(/[^A-Za-z0-9]+/g, '-'));
  await mkdir(directory, { recursive: true });
  const file = join(directory, 'index.mjs');
  const metafile = await bundleEntry(spec.entry, file, spec.overrides);
  const [output, meta] = Object.entries(metafile.outputs).find(([path]) => path.endsWith('.mjs')) ?? [];
  if (!output || !meta) throw new Error(`esbuild wrote no bundle for ${spec.name}`);
  const { overrides: _overrides, ...described } = spec;
  return { ...described, file, bytes: meta.bytes, ...shares(metafile, output) };
}

/** Every spec in turn: the functions, then the floor, its trades and the peers (bench/references.ts). */
export async function bundleAll(
  specs: readonly BundleSpec[],
  outputDirectory: string,
): Promise<BundleResult[]> {
  const results: BundleResult[] = [];
  for (const spec of specs) results.push(await bundle(spec, outputDirectory));
  return results;
}
