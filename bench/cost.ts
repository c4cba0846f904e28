/**
 * Cost per million, from what was measured and the list prices of bench/prices.ts:
 * - API Gateway: one REST request per step that is an API call (the authorizer runs inside one);
 * - Lambda: one invocation per step, billed for the step's measured median handler latency rounded up to
 *   1 ms, at the function's configured memory (infra/routes.ts `memoryMB`, else the CDK default);
 * - DynamoDB: the request units AWS bills for the step's requests (bench/billing.ts).
 * Warm invocations only: cold starts add their INIT time (see the cold-init table) to the few
 * invocations that start a new execution environment.
 */
import { functions } from '#infra/routes';
import { memoryOf } from './bundles.ts';
import type { StepResult } from './flow.ts';
import { COGNITO, cognitoMauCost, PRICES } from './prices.ts';

/**
 * Authorizer runs per protected request behind API Gateway's result cache (keyed by the Authorization
 * header, i.e. per token), for requests with one token arriving at random (Poisson) at `ratePerSecond`
 * and a cache TTL of `ttlSeconds`: each run is followed by a cached period of TTL seconds holding r·t
 * requests on average, so runs per request = 1 / (1 + r·t) (≈ 1 / (r·t) once r·t ≫ 1); no cache: 1.
 */
export const authorizerRunsPerRequest = (ratePerSecond: number, ttlSeconds: number): number =>
  1 / (1 + ratePerSecond * ttlSeconds);

const MILLION = 1e6;

export interface StepCost {
  step: string;
  memoryMB: number;
  billedMs: number;
  apiGateway: number;
  lambda: number;
  dynamoDb: number;
  total: number;
}

/** The cost of one run of a step (USD). */
export function stepCost(step: StepResult): StepCost {
  const memoryMB = memoryOf(functions[step.function]);
  const billedMs = Math.ceil(step.latencyMs.median);
  const apiGateway = step.apiRequest ? PRICES.apiGatewayRestRequest.usd : 0;
  const lambda =
    PRICES.lambdaRequest.usd + (billedMs / 1000) * (memoryMB / 1024) * PRICES.lambdaArmGbSecond.usd;
  const dynamoDb =
    step.billedReadUnits * PRICES.dynamoDbReadRequestUnit.usd +
    step.billedWriteUnits * PRICES.dynamoDbWriteRequestUnit.usd;
  return {
    step: step.step,
    memoryMB,
    billedMs,
    apiGateway,
    lambda,
    dynamoDb,
    total: apiGateway + lambda + dynamoDb,
  };
}

const perMillion = (cost: StepCost) => ({
  apiGateway: cost.apiGateway * MILLION,
  lambda: cost.lambda * MILLION,
  dynamoDb: cost.dynamoDb * MILLION,
  total: cost.total * MILLION,
});

const sum = (costs: StepCost[]) =>
  costs.reduce(
    (total, cost) => ({
      apiGateway: total.apiGateway + cost.apiGateway,
      lambda: total.lambda + cost.lambda,
      dynamoDb: total.dynamoDb + cost.dynamoDb,
      total: total.total + cost.total,
    }),
    { apiGateway: 0, lambda: 0, dynamoDb: 0, total: 0 },
  );

export interface ProtectedScenario {
  label: string;
  /** Requests per second carrying the same token; 0 with no cache. */
  ratePerSecond: number;
  ttlSeconds: number;
  authorizerRunsPerRequest: number;
  /** DynamoDB read request units per protected request (amortised). */
  readUnitsPerRequest: number;
  tinyoauthPerMillion: number;
  /** A Cognito user-pool authorizer: API Gateway checks the JWT itself, no function, no database. */
  cognitoPerMillion: number;
}

export interface CostResult {
  steps: StepCost[];
  flowPerMillion: {
    tinyoauth: { apiGateway: number; lambda: number; dynamoDb: number; total: number };
    /** 1M flows by 1M different users in one month = 1M MAU, plus the protected call's gateway and service. */
    cognitoEssentials: number;
    cognitoLite: number;
  };
  protectedPerMillion: ProtectedScenario[];
  clientCredentialsPerMillion: { tinyoauth: number; cognito: number };
}

const CACHE_SCENARIOS: { label: string; ratePerSecond: number; ttlSeconds: number }[] = [
  { label: 'no cache (TTL 0)', ratePerSecond: 0, ttlSeconds: 0 },
  { label: 'TTL 60 s, 1 request/min per token', ratePerSecond: 1 / 60, ttlSeconds: 60 },
  { label: 'TTL 60 s, 1 request/s per token', ratePerSecond: 1, ttlSeconds: 60 },
  { label: 'TTL 60 s, 10 requests/s per token', ratePerSecond: 10, ttlSeconds: 60 },
  { label: 'TTL 300 s, 1 request/s per token', ratePerSecond: 1, ttlSeconds: 300 },
];

export function computeCost(steps: readonly StepResult[]): CostResult {
  const costs = steps.map(stepCost);
  const byStep = (name: string) => {
    const cost = costs.find((entry) => entry.step === name);
    if (!cost) throw new Error(`No cost for step ${name}`);
    return cost;
  };
  const flowSteps = costs.filter((_cost, index) => steps[index]?.inFlow);
  const authorizer = byStep('protected: authorizer');
  const service = byStep('protected: service');
  const authorizerStep = steps.find((step) => step.step === 'protected: authorizer') as StepResult;
  // What stays the same with Cognito: the gateway request and the service behind it.
  const protectedWithoutAuthorizer = service.total;

  const flow = perMillion({ ...sum(flowSteps), step: 'flow', memoryMB: 0, billedMs: 0 });
  return {
    steps: costs,
    flowPerMillion: {
      tinyoauth: flow,
      cognitoEssentials: cognitoMauCost('essentials', MILLION) + protectedWithoutAuthorizer * MILLION,
      cognitoLite: cognitoMauCost('lite', MILLION) + protectedWithoutAuthorizer * MILLION,
    },
    protectedPerMillion: CACHE_SCENARIOS.map((scenario) => {
      const runs =
        scenario.ttlSeconds === 0 ? 1 : authorizerRunsPerRequest(scenario.ratePerSecond, scenario.ttlSeconds);
      return {
        ...scenario,
        authorizerRunsPerRequest: runs,
        readUnitsPerRequest: runs * authorizerStep.billedReadUnits,
        tinyoauthPerMillion: (protectedWithoutAuthorizer + runs * authorizer.total) * MILLION,
        cognitoPerMillion: protectedWithoutAuthorizer * MILLION,
      };
    }),
    clientCredentialsPerMillion: {
      tinyoauth: byStep('token (client credentials)').total * MILLION,
      cognito: COGNITO.m2mTokenRequest.usd * MILLION,
    },
  };
}
