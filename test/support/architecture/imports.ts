/**
 * What a source file imports, read with the TypeScript parser rather than a regular expression so that
 * `import type`, `export … from`, `import('…')`, `import('…').T` types and `require('…')` all count, and
 * a specifier inside a string or a comment does not.
 */
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import ts from 'typescript';

/** A project file, by its path from the project root with forward slashes. */
export interface SourceText {
  path: string;
  text: string;
}

/** Where an import leads: a project file, an npm package, a Node builtin (`node:…`), or nowhere. */
export type ImportTarget =
  | { kind: 'file'; path: string }
  | { kind: 'package'; name: string }
  | { kind: 'builtin'; name: string }
  | { kind: 'unresolved' };

export interface Import {
  file: string;
  line: number;
  specifier: string;
  target: ImportTarget;
}

/** package.json `imports`: `#core/*` → `./functions/core/*.ts`. */
export type Aliases = Record<string, string>;

const SOURCE_EXTENSIONS = ['.ts', '.mts', '.mjs', '.js'];

export function parse(source: SourceText): ts.SourceFile {
  const kind = /\.m?js$/.test(source.path) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  return ts.createSourceFile(source.path, source.text, ts.ScriptTarget.Latest, true, kind);
}

export function isSourcePath(path: string): boolean {
  return SOURCE_EXTENSIONS.some((extension) => path.endsWith(extension)) && !path.endsWith('.d.ts');
}

/** Every module specifier written as a string literal in the file, with its line (1-based). */
export function specifiersOf(file: ts.SourceFile): { specifier: string; line: number }[] {
  const found: { specifier: string; line: number }[] = [];
  const add = (literal: ts.Node | undefined) => {
    if (literal && ts.isStringLiteralLike(literal)) {
      const line = file.getLineAndCharacterOfPosition(literal.getStart(file)).line + 1;
      found.push({ specifier: literal.text, line });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    else if (ts.isCallExpression(node) && isImportOrRequire(node.expression)) add(node.arguments[0]);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function isImportOrRequire(callee: ts.Expression): boolean {
  return (
    callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')
  );
}

/**
 * Resolves a specifier the way Node and the bundler would for this project: `#alias/*` through the
 * package.json patterns, `./` and `../` against the importing file, `node:x` and bare builtins to `node:x`,
 * anything else to its npm package name.
 */
export function resolve(options: {
  from: string;
  specifier: string;
  aliases: Aliases;
  exists: (path: string) => boolean;
}): ImportTarget {
  const { from, specifier, aliases, exists } = options;
  if (specifier.startsWith('#')) {
    const path = expandAlias(specifier, aliases);
    return path !== undefined && exists(path) ? { kind: 'file', path } : { kind: 'unresolved' };
  }
  if (specifier.startsWith('.')) {
    const joined = posix.normalize(posix.join(posix.dirname(from), specifier));
    const path = candidatesFor(joined).find(exists);
    return path ? { kind: 'file', path } : { kind: 'unresolved' };
  }
  const bare = specifier.replace(/^node:/, '');
  if (specifier.startsWith('node:') || builtinModules.includes(bare))
    return { kind: 'builtin', name: `node:${bare}` };
  const segments = specifier.split('/');
  const name = specifier.startsWith('@') ? segments.slice(0, 2).join('/') : (segments[0] ?? specifier);
  return { kind: 'package', name };
}

function expandAlias(specifier: string, aliases: Aliases): string | undefined {
  for (const [pattern, target] of Object.entries(aliases)) {
    const [prefix, suffix = ''] = pattern.split('*');
    if (prefix === undefined || !specifier.startsWith(prefix) || !specifier.endsWith(suffix)) continue;
    const matched = specifier.slice(prefix.length, specifier.length - suffix.length);
    return posix.normalize(target.replace('*', matched));
  }
  return undefined;
}

function candidatesFor(path: string): string[] {
  const withoutJs = path.replace(/\.(m?)js$/, '.$1ts');
  return [path, withoutJs, `${path}.ts`, `${path}/index.ts`];
}

/** All imports of the given files; `known` is every path an import may lead to. */
export function importsOf(
  files: readonly ts.SourceFile[],
  options: { aliases: Aliases; known: Set<string> },
) {
  const exists = (path: string) => options.known.has(path);
  return files.flatMap((file) =>
    specifiersOf(file).map(({ specifier, line }): Import => {
      const target = resolve({ from: file.fileName, specifier, aliases: options.aliases, exists });
      return { file: file.fileName, line, specifier, target };
    }),
  );
}
