/** The benchmark's output: plain-text tables (also valid Markdown) and the targets as PASS/MISS rows. */
import { AUTHORIZER } from '#infra/routes';
import type { RevocationCheckResult, Throughput, ThroughputResult } from './authorizer.ts';
import type { BundleResult } from './bundles.ts';
import type { ColdInitResult } from './cold-init.ts';
import type { CostResult } from './cost.ts';
import type { FirstRequestResult } from './first-request.ts';
import type { FlowResult } from './flow.ts';
import type { Machine } from './machine.ts';
import type { ScryptResult } from './scrypt.ts';
import { TARGETS } from './settings.ts';
import type { Summary } from './stats.ts';

export interface Results {
  date: string;
  mode: string;
  command: string;
  machine: Machine;
  dynamoDb: string;
  bundles: BundleResult[];
  coldInit: ColdInitResult[];
  firstRequest: FirstRequestResult;
  throughput: ThroughputResult;
  revocation: RevocationCheckResult;
  flow: FlowResult;
  scrypt: ScryptResult;
  cost: CostResult;
  targets: TargetRow[];
}

export interface TargetRow {
  target: string;
  limit: string;
  measured: string;
  pass: boolean;
}

export const kb = (bytes: number) => bytes / 1024;
const fixed = (value: number, digits = 1) => value.toFixed(digits);
const ms = (summary: Summary) => `${fixed(summary.median)} (${fixed(summary.p10)}–${fixed(summary.p90)})`;
const usd = (value: number) =>
  value >= 100 ? `$${value.toFixed(0)}` : value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`;
const rate = (throughput: Throughput) =>
  `${throughput.opsPerSecond.toFixed(0)} (${throughput.batches.p10.toFixed(0)}–${throughput.batches.p90.toFixed(0)})`;
const verdict = (pass: boolean) => (pass ? 'PASS' : 'MISS');

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

export function render(results: Results): string {
  const { machine, bundles, coldInit, firstRequest, throughput, revocation, flow, scrypt, cost, targets } =
    results;
  const out: string[] = [];
  out.push(
    `tinyoauth benchmark, ${results.date} (${results.mode}): \`${results.command}\``,
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}. ${results.dynamoDb}.`,
  );

  out.push('', '### Bundles and cold init', '');
  out.push(
    table(
      [
        'Function',
        'Memory',
        'Bundle KB',
        'Largest parts (KB)',
        'Init ms median (p10–p90)',
        'fetch at init',
        'Init I/O',
        'Targets',
      ],
      bundles.map((bundle) => {
        const init = coldInit.find((entry) => entry.name === bundle.name) as ColdInitResult;
        const own = targets.filter(
          (row) =>
            row.target === `${bundle.name} cold init (median)` || row.target === `${bundle.name} bundle`,
        );
        return [
          bundle.name,
          `${bundle.memoryMB} MB`,
          fixed(kb(bundle.bytes)),
          bundle.packages
            .slice(0, 3)
            .map((part) => `${part.name} ${fixed(kb(part.bytes))}`)
            .join(', '),
          ms(init.initMs),
          init.loadsUndici ? 'yes' : 'no',
          init.io.length === 0 ? 'none' : init.io.join('; '),
          own.every((row) => row.pass)
            ? 'PASS'
            : `MISS (${own
                .filter((row) => !row.pass)
                .map((row) => row.target.split(' ').slice(1).join(' '))
                .join(', ')})`,
        ];
      }),
      [false, true, true, false, true, false, false, false],
    ),
  );

  out.push(
    '',
    `First DynamoDB request in a fresh process (the rest of a cold start): ${ms(firstRequest.firstMs)} ms, ` +
      `the next one ${ms(firstRequest.nextMs)} ms; fetch (undici) ${firstRequest.loadsUndici ? 'loaded' : 'not loaded'}.`,
  );

  out.push('', '### Authorizer', '');
  out.push(
    table(
      ['Warm, same token and key, interleaved', 'ops/s (batches p10–p90)', 'vs jwtVerify'],
      [
        ['raw jose jwtVerify (floor)', rate(throughput.jwtVerify), '1.00'],
        ['authorizer handler, local JWKS', rate(throughput.authorizerLocalJwks), fixed(throughput.ratio, 2)],
        [
          'authorizer handler, remote JWKS (cached)',
          rate(throughput.authorizerRemoteJwks),
          fixed(throughput.ratioRemote, 2),
        ],
      ],
      [false, true, true],
    ),
  );
  out.push(
    '',
    `Revocation check against DynamoDB: ${revocation.operations.join('; ')}; ` +
      `${fixed(revocation.requestsPerAuthorization, 2)} request(s) per authorization, ` +
      `${fixed(revocation.reportedCapacityPerAuthorization, 2)} capacity reported, ` +
      `${fixed(revocation.billedReadUnitsPerAuthorization, 2)} RRU billed; ` +
      `authorization ${ms(revocation.latencyMs)} ms, of which DynamoDB ${ms(revocation.dynamoDbMs)} ms.`,
  );

  out.push('', '### Flow (DynamoDB requests counted by the client hook; RRU/WRU as AWS bills them)', '');
  out.push(
    table(
      [
        'Step',
        'Function',
        'Latency ms median (p10–p90)',
        'DynamoDB ms',
        'Requests',
        'Capacity (Local)',
        'RRU',
        'WRU',
        'Operations',
      ],
      flow.steps.map((step) => [
        step.inFlow ? step.step : `(beside) ${step.step}`,
        step.function,
        ms(step.latencyMs),
        fixed(step.dynamoDbMs.median),
        String(step.requests),
        fixed(step.reportedCapacity, 1),
        fixed(step.billedReadUnits, 1),
        step.billedIndexWriteUnits > 0
          ? `${step.billedWriteUnits} (${step.billedIndexWriteUnits} index)`
          : String(step.billedWriteUnits),
        step.operations.join('; ') || '—',
      ]),
      [false, false, true, true, true, true, true, true, false],
    ),
  );
  const inFlow = flow.steps.filter((step) => step.inFlow);
  const total = (pick: (step: (typeof inFlow)[number]) => number) =>
    inFlow.reduce((sum, step) => sum + pick(step), 0);
  out.push(
    '',
    `Full flow: ${fixed(total((step) => step.latencyMs.median))} ms of handler time, ` +
      `${total((step) => step.requests)} DynamoDB requests, ${fixed(
        total((step) => step.billedReadUnits),
        1,
      )} RRU + ` +
      `${total((step) => step.billedWriteUnits)} WRU billed (${fixed(
        total((step) => step.reportedCapacity),
        1,
      )} capacity reported by DynamoDB).`,
  );

  out.push(
    '',
    `### Login: scrypt N=2^${scrypt.parameters.logN}, r=${scrypt.parameters.r}, p=${scrypt.parameters.p} (${scrypt.memoryMiB} MiB)`,
    '',
    `hash ${ms(scrypt.hashMs)} ms, verify ${ms(scrypt.verifyMs)} ms (median (p10–p90) of ${scrypt.hashMs.runs}).`,
  );

  out.push(
    '',
    '### Cost per million (USD, us-east-1 list prices; Lambda billed at the measured median latency)',
    '',
  );
  const flowCost = cost.flowPerMillion.tinyoauth;
  out.push(
    table(
      ['Work', 'tinyoauth', 'API Gateway', 'Lambda', 'DynamoDB', 'Cognito Essentials', 'Cognito Lite'],
      [
        [
          '1M full flows (1M users)',
          usd(flowCost.total),
          usd(flowCost.apiGateway),
          usd(flowCost.lambda),
          usd(flowCost.dynamoDb),
          usd(cost.flowPerMillion.cognitoEssentials),
          usd(cost.flowPerMillion.cognitoLite),
        ],
        ...cost.protectedPerMillion.map((scenario) => [
          `1M protected requests, ${scenario.label} (${fixed(scenario.authorizerRunsPerRequest, 3)} authorizer runs/request)`,
          usd(scenario.tinyoauthPerMillion),
          '',
          '',
          '',
          usd(scenario.cognitoPerMillion),
          usd(scenario.cognitoPerMillion),
        ]),
        [
          '1M client-credentials tokens',
          usd(cost.clientCredentialsPerMillion.tinyoauth),
          '',
          '',
          '',
          usd(cost.clientCredentialsPerMillion.cognito),
          usd(cost.clientCredentialsPerMillion.cognito),
        ],
      ],
      [false, true, true, true, true, true, true],
    ),
  );

  out.push('', '### Targets', '');
  out.push(
    table(
      ['Target', 'Limit', 'Measured', 'Result'],
      targets.map((row) => [row.target, row.limit, row.measured, verdict(row.pass)]),
    ),
  );
  const missed = targets.filter((row) => !row.pass).length;
  out.push(
    '',
    missed === 0
      ? 'All targets met.'
      : `${missed} target(s) missed; the README's Performance section says why.`,
  );
  return out.join('\n');
}
