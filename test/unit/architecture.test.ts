/**
 * The layout's one-way imports, no cycles, and the size limits of the house style, checked on every
 * source file by parsing it (test/support/architecture). The rules table below is the architecture.
 */
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/paths';
import {
  CYCLE_RULE,
  checkArchitecture,
  fileLengthRule,
  functionLengthRule,
  type Limits,
  loadAliases,
  loadProject,
  type Project,
} from '../support/architecture/check.ts';
import {
  describeViolation,
  type ImportRule,
  UNRESOLVED_RULE,
  type Violation,
} from '../support/architecture/rules.ts';

/** Package names, so `aws-cdk-lib/aws-lambda` is `aws-cdk-lib`. */
const CDK = ['aws-cdk-lib', 'constructs', 'cdk-nag'];
/** Builtins that compute rather than reach the file system, the network or other processes. */
const NON_IO_BUILTINS = ['node:crypto', 'node:buffer', 'node:util'];

const RULES: readonly ImportRule[] = [
  {
    rule: 'functions/ never imports infra/, bench/ or test/',
    from: ['functions/'],
    never: { files: ['infra/', 'bench/', 'test/'] },
  },
  { rule: 'nothing in functions/ imports the CDK', from: ['functions/'], never: { packages: CDK } },
  {
    rule: 'functions/contract/ imports only other contract files',
    from: ['functions/contract/'],
    only: { files: ['functions/contract/'] },
  },
  {
    rule: 'functions/core/ imports only core, contract, jose and non-I/O builtins (no AWS, no HTTP, no Lambda)',
    from: ['functions/core/'],
    only: { files: ['functions/core/', 'functions/contract/'], packages: ['jose', ...NON_IO_BUILTINS] },
  },
  {
    rule: 'functions/adapters/ imports adapters, core, contract and packages, never app or handlers',
    from: ['functions/adapters/'],
    only: { files: ['functions/adapters/', 'functions/core/', 'functions/contract/'], packages: ['*'] },
  },
  {
    rule: 'functions/app/ never imports handlers',
    from: ['functions/app/'],
    never: { files: ['functions/handlers/'] },
  },
  {
    rule: 'functions/handlers/ imports only #app/*',
    from: ['functions/handlers/'],
    only: { files: ['functions/app/'] },
  },
  { rule: 'infra/cdk/ never imports infra/local/', from: ['infra/cdk/'], never: { files: ['infra/local/'] } },
  {
    rule: 'infra/cdk/ never imports infra/package/ (the package wraps the construct, not the reverse)',
    from: ['infra/cdk/'],
    never: { files: ['infra/package/'] },
  },
  {
    rule: 'the AWS SDK is imported only by functions/adapters/aws/ and the stores of functions/adapters/dynamo/',
    from: [
      'functions/app/',
      'functions/handlers/',
      'functions/adapters/endpoints/',
      'functions/adapters/http/',
      'functions/adapters/keys/',
      'functions/adapters/web/',
      'functions/adapters/authorizer-settings.ts',
      'functions/adapters/config.ts',
      'functions/adapters/http-client.ts',
      'functions/adapters/logger.ts',
    ],
    never: { packages: ['@aws-sdk/*', '@smithy/*'] },
  },
  {
    // The MCP SDK, zod and ajv run code at import: some 200 KB in every bundle that reaches them.
    rule: 'only the MCP server entry reaches the MCP server (app/mcp-endpoint.ts), no shared composition module',
    from: [
      'functions/app/endpoints',
      'functions/app/services',
      'functions/app/runtime',
      'functions/app/account-',
      'functions/app/admin-',
    ],
    never: { files: ['functions/app/mcp-endpoint.ts', 'functions/adapters/endpoints/protected/mcp.ts'] },
  },
];

/** Production code, tooling and test helpers; a test file may be long, it is a list of cases. */
const LIMITS: Limits = {
  fileLines: 300,
  functionLines: 60,
  measured: (path) => /^(functions|infra|bench|test)\//.test(path) && !path.endsWith('.test.ts'),
};

const check = (project: Project) => checkArchitecture(project, RULES, LIMITS);
const broken = (violations: Violation[], rule: string) =>
  violations.filter((violation) => violation.rule === rule).map(describeViolation);

describe('the project', () => {
  const violations = check(loadProject(PROJECT_ROOT, ['functions', 'infra', 'bench', 'test']));

  it.each(RULES.map((rule) => [rule.rule]))('%s', (rule) => {
    expect(broken(violations, rule)).toEqual([]);
  });

  it.each([[UNRESOLVED_RULE], [CYCLE_RULE], [fileLengthRule(LIMITS)], [functionLengthRule(LIMITS)]])(
    '%s',
    (rule) => {
      expect(broken(violations, rule)).toEqual([]);
    },
  );
});

describe('the checker', () => {
  const aliases = loadAliases(PROJECT_ROOT);
  const violationsIn = (files: Record<string, string>) =>
    check({ sources: Object.entries(files).map(([path, text]) => ({ path, text })), aliases }).map(
      describeViolation,
    );
  const coreRule = RULES.find((rule) => rule.from.includes('functions/core/'))!.rule;
  const ruleFrom = (folder: string) => RULES.find((rule) => rule.from.includes(folder))!.rule;

  it('refuses an upward import through an alias and names file, import and rule', () => {
    expect(
      violationsIn({
        'functions/core/users/accounts.ts': "import { send } from '#adapters/http/responses';\n",
        'functions/adapters/http/responses.ts': 'export const send = 1;\n',
      }),
    ).toEqual([
      `functions/core/users/accounts.ts:1 imports '#adapters/http/responses' (functions/adapters/http/responses.ts) (rule: ${coreRule})`,
    ]);
  });

  it('sees type-only imports, re-exports, dynamic imports and import types, and no strings or comments', () => {
    const found = violationsIn({
      'functions/core/a.ts': [
        "import type { Context } from 'aws-lambda';",
        "export { readFile } from 'node:fs/promises';",
        "const later = () => import('@aws-sdk/client-dynamodb');",
        "type Handler = import('aws-lambda').Handler;",
        "const text = \"import x from 'node:http'\"; // import('node:net')",
        "import { createHash } from 'node:crypto';",
        "import { jwtVerify } from 'jose';",
      ].join('\n'),
    });
    expect(found.map((line) => line.split(' (rule')[0])).toEqual([
      "functions/core/a.ts:1 imports 'aws-lambda'",
      "functions/core/a.ts:2 imports 'node:fs/promises'",
      "functions/core/a.ts:3 imports '@aws-sdk/client-dynamodb'",
      "functions/core/a.ts:4 imports 'aws-lambda'",
    ]);
  });

  it.each([
    ['functions/contract/', { 'functions/contract/a.ts': "import 'jose';" }],
    [
      'functions/contract/',
      { 'functions/contract/a.ts': "export * from '../core/b.ts';", 'functions/core/b.ts': '' },
    ],
    [
      'functions/adapters/',
      { 'functions/adapters/a.ts': "import '#app/services';", 'functions/app/services.ts': '' },
    ],
    [
      'functions/app/',
      { 'functions/app/a.ts': "import '../handlers/x/y.ts';", 'functions/handlers/x/y.ts': '' },
    ],
    [
      'functions/handlers/',
      { 'functions/handlers/x/y.ts': "import '#core/clock';", 'functions/core/clock.ts': '' },
    ],
    ['functions/handlers/', { 'functions/handlers/x/y.ts': "import type { Context } from 'aws-lambda';" }],
    ['infra/cdk/', { 'infra/cdk/stack.ts': "import '../local/start.ts';", 'infra/local/start.ts': '' }],
  ])('applies the rule for %s', (folder, files) => {
    expect(violationsIn(files)).toEqual([expect.stringContaining(`(rule: ${ruleFrom(folder)})`)]);
  });

  it('refuses functions/ importing infra/ and the CDK', () => {
    const found = violationsIn({
      'functions/app/a.ts': "import '#infra/routes';\nimport { Stack } from 'aws-cdk-lib';",
      'infra/routes.ts': '',
    });
    expect(found).toEqual([
      "functions/app/a.ts:1 imports '#infra/routes' (infra/routes.ts) (rule: functions/ never imports infra/, bench/ or test/)",
      "functions/app/a.ts:2 imports 'aws-cdk-lib' (rule: nothing in functions/ imports the CDK)",
    ]);
  });

  it('reports an import that leads to no file', () => {
    expect(violationsIn({ 'infra/a.ts': "import './missing.ts';" })).toEqual([
      `infra/a.ts:1 imports './missing.ts' (rule: ${UNRESOLVED_RULE})`,
    ]);
  });

  it('reports an import cycle with its path', () => {
    expect(
      violationsIn({
        'functions/core/a.ts': "import './b.ts';",
        'functions/core/b.ts': "import type { C } from '#core/c';",
        'functions/core/c.ts': "export { a } from './a.ts';",
        'functions/core/d.ts': "import './a.ts';",
      }),
    ).toEqual([
      `functions/core/a.ts:1 cycle functions/core/a.ts → functions/core/b.ts → functions/core/c.ts → functions/core/a.ts (rule: ${CYCLE_RULE})`,
    ]);
  });

  const functionOf = (options: { name: string; lines: number; comment?: string }) =>
    [
      `${options.comment ?? '/** Short. */'}`,
      `export function ${options.name}() {`,
      ...Array.from({ length: options.lines - 2 }, (_, index) => `  console.log(${index});`),
      '}',
    ].join('\n');

  it('reports a function over 60 lines, not one of 60, nor one whose comment says why it is long', () => {
    const found = violationsIn({
      'bench/a.ts': [
        functionOf({ name: 'tooLong', lines: 61 }),
        functionOf({ name: 'justRight', lines: 60 }),
        functionOf({ name: 'excused', lines: 90, comment: '// Long because it is a table of cases.' }),
      ].join('\n'),
    });
    expect(found).toEqual([
      `bench/a.ts:2 tooLong has 61 lines of its own code (rule: ${functionLengthRule(LIMITS)})`,
    ]);
  });

  it("counts a closure's lines for the closure, not for the function around it", () => {
    const inner = functionOf({ name: 'inner', lines: 70 }).replace(
      'export function inner()',
      'const inner = () =>',
    );
    const found = violationsIn({ 'infra/a.ts': `export function outer() {\n${inner}\n  return inner;\n}\n` });
    expect(found).toEqual([
      `infra/a.ts:3 inner has 70 lines of its own code (rule: ${functionLengthRule(LIMITS)})`,
    ]);
  });

  it('reports a source file over 300 lines, but not a test file', () => {
    const lines = (count: number) => 'export const x = 1;\n'.repeat(count);
    const found = violationsIn({
      'infra/a.ts': lines(301),
      'infra/b.ts': lines(300),
      'test/unit/c.test.ts': lines(400),
    });
    expect(found).toEqual([`infra/a.ts:1 has 301 lines (rule: ${fileLengthRule(LIMITS)})`]);
  });
});
