/**
 * THIRD-PARTY-NOTICES.md: the package ships other people's code inside its bundles (jose in the functions,
 * and whatever else esbuild pulled in), and their licences ask that their notices travel with it. The list
 * comes from esbuild's own account of every bundle's inputs, so it cannot miss a package.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '#infra/paths';
import { VENDORED_MODULE, WEBAUTHN_BROWSER_BUILD } from './vendor-webauthn.ts';

/** `node_modules/@scope/name/…` → `@scope/name`; the last `node_modules/` counts (nested installs). */
export function packageOfInput(input: string): string | undefined {
  return packageDirectoryOfInput(input)?.name;
}

/**
 * The package an input belongs to and its directory (`node_modules/bowser/src/bowser.js` →
 * `node_modules/bowser`): up to the last `node_modules/` and the name, wherever else the name recurs.
 */
export function packageDirectoryOfInput(input: string): { name: string; directory: string } | undefined {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const start = at + 'node_modules/'.length;
  const [first, second] = input.slice(start).split('/');
  if (!first) return undefined;
  const name = first.startsWith('@') ? `${first}/${second}` : first;
  return { name, directory: input.slice(0, start + name.length) };
}

interface BundledPackage {
  name: string;
  version: string;
  license: string;
  text: string | undefined;
}

function describe(name: string, inputs: readonly string[]): BundledPackage {
  const input = inputs.find((path) => packageOfInput(path) === name) as string;
  const directory = projectPath(packageDirectoryOfInput(input)?.directory as string);
  const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
  const licenseFile = readdirSync(directory).find((file) => /^(licen[sc]e|copying)(\.|$)/i.test(file));
  return {
    name,
    version: String(manifest.version),
    license: String(manifest.license ?? 'UNKNOWN'),
    text: licenseFile ? readFileSync(join(directory, licenseFile), 'utf8').trim() : undefined,
  };
}

/** A vendored build is bundled from our sources, not from node_modules: its package's notice goes too. */
const withVendored = (inputs: readonly string[]): readonly string[] =>
  inputs.includes(VENDORED_MODULE) ? [...inputs, WEBAUTHN_BROWSER_BUILD] : inputs;

/** Writes the notices of every package among `inputs` (esbuild metafile inputs) to `file`. */
export function writeNotices(file: string, bundled: readonly string[]): string[] {
  const inputs = withVendored(bundled);
  const names = [...new Set(inputs.map(packageOfInput).filter((name) => name !== undefined))].sort();
  const packages = names.map((name) => describe(name, inputs));
  const sections = packages.map((bundled) =>
    [
      `## ${bundled.name} ${bundled.version} (${bundled.license})`,
      '',
      bundled.text ?? 'The package contains no licence file; its package.json names the licence above.',
    ].join('\n'),
  );
  const own = existsSync(projectPath('LICENSE')) ? 'tinyoauth itself is licensed under LICENSE. ' : '';
  writeFileSync(
    file,
    [
      '# Third-party notices',
      '',
      `${own}The bundles in this package (dist/index.js and every function under dist/lambda/) contain code of the following packages, under their own licences:`,
      '',
      ...sections.flatMap((section) => [section, '']),
    ].join('\n'),
  );
  return names;
}
