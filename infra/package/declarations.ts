/**
 * The package's type declarations: `tsc -p tsconfig.build.json` emits one `.d.ts` per module the entry
 * point reaches, with the import specifiers as our sources write them (`./props.ts`, `#contract/tables`).
 * A team's TypeScript can resolve neither (our `imports` aliases point at sources the package does not
 * ship), so each is rewritten to the relative path of the declaration it names (`./props.js`,
 * `../../functions/contract/tables.js`), and a specifier that leads to no declaration fails the build.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, posix, relative } from 'node:path';
import ts from 'typescript';
import { PROJECT_ROOT, projectPath } from '#infra/paths';

/** package.json `imports` with one `*` each: `#core/*` → `./functions/core/*.ts`. */
type Aliases = Record<string, string>;

function aliases(): Aliases {
  return JSON.parse(readFileSync(projectPath('package.json'), 'utf8')).imports as Aliases;
}

/** The project file a specifier of `file` names (relative to the project root), or undefined for a package. */
function sourceOf(specifier: string, file: string, known: Aliases): string | undefined {
  if (specifier.startsWith('.')) return posix.join(posix.dirname(file), specifier);
  if (!specifier.startsWith('#')) return undefined;
  for (const [pattern, target] of Object.entries(known)) {
    const prefix = pattern.slice(0, pattern.indexOf('*'));
    if (specifier.startsWith(prefix))
      return posix.normalize(target.replace('*', specifier.slice(prefix.length)));
  }
  throw new Error(`${file}: no package.json "imports" alias matches "${specifier}"`);
}

/** Every module specifier of a declaration file, with its position (quotes excluded). */
function specifiers(path: string, text: string): { start: number; end: number; value: string }[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: { start: number; end: number; value: string }[] = [];
  const add = (node: ts.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node))
      found.push({ start: node.getStart(file) + 1, end: node.getEnd() - 1, value: node.text });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** `infra/cdk/props.d.ts` for the source `infra/cdk/props.ts`. */
const declarationOf = (source: string): string => source.replace(/\.ts$/, '.d.ts');

function rewrite(directory: string, declaration: string, known: Aliases): void {
  const path = join(directory, declaration);
  const text = readFileSync(path, 'utf8');
  // The source this declaration was emitted from, as the aliases and relative specifiers see it.
  const source = declaration.replace(/\.d\.ts$/, '.ts');
  let rewritten = '';
  let done = 0;
  for (const { start, end, value } of specifiers(path, text)) {
    const target = sourceOf(value, source, known);
    if (target === undefined) continue;
    if (!existsSync(join(directory, declarationOf(target))))
      throw new Error(`${declaration} imports "${value}", which has no declaration in the package`);
    let relativePath = posix.relative(posix.dirname(source), target.replace(/\.ts$/, '.js'));
    if (!relativePath.startsWith('.')) relativePath = `./${relativePath}`;
    rewritten += text.slice(done, start) + relativePath;
    done = end;
  }
  writeFileSync(path, rewritten + text.slice(done));
}

/** Emits the declarations of tsconfig.build.json's entry point into `directory` and rewrites them. */
export function emitDeclarations(directory: string): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(
    process.execPath,
    [tsc, '-p', projectPath('tsconfig.build.json'), '--declarationDir', directory],
    { cwd: PROJECT_ROOT, stdio: 'inherit' },
  );
  const known = aliases();
  const declarations = readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.d.ts'))
    .map((file) => relative(directory, join(directory, file)).split('\\').join('/'));
  for (const declaration of declarations) rewrite(directory, declaration, known);
}
