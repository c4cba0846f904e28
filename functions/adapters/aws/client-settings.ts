/**
 * How every AWS SDK client of the functions talks to its service: the SDK's standard retry mode with a
 * fixed number of attempts, and explicit timeouts, so that a dependency that stops answering ends as our
 * own logged 503 well inside the function's timeout instead of a gateway error with no log line of ours.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';

export const AWS_CLIENT_SETTINGS = {
  maxAttempts: 3,
  /** DNS, TCP and TLS to a regional endpoint take tens of milliseconds, even on a cold start. */
  connectionTimeoutMs: 500,
  /**
   * The whole attempt, connecting included (the SDK arms both timers when the request starts). DynamoDB
   * answers in single-digit milliseconds and Secrets Manager in tens; a second is far above either.
   */
  requestTimeoutMs: 1000,
  /**
   * The standard mode's backoff after a throttled attempt n (from 0) is up to base × 2^n with full jitter
   * (after a transient error, 50 ms × 2^n): the throttled case is the longer, so it bounds the budget.
   */
  throttlingBackoffBaseMs: 1000,
} as const;

/**
 * The per-attempt timeout against DynamoDB Local (`DYNAMODB_ENDPOINT`): a JVM on a developer's machine or a
 * CI runner, an order of magnitude slower than DynamoDB and pausing for garbage collection under a burst.
 * With AWS's one second, a slow answer there would be a 503 and, worse, a retry of a write it had already
 * applied (DynamoDB honours a transaction's idempotency token across the SDK's retries; DynamoDB Local
 * does not). No function timeout applies locally, so the budget above does not either.
 */
export const LOCAL_REQUEST_TIMEOUT_MS = 5000;

export type AwsClientSettings = { readonly [Key in keyof typeof AWS_CLIENT_SETTINGS]: number };

/**
 * The longest one call can take with these settings, every attempt timing out and every wait the
 * longest the jitter allows: attempts × request timeout + the throttling backoffs between them. The CDK
 * stack's function timeout must leave room above it (test/cdk checks).
 */
export function retryBudgetMs(settings: AwsClientSettings = AWS_CLIENT_SETTINGS): number {
  let backoff = 0;
  for (let retry = 0; retry < settings.maxAttempts - 1; retry++)
    backoff += settings.throttlingBackoffBaseMs * 2 ** retry;
  return settings.maxAttempts * settings.requestTimeoutMs + backoff;
}

/** The part of an SDK client's configuration that is the same for every service. */
export function awsClientConfig(options: {
  region: string;
  endpoint?: string | undefined;
  /** Overrides AWS_CLIENT_SETTINGS.requestTimeoutMs (LOCAL_REQUEST_TIMEOUT_MS for DynamoDB Local). */
  requestTimeoutMs?: number | undefined;
}) {
  return {
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    retryMode: 'standard',
    maxAttempts: AWS_CLIENT_SETTINGS.maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: AWS_CLIENT_SETTINGS.connectionTimeoutMs,
      requestTimeout: options.requestTimeoutMs ?? AWS_CLIENT_SETTINGS.requestTimeoutMs,
      // Without it the SDK only warns when a request outlives requestTimeout, and waits on.
      throwOnRequestTimeout: true,
    }),
  };
}
