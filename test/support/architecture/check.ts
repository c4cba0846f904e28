/**
 * The whole architecture check over a set of sources, on disk or in memory: import rules, unresolved
 * imports, cycles, file length and function length, each failure a `Violation` naming file, line and rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { importCycles } from './cycles.ts';
import { type Aliases, importsOf, isSourcePath, parse, type SourceText } from './imports.ts';
import { type ImportRule, importViolations, type Violation } from './rules.ts';
import { functionSizes, lineCount } from './size.ts';

export const CYCLE_RULE = 'no import cycles among project files';

export interface Limits {
  fileLines: number;
  functionLines: number;
  /** Which files the two length limits apply to. */
  measured: (path: string) => boolean;
}

export interface Project {
  sources: readonly SourceText[];
  aliases: Aliases;
  /** Every path an import may lead to (JSON, assets); defaults to the sources' paths. */
  known?: readonly string[];
}

export const fileLengthRule = (limits: Limits) => `no source file over ${limits.fileLines} lines`;
export const functionLengthRule = (limits: Limits) =>
  `no function over ${limits.functionLines} lines of its own code unless the comment above says 'Long because'`;

export function checkArchitecture(
  project: Project,
  rules: readonly ImportRule[],
  limits: Limits,
): Violation[] {
  const files = project.sources.map(parse);
  const known = new Set(project.known ?? project.sources.map((source) => source.path));
  const imports = importsOf(files, { aliases: project.aliases, known });
  const cycles = importCycles(imports).map(
    (cycle): Violation => ({
      rule: CYCLE_RULE,
      file: cycle[0]!,
      line: 1,
      detail: `cycle ${cycle.join(' → ')}`,
    }),
  );
  const sizes = files.filter((file) => limits.measured(file.fileName));
  const longFiles = sizes
    .map((file) => ({ file: file.fileName, lines: lineCount(file.text) }))
    .filter(({ lines }) => lines > limits.fileLines)
    .map(
      ({ file, lines }): Violation => ({
        rule: fileLengthRule(limits),
        file,
        line: 1,
        detail: `has ${lines} lines`,
      }),
    );
  const longFunctions = sizes.flatMap((file) =>
    functionSizes(file)
      .filter((fn) => fn.ownLines > limits.functionLines && !fn.excused)
      .map(
        (fn): Violation => ({
          rule: functionLengthRule(limits),
          file: file.fileName,
          line: fn.line,
          detail: `${fn.name} has ${fn.ownLines} lines of its own code`,
        }),
      ),
  );
  return [...importViolations(imports, rules), ...cycles, ...longFiles, ...longFunctions];
}

const SKIPPED_FOLDERS = new Set(['node_modules', 'cdk.out', '.data', 'results']);

function filesUnder(root: string, folder: string): string[] {
  return readdirSync(join(root, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((path) => !path.split('/').some((segment) => SKIPPED_FOLDERS.has(segment)));
}

/** The project as it is on disk: the sources under `folders` and the package.json `imports` aliases. */
export function loadProject(root: string, folders: readonly string[]): Project {
  const known = folders.flatMap((folder) => filesUnder(root, folder));
  const sources = known
    .filter(isSourcePath)
    .map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));
  return { sources, aliases: loadAliases(root), known };
}

/** package.json `imports`, the `#…` aliases. */
export function loadAliases(root: string): Aliases {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).imports as Aliases;
}
