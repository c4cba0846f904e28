/** The benchmark's targets (bench/settings.ts), each checked against what was measured. */
import { AUTHORIZER } from '#infra/routes';
import type { ThroughputResult } from './authorizer.ts';
import type { BundleResult } from './bundles.ts';
import type { ColdInitResult } from './cold-init.ts';
import { fixed, kb } from './format.ts';
import { TARGETS } from './settings.ts';

export interface TargetRow {
  target: string;
  limit: string;
  measured: string;
  pass: boolean;
}

export function evaluateTargets(
  bundles: readonly BundleResult[],
  coldInit: readonly ColdInitResult[],
  throughput: ThroughputResult,
): TargetRow[] {
  const rows: TargetRow[] = [
    {
      target: 'authorizer warm throughput / raw jwtVerify',
      limit: `≥ ${TARGETS.authorizerThroughputRatio}`,
      // The key path as deployed (remote JWKS, cached): what Lambda runs.
      measured: fixed(throughput.ratioRemote, 3),
      pass: throughput.ratioRemote >= TARGETS.authorizerThroughputRatio,
    },
  ];
  for (const bundle of bundles) {
    const init = coldInit.find((entry) => entry.name === bundle.name);
    if (!init) throw new Error(`No cold-init measurement of ${bundle.name}`);
    const isAuthorizer = bundle.name === AUTHORIZER;
    const initLimit = isAuthorizer ? TARGETS.authorizerColdInitMs : TARGETS.endpointColdInitMs;
    const sizeLimit = isAuthorizer ? TARGETS.authorizerBundleKB : TARGETS.endpointBundleKB;
    rows.push(
      {
        target: `${bundle.name} cold init (median)`,
        limit: `≤ ${initLimit} ms`,
        measured: `${fixed(init.initMs.median)} ms`,
        pass: init.initMs.median <= initLimit,
      },
      {
        target: `${bundle.name} bundle`,
        limit: `≤ ${sizeLimit} KB`,
        measured: `${fixed(kb(bundle.bytes))} KB`,
        pass: kb(bundle.bytes) <= sizeLimit,
      },
    );
  }
  return rows;
}
