/** How the benchmark writes numbers: milliseconds with their spread, KB, dollars, Markdown tables. */
import type { Throughput } from './authorizer.ts';
import type { Summary } from './stats.ts';

export const kb = (bytes: number) => bytes / 1024;
export const fixed = (value: number, digits = 1) => value.toFixed(digits);
/** A difference with its sign, minus as U+2212: `+4.0`, `−16.9`. */
export const signed = (value: number) => `${value >= 0 ? '+' : '−'}${fixed(Math.abs(value))}`;
export const ms = (summary: Summary) =>
  `${fixed(summary.median)} (${fixed(summary.p10)}–${fixed(summary.p90)})`;
export const usd = (value: number) =>
  value >= 100 ? `$${value.toFixed(0)}` : value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`;
export const rate = (throughput: Throughput) =>
  `${throughput.opsPerSecond.toFixed(0)} (${throughput.batches.p10.toFixed(0)}–${throughput.batches.p90.toFixed(0)})`;
export const verdict = (pass: boolean) => (pass ? 'PASS' : 'FAIL');

/** A Markdown table whose columns line up in a terminal as well. */
export function table(header: string[], rows: string[][], alignRight: boolean[] = []): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const cell = (text: string, column: number) =>
    alignRight[column] ? text.padStart(widths[column] ?? 0) : text.padEnd(widths[column] ?? 0);
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `| ${widths.map((width, column) => (alignRight[column] ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
