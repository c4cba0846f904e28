/**
 * Import rules as data. A rule governs the files under its `from` folders and either lists the only
 * things they may import (`only`) or the things they must never import (`never`).
 */
import type { Import, ImportTarget } from './imports.ts';

/**
 * Folders end in `/` and match every file below them. Packages match by name; a trailing `*` matches any
 * continuation (`@aws-sdk/*`, `node:fs*`). Node builtins are packages named `node:…`.
 */
export interface Targets {
  files?: readonly string[];
  packages?: readonly string[];
}

export interface ImportRule {
  /** The rule as a sentence; it is what a failure says was broken. */
  rule: string;
  from: readonly string[];
  only?: Targets;
  never?: Targets;
}

export interface Violation {
  rule: string;
  file: string;
  line: number;
  detail: string;
}

export const UNRESOLVED_RULE = 'every relative and #alias import names an existing project file';

export function describeViolation(violation: Violation): string {
  return `${violation.file}:${violation.line} ${violation.detail} (rule: ${violation.rule})`;
}

function matchesName(name: string, pattern: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

function matches(target: ImportTarget, targets: Targets): boolean {
  switch (target.kind) {
    case 'file':
      return (targets.files ?? []).some((folder) => target.path.startsWith(folder));
    case 'package':
    case 'builtin':
      return (targets.packages ?? []).some((pattern) => matchesName(target.name, pattern));
    case 'unresolved':
      return false;
  }
}

function describeTarget(imported: Import): string {
  const { specifier, target } = imported;
  if (target.kind === 'file' && target.path !== specifier) return `'${specifier}' (${target.path})`;
  return `'${specifier}'`;
}

function breaks(rule: ImportRule, imported: Import): boolean {
  if (!rule.from.some((folder) => imported.file.startsWith(folder))) return false;
  if (imported.target.kind === 'unresolved') return false;
  if (rule.only && !matches(imported.target, rule.only)) return true;
  return rule.never !== undefined && matches(imported.target, rule.never);
}

/** One violation per import and rule it breaks, plus one per import that leads nowhere. */
export function importViolations(imports: readonly Import[], rules: readonly ImportRule[]): Violation[] {
  const violations: Violation[] = [];
  for (const imported of imports) {
    const at = { file: imported.file, line: imported.line, detail: `imports ${describeTarget(imported)}` };
    if (imported.target.kind === 'unresolved') violations.push({ rule: UNRESOLVED_RULE, ...at });
    for (const rule of rules) if (breaks(rule, imported)) violations.push({ rule: rule.rule, ...at });
  }
  return violations;
}
