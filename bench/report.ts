/** The benchmark's output: plain-text tables (also valid Markdown) and the targets as PASS/MISS rows. */
import type { RevocationCheckResult, ThroughputResult } from './authorizer.ts';
import type { BundleResult } from './bundles.ts';
import type { ColdInitResult } from './cold-init.ts';
import type { ColdPathResult } from './cold-path.ts';
import type { CostResult } from './cost.ts';
import type { FlowResult, StepResult } from './flow.ts';
import { fixed, ms, rate, table, usd, verdict } from './format.ts';
import type { Machine } from './machine.ts';
import { bundlesSection } from './report-bundles.ts';
import type { ScryptResult } from './scrypt.ts';
import type { TargetRow } from './targets.ts';

export interface Results {
  date: string;
  mode: string;
  command: string;
  machine: Machine;
  dynamoDb: string;
  bundles: BundleResult[];
  coldInit: ColdInitResult[];
  coldPath: ColdPathResult[];
  throughput: ThroughputResult;
  revocation: RevocationCheckResult;
  flow: FlowResult;
  scrypt: ScryptResult;
  cost: CostResult;
  targets: TargetRow[];
}

function authorizerSection({ throughput, revocation }: Results): string[] {
  return [
    '',
    '### Authorizer',
    '',
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
    '',
    `Revocation check against DynamoDB: ${revocation.operations.join('; ')}; ` +
      `${fixed(revocation.requestsPerAuthorization, 2)} request(s) per authorization, ` +
      `${fixed(revocation.reportedCapacityPerAuthorization, 2)} capacity reported, ` +
      `${fixed(revocation.billedReadUnitsPerAuthorization, 2)} RRU billed; ` +
      `authorization ${ms(revocation.latencyMs)} ms, of which DynamoDB ${ms(revocation.dynamoDbMs)} ms.`,
  ];
}

function flowSection({ flow }: Results): string[] {
  const header = [
    'Step',
    'Function',
    'Latency ms median (p10–p90)',
    'DynamoDB ms',
    'Requests',
    'Capacity (Local)',
    'RRU',
    'WRU',
    'Operations',
  ];
  const rows = flow.steps.map((step) => [
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
  ]);
  const inFlow = flow.steps.filter((step) => step.inFlow);
  const total = (pick: (step: StepResult) => number) => inFlow.reduce((sum, step) => sum + pick(step), 0);
  return [
    '',
    '### Flow (DynamoDB requests counted by the SDK middleware; RRU/WRU as AWS bills them)',
    '',
    table(header, rows, [false, false, true, true, true, true, true, true, false]),
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
  ];
}

function scryptSection({ scrypt }: Results): string[] {
  return [
    '',
    `### Login: scrypt N=2^${scrypt.parameters.logN}, r=${scrypt.parameters.r}, p=${scrypt.parameters.p} (${scrypt.memoryMiB} MiB)`,
    '',
    `hash ${ms(scrypt.hashMs)} ms, verify ${ms(scrypt.verifyMs)} ms (median (p10–p90) of ${scrypt.hashMs.runs}).`,
  ];
}

function costSection({ cost }: Results): string[] {
  const flowCost = cost.flowPerMillion.tinyoauth;
  const cognitoOnly = (tinyoauth: number, cognito: number) => [
    usd(tinyoauth),
    '',
    '',
    '',
    usd(cognito),
    usd(cognito),
  ];
  const rows = [
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
      ...cognitoOnly(scenario.tinyoauthPerMillion, scenario.cognitoPerMillion),
    ]),
    [
      '1M client-credentials tokens',
      ...cognitoOnly(cost.clientCredentialsPerMillion.tinyoauth, cost.clientCredentialsPerMillion.cognito),
    ],
  ];
  return [
    '',
    '### Cost per million (USD, us-east-1 list prices; Lambda billed at the measured median latency)',
    '',
    table(
      ['Work', 'tinyoauth', 'API Gateway', 'Lambda', 'DynamoDB', 'Cognito Essentials', 'Cognito Lite'],
      rows,
      [false, true, true, true, true, true, true],
    ),
  ];
}

function targetsSection({ targets }: Results): string[] {
  const missed = targets.filter((row) => !row.pass).length;
  return [
    '',
    '### Targets',
    '',
    table(
      ['Target', 'Limit', 'Measured', 'Result'],
      targets.map((row) => [row.target, row.limit, row.measured, verdict(row.pass)]),
    ),
    '',
    missed === 0
      ? 'All targets met.'
      : `${missed} target(s) failed; the README's Performance section says why.`,
  ];
}

export function render(results: Results): string {
  const { machine } = results;
  return [
    `tinyoauth benchmark, ${results.date} (${results.mode}): \`${results.command}\``,
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}. ${results.dynamoDb}.`,
    ...bundlesSection(results),
    ...authorizerSection(results),
    ...flowSection(results),
    ...scryptSection(results),
    ...costSection(results),
    ...targetsSection(results),
  ].join('\n');
}
