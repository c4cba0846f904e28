/**
 * The benchmark's targets (bench/settings.ts), each checked against what was measured in this run: the
 * functions against the SDK floor, the authorizer against raw `jwtVerify`, the flow's one-read steps by
 * their DynamoDB requests, and the slowest function against node-oidc-provider.
 */
import { AUTHORIZER } from '#infra/routes';
import type { ThroughputResult } from './authorizer.ts';
import type { BundleResult } from './bundles.ts';
import type { ColdInitResult } from './cold-init.ts';
import type { FlowResult } from './flow.ts';
import { fixed, kb, signed } from './format.ts';
import { OIDC_PROVIDER, SDK_FLOOR } from './references.ts';
import { TARGETS } from './settings.ts';

export interface TargetRow {
  target: string;
  limit: string;
  measured: string;
  pass: boolean;
  /** The function a row is about, when it is about one. */
  subject?: string;
}

export interface Measurements {
  bundles: readonly BundleResult[];
  coldInit: readonly ColdInitResult[];
  throughput: ThroughputResult;
  flow: FlowResult;
}

function medianInit(coldInit: readonly ColdInitResult[], name: string): number {
  const found = coldInit.find((entry) => entry.name === name);
  if (!found) throw new Error(`No cold-init measurement of ${name}`);
  return found.initMs.median;
}

function bundleOf(bundles: readonly BundleResult[], name: string): BundleResult {
  const found = bundles.find((bundle) => bundle.name === name);
  if (!found) throw new Error(`No bundle of ${name}`);
  return found;
}

/** Cold init and bundle size of every function, each against the floor of the same run. */
function functionRows({ bundles, coldInit }: Measurements): TargetRow[] {
  const floorInit = medianInit(coldInit, SDK_FLOOR);
  const floorKB = kb(bundleOf(bundles, SDK_FLOOR).bytes);
  return bundles
    .filter((bundle) => bundle.kind === 'function')
    .flatMap((bundle) => {
      const over =
        bundle.name === AUTHORIZER ? TARGETS.authorizerInitOverFloorMs : TARGETS.endpointInitOverFloorMs;
      const init = medianInit(coldInit, bundle.name);
      const size = kb(bundle.bytes);
      return [
        {
          target: `${bundle.name} cold init (median)`,
          limit: `≤ floor + ${over} ms (${fixed(floorInit + over)} ms)`,
          measured: `${fixed(init)} ms (floor ${signed(init - floorInit)})`,
          pass: init <= floorInit + over,
          subject: bundle.name,
        },
        {
          target: `${bundle.name} bundle`,
          limit: `≤ floor + ${TARGETS.bundleOverFloorKB} KB (${fixed(floorKB + TARGETS.bundleOverFloorKB)} KB)`,
          measured: `${fixed(size)} KB (floor ${signed(size - floorKB)})`,
          pass: size <= floorKB + TARGETS.bundleOverFloorKB,
          subject: bundle.name,
        },
      ];
    });
}

function oneReadRows({ flow }: Measurements): TargetRow[] {
  return TARGETS.oneReadSteps.map((name) => {
    const step = flow.steps.find((candidate) => candidate.step === name);
    if (!step) throw new Error(`The flow has no step ${name}`);
    return {
      target: `${name}: DynamoDB requests`,
      limit: `= ${TARGETS.oneReadStepRequests}`,
      measured: String(step.requests),
      pass: step.requests === TARGETS.oneReadStepRequests,
    };
  });
}

function slowestVersusPeer({ bundles, coldInit }: Measurements): TargetRow {
  const [slowest] = bundles
    .filter((bundle) => bundle.kind === 'function')
    .map((bundle) => ({ name: bundle.name, init: medianInit(coldInit, bundle.name) }))
    .sort((a, b) => b.init - a.init);
  if (!slowest) throw new Error('No function was measured');
  const peer = medianInit(coldInit, OIDC_PROVIDER);
  return {
    target: `slowest function's cold init (${slowest.name}) vs ${OIDC_PROVIDER}`,
    limit: `< ${fixed(peer)} ms`,
    measured: `${fixed(slowest.init)} ms`,
    pass: slowest.init < peer,
  };
}

export function evaluateTargets(measured: Measurements): TargetRow[] {
  const { throughput } = measured;
  return [
    {
      target: 'authorizer warm throughput / raw jwtVerify',
      limit: `≥ ${TARGETS.authorizerThroughputRatio}`,
      // The key path as deployed (remote JWKS, cached): what Lambda runs.
      measured: fixed(throughput.ratioRemote, 3),
      pass: throughput.ratioRemote >= TARGETS.authorizerThroughputRatio,
    },
    ...functionRows(measured),
    ...oneReadRows(measured),
    slowestVersusPeer(measured),
  ];
}
