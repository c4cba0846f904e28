/**
 * The full flow through the handlers against DynamoDB, run many times: register, login, create a client,
 * authorize, token, a protected call (authorizer + protected service), refresh, revoke (bench/flow-run.ts).
 * Every step is timed, and every DynamoDB request it makes is counted by the client's instrumentation
 * hook, with the capacity DynamoDB reported and the request units AWS would bill (bench/billing.ts).
 *
 * A client-credentials token request is measured beside the flow (not part of it): it is what Cognito
 * prices as a machine-to-machine token request.
 */
import type { FunctionName } from '#infra/routes';
import { flowRuntime, handlers } from './flow-handlers.ts';
import { clientCredentialsSample, runFlow, type Sample, signInOwner } from './flow-run.ts';
import { type Summary, summarise } from './stats.ts';

export interface StepDefinition {
  step: string;
  /** The Lambda function that runs it (infra/routes.ts), for its memory and price. */
  function: FunctionName;
  /** Part of the full flow, or measured beside it. */
  inFlow: boolean;
  /** Whether the step is an API Gateway request of its own (the authorizer runs inside one). */
  apiRequest: boolean;
}

export const STEPS: readonly StepDefinition[] = [
  { step: 'register', function: 'register', inFlow: true, apiRequest: true },
  { step: 'login', function: 'login', inFlow: true, apiRequest: true },
  { step: 'create client', function: 'clientCreate', inFlow: true, apiRequest: true },
  { step: 'authorize', function: 'authorize', inFlow: true, apiRequest: true },
  { step: 'token (code)', function: 'token', inFlow: true, apiRequest: true },
  { step: 'protected: authorizer', function: 'authorizer', inFlow: true, apiRequest: false },
  { step: 'protected: service', function: 'protectedResource', inFlow: true, apiRequest: true },
  { step: 'refresh', function: 'token', inFlow: true, apiRequest: true },
  { step: 'revoke', function: 'revoke', inFlow: true, apiRequest: true },
  { step: 'token (client credentials)', function: 'token', inFlow: false, apiRequest: true },
];

export interface StepResult extends StepDefinition {
  latencyMs: Summary;
  /** DynamoDB HTTP requests per run of the step (identical in every run, or the run fails). */
  requests: number;
  /** What each request did: operation and tables, in order. */
  operations: string[];
  /** Time spent waiting for DynamoDB, per run. */
  dynamoDbMs: Summary;
  /** Sum of ConsumedCapacity as DynamoDB (Local) reported it. */
  reportedCapacity: number;
  billedReadUnits: number;
  billedWriteUnits: number;
  /** The part of billedWriteUnits spent on global secondary indexes. */
  billedIndexWriteUnits: number;
}

export interface FlowResult {
  steps: StepResult[];
  /** scrypt log2(N) the flow's register and login ran with. */
  scryptLogN: number;
}

function stepResult(definition: StepDefinition, measured: readonly Sample[]): StepResult {
  const first = measured[0];
  if (!first) throw new Error(`No measurement of ${definition.step}`);
  const counts = new Set(measured.map((sample) => sample.requests));
  // As a set: requests a step makes at once may end, and begin, in either order.
  const units = new Set(
    measured.map((sample) =>
      JSON.stringify(
        sample.billed
          .map((call) => [call.operation, call.targets, call.readUnits, call.writeUnits])
          .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      ),
    ),
  );
  // The flow is deterministic: a step that needed a different number of requests in another run
  // (a retry, a conflict) would make its counts meaningless.
  if (counts.size !== 1 || units.size !== 1)
    throw new Error(`${definition.step} made different DynamoDB requests in different runs`);
  return {
    ...definition,
    latencyMs: summarise(measured.map((sample) => sample.ms)),
    requests: first.requests,
    operations: first.billed.map((call) => `${call.operation} ${call.targets.join(', ')}`),
    dynamoDbMs: summarise(measured.map((sample) => sample.dynamoDbMs)),
    reportedCapacity: first.reportedCapacity,
    billedReadUnits: first.billed.reduce((sum, call) => sum + call.readUnits, 0),
    billedWriteUnits: first.billed.reduce((sum, call) => sum + call.writeUnits, 0),
    billedIndexWriteUnits: first.billed.reduce((sum, call) => sum + call.indexWriteUnits, 0),
  };
}

export async function measureFlow(endpoint: string, prefix: string, flows: number): Promise<FlowResult> {
  const { runtime, metering } = await flowRuntime(endpoint, prefix);
  const h = await handlers(runtime);

  // One unmeasured flow first: JIT compilation, key import, connection set-up.
  await runFlow(h, metering);
  const owner = await signInOwner(h);
  await clientCredentialsSample(h, metering, owner);

  const samples = new Map<string, Sample[]>(STEPS.map((definition) => [definition.step, []]));
  for (let flow = 0; flow < flows; flow++) {
    for (const [name, sample] of await runFlow(h, metering)) samples.get(name)?.push(sample);
    samples.get('token (client credentials)')?.push(await clientCredentialsSample(h, metering, owner));
  }
  const steps = STEPS.map((definition) => stepResult(definition, samples.get(definition.step) ?? []));
  return { steps, scryptLogN: runtime.config.scryptLogN };
}
