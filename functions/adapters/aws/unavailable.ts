/**
 * An AWS dependency that did not answer in time, kept throttling us, or failed on its side, after the
 * SDK's own retries: the one error the HTTP edge turns into 503 with `Retry-After`
 * (adapters/http/errors.ts). Any other SDK error is a refusal the caller must handle (a failed
 * condition) or a fault of ours (a 500).
 */
import type { InitializeMiddleware, MiddlewareStack } from '@smithy/types';
import { DependencyUnavailable } from '#core/errors';

export class AwsUnavailable extends DependencyUnavailable {
  override readonly name = 'AwsUnavailable';
}

interface SdkErrorShape {
  name?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
  CancellationReasons?: { Code?: string }[];
}

const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);
/** What Node and the SDK's HTTP handler report when a connection fails, stalls or cannot be resolved. */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Per-item reasons of a cancelled transaction that say "busy", not "refused". */
const THROTTLED_ITEM = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded']);

export function isUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name = '', code = '', $fault, $retryable, $metadata, CancellationReasons } = error as SdkErrorShape;
  if (THROTTLING.has(name) || name === 'TimeoutError' || NETWORK.has(code)) return true;
  if (name === 'TransactionCanceledException')
    return (CancellationReasons ?? []).some((reason) => THROTTLED_ITEM.has(reason.Code ?? ''));
  if ($metadata === undefined) return false;
  return $fault === 'server' || $retryable !== undefined || ($metadata.httpStatusCode ?? 0) >= 500;
}

/**
 * Added first to a client's stack, so that it sees what is left after the retries: an unavailable
 * dependency becomes an `AwsUnavailable` naming service and operation, with the SDK's error as cause.
 */
export function translateUnavailable<Input extends object, Output extends object>(
  stack: MiddlewareStack<Input, Output>,
  service: string,
): void {
  const middleware: InitializeMiddleware<Input, Output> = (next, context) => async (args) => {
    try {
      return await next(args);
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      const { name, message } = error as Error;
      throw new AwsUnavailable(`${service} ${operation} failed: ${name}: ${message}`, { cause: error });
    }
  };
  stack.add(middleware, { step: 'initialize', priority: 'high', name: 'tinyoauthUnavailable' });
}
