/** The bundle sections of the report: every function, then the floor, its trades and the peers, then the cold path. */
import type { BundleResult } from './bundles.ts';
import type { ColdInitResult } from './cold-init.ts';
import type { ColdPathResult } from './cold-path.ts';
import { fixed, kb, ms, signed, table } from './format.ts';
import { SDK_FLOOR } from './references.ts';
import type { TargetRow } from './targets.ts';

export interface BundleSections {
  bundles: BundleResult[];
  coldInit: ColdInitResult[];
  coldPath: ColdPathResult[];
  targets: TargetRow[];
}

const initOf = (coldInit: readonly ColdInitResult[], name: string) =>
  coldInit.find((entry) => entry.name === name) as ColdInitResult;

const largestParts = (bundle: BundleResult) =>
  bundle.packages
    .slice(0, 3)
    .map((part) => `${part.name} ${fixed(kb(part.bytes))}`)
    .join(', ');

function functionsTable({ bundles, coldInit, targets }: BundleSections): string {
  const floor = bundles.find((bundle) => bundle.name === SDK_FLOOR) as BundleResult;
  const floorInit = initOf(coldInit, SDK_FLOOR).initMs.median;
  const rows = bundles
    .filter((bundle) => bundle.kind === 'function')
    .map((bundle) => {
      const init = initOf(coldInit, bundle.name);
      const own = targets.filter((row) => row.subject === bundle.name);
      return [
        bundle.name,
        `${bundle.memoryMB} MB`,
        fixed(kb(bundle.bytes)),
        signed(kb(bundle.bytes - floor.bytes)),
        largestParts(bundle),
        ms(init.initMs),
        signed(init.initMs.median - floorInit),
        init.io.length === 0 ? 'none' : init.io.join('; '),
        own.every((row) => row.pass) ? 'PASS' : 'FAIL',
      ];
    });
  return table(
    [
      'Function',
      'Memory',
      'Bundle KB',
      'vs floor KB',
      'Largest parts (KB)',
      'Init ms median (p10–p90)',
      'vs floor ms',
      'Init I/O',
      'Targets',
    ],
    rows,
    [false, true, true, true, false, true, true, false, false],
  );
}

function referencesTable({ bundles, coldInit }: BundleSections): string {
  const rows = bundles
    .filter((bundle) => bundle.kind !== 'function')
    .map((bundle) => [
      bundle.name,
      bundle.kind === 'trade' ? `trade: ${bundle.why}` : bundle.kind,
      fixed(kb(bundle.bytes)),
      largestParts(bundle),
      ms(initOf(coldInit, bundle.name).initMs),
    ]);
  return table(['Reference', 'What', 'Bundle KB', 'Largest parts (KB)', 'Init ms median (p10–p90)'], rows, [
    false,
    false,
    true,
    false,
    true,
  ]);
}

export function bundlesSection(sections: BundleSections): string[] {
  return [
    '',
    '### Bundles and cold init',
    '',
    functionsTable(sections),
    '',
    '### The SDK floor, the trades, and the peers (same method, same run)',
    '',
    referencesTable(sections),
    '',
    '### Cold path: module init + the first DynamoDB response, in a fresh process',
    '',
    table(
      ['Bundle', 'First request', 'Init ms', 'First response ms', 'Total ms'],
      sections.coldPath.map((path) => [
        path.name,
        path.request,
        ms(path.initMs),
        ms(path.firstResponseMs),
        ms(path.totalMs),
      ]),
      [false, false, true, true, true],
    ),
  ];
}
