/** Order statistics for repeated measurements: the median and a spread that one outlier cannot move. */

export interface Summary {
  runs: number;
  median: number;
  /** 10th and 90th percentile (nearest rank); with fewer than ten runs these are the min and max. */
  p10: number;
  p90: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile of sorted values, `fraction` in [0, 1]. */
function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) throw new Error('No measurements to summarise');
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] as number;
}

export function summarise(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = Number.isInteger(middle)
    ? ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
    : (sorted[Math.floor(middle)] as number);
  return {
    runs: sorted.length,
    median,
    p10: percentile(sorted, 0.1),
    p90: percentile(sorted, 0.9),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
  };
}

export const round = (value: number, digits = 2): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};
