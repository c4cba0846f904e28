/**
 * A Lambda TOKEN authorizer as API Gateway runs it, identity source `Authorization`: no header, no call
 * (401); `Error('Unauthorized')` → 401; a policy → evaluated against the request's method ARN (403 unless
 * allowed); anything else → 500. Answers are cached per header value and re-evaluated per request.
 */
import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import type { GatewayResponseType } from '#infra/gateway-responses';
import { buildTokenAuthorizerEvent } from './events.ts';
import { type AuthorizerResult, evaluatePolicy, parseAuthorizerResult } from './policy.ts';

export type AuthorizationOutcome =
  | {
      kind: 'allowed';
      /** `requestContext.authorizer` of the backend's event: principalId and the context, as strings. */
      authorizer: Record<string, string | number>;
      /** The authorizer's context values as strings, for identity headers to HTTP backends. */
      context: Record<string, string>;
    }
  | {
      kind: 'refused';
      response: GatewayResponseType;
      reason: string;
      /** The request carried no token (RFC 6750 §3.1: its 401 names no error). */
      tokenMissing?: true;
      /** A policy's refusal: the token's scope, from the authorizer's context. */
      tokenScope?: string;
    };

export interface TokenAuthorizerOptions {
  /** Calls the authorizer function with its event; rejects as the function throws. */
  invoke: (event: APIGatewayTokenAuthorizerEvent) => Promise<unknown>;
  /** 0 calls the authorizer for every request. */
  cacheTtlSeconds: number;
  /** Epoch milliseconds. */
  now: () => number;
}

/** API Gateway's own bound on cached entries is unpublished; this only keeps a dev server's memory flat. */
const MAX_CACHED = 10_000;

/** An authorizer answer, as cached per Authorization header. */
interface Answer {
  result: AuthorizerResult;
  expiresAt: number;
  latency: number;
}

type Refusal = Extract<AuthorizationOutcome, { kind: 'refused' }>;

/** A throw of `Error('Unauthorized')` is the authorizer's 401; any other failure is a 500. */
function refusalFor(error: unknown): Refusal {
  if (error instanceof Error && error.message === 'Unauthorized') {
    return { kind: 'refused', response: 'UNAUTHORIZED', reason: 'the authorizer answered Unauthorized' };
  }
  return {
    kind: 'refused',
    response: 'AUTHORIZER_CONFIGURATION_ERROR',
    reason: `the authorizer failed: ${error instanceof Error ? error.message : String(error)}`,
  };
}

/** The answer's policy, evaluated for this request's method ARN (cached answers are re-evaluated). */
function decide({ result, latency }: Answer, methodArn: string): AuthorizationOutcome {
  if (evaluatePolicy(result.statements, methodArn) === 'deny') {
    const scope = result.context.scope;
    return {
      kind: 'refused',
      response: 'ACCESS_DENIED',
      reason: `the policy does not allow ${methodArn}`,
      ...(typeof scope === 'string' ? { tokenScope: scope } : {}),
    };
  }
  // REST APIs hand context values to the backend as strings, whatever type the authorizer used.
  const context = Object.fromEntries(
    Object.entries(result.context).map(([key, value]) => [key, String(value)]),
  );
  return {
    kind: 'allowed',
    authorizer: { ...context, principalId: result.principalId, integrationLatency: latency },
    context,
  };
}

export class TokenAuthorizer {
  private readonly cache = new Map<string, Answer>();

  constructor(private readonly options: TokenAuthorizerOptions) {}

  async authorize(
    authorization: string | undefined,
    method: string,
    path: string,
  ): Promise<AuthorizationOutcome> {
    if (authorization === undefined || authorization === '') {
      return {
        kind: 'refused',
        response: 'UNAUTHORIZED',
        reason: 'no Authorization header',
        tokenMissing: true,
      };
    }
    const event = buildTokenAuthorizerEvent(authorization, method, path);
    const answer = this.cached(authorization) ?? (await this.ask(authorization, event));
    return 'kind' in answer ? answer : decide(answer, event.methodArn);
  }

  /** The cached answer for this header, unless it has expired (then it is dropped). */
  private cached(authorization: string): Answer | undefined {
    const cached = this.cache.get(authorization);
    if (cached && cached.expiresAt <= this.options.now()) {
      this.cache.delete(authorization);
      return undefined;
    }
    return cached;
  }

  /** Runs the authorizer function; its answer is cached when there is a TTL, its failures never are. */
  private async ask(authorization: string, event: APIGatewayTokenAuthorizerEvent): Promise<Answer | Refusal> {
    const started = this.options.now();
    let result: AuthorizerResult;
    try {
      result = parseAuthorizerResult(await this.options.invoke(event));
    } catch (error) {
      return refusalFor(error);
    }
    const answer = {
      result,
      expiresAt: started + this.options.cacheTtlSeconds * 1000,
      latency: this.options.now() - started,
    };
    if (this.options.cacheTtlSeconds > 0) {
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(authorization, answer);
    }
    return answer;
  }
}
