/**
 * Every function of infra/routes.ts bundled exactly as `cdk deploy` bundles it (infra/package/bundling.ts),
 * and what fills each bundle.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { DEFAULT_MEMORY_MB } from '#infra/cdk/function';
import type { FunctionDefinition } from '#infra/function-definition';
import { bundleEntry } from '#infra/package/bundling';
import { type FunctionName, functions } from '#infra/routes';

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
    const metafile = await bundleEntry(definition.entry, file);
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
