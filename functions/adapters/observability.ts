/**
 * The core's security events as an operator sees them: CloudWatch metrics in embedded metric format
 * (EMF) through Powertools for AWS Lambda's metrics, and one structured audit log line per event that
 * names who did what to whom and how it ended.
 *
 * Metrics are buffered and flushed once per invocation (`flush`, called by the composition root when a
 * handler returns), as Lambda may freeze the environment right after. Each flush prints one EMF
 * document per dimension set that has values, as a line beside the log lines: CloudWatch Logs turns it
 * into metrics in Lambda, and `npm start` prints the very same line. Identifiers go to the audit line
 * only, never into a dimension (contract/metrics.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Environment } from '#contract/environment';
import {
  DEFAULT_METRIC_SERVICE,
  GRANT_TYPE_DIMENSION,
  METRIC_NAMESPACE,
  METRICS,
  type MetricName,
} from '#contract/metrics';
import type { LogFields, Logger } from '#core/logging';
import type { SecurityEvent, SecurityEvents } from '#core/observability';

/** Powertools' metrics, printing through `write` instead of its own console. */
class WritingMetrics extends Metrics {
  constructor(
    options: ConstructorParameters<typeof Metrics>[0],
    private readonly write: (line: string) => void,
  ) {
    super(options);
  }

  /** Prints the buffered document, if any, and empties the buffer (dimensions stay: they are this set's). */
  flush(): void {
    if (!this.hasStoredMetrics()) return;
    try {
      if (!this.isDisabled()) this.write(JSON.stringify(this.serializeMetrics()));
    } finally {
      this.clearMetrics();
    }
  }

  /** Powertools publishes on its own when a document would exceed EMF's 100 values of a metric. */
  override publishStoredMetrics(): this {
    this.flush();
    return this;
  }
}

interface MetricValue {
  name: MetricName;
  unit: (typeof MetricUnit)[keyof typeof MetricUnit];
  value: number;
  dimensions?: Record<string, string>;
}

const count = (name: MetricName, dimensions?: Record<string, string>): MetricValue => ({
  name,
  unit: MetricUnit.Count,
  value: 1,
  ...(dimensions ? { dimensions } : {}),
});

type Kind = SecurityEvent['kind'];
type EventOf<K extends Kind> = Extract<SecurityEvent, { kind: K }>;

/** The metric each kind of event counts; admin actions are audited only. */
const METRIC_OF: { [K in Kind]: (event: EventOf<K>) => MetricValue | undefined } = {
  sign_in_succeeded: () => count(METRICS.signInSucceeded),
  sign_in_failed: () => count(METRICS.signInFailed),
  lockout: () => count(METRICS.lockouts),
  tokens_issued: (event) => count(METRICS.tokensIssued, { [GRANT_TYPE_DIMENSION]: event.grantType }),
  refresh_token_reused: () => count(METRICS.refreshTokenReuse),
  code_replayed: () => count(METRICS.codeReplay),
  access_allowed: () => count(METRICS.authorizerAllowed),
  access_denied: () => count(METRICS.authorizerDenied),
  client_registered: () => count(METRICS.clientsRegistered),
  keys_rotated: () => count(METRICS.keyRotations),
  signing_key_age: (event) => ({
    name: METRICS.signingKeyAge,
    unit: MetricUnit.Seconds,
    value: event.ageSeconds,
  }),
  admin: () => undefined,
};

interface AuditLine {
  level: 'info' | 'warn';
  fields: LogFields & { event: string; outcome: string };
}

const info = (fields: AuditLine['fields']): AuditLine => ({ level: 'info', fields });
const warn = (fields: AuditLine['fields']): AuditLine => ({ level: 'warn', fields });

const theft = (event: EventOf<'refresh_token_reused' | 'code_replayed'>): AuditLine =>
  warn({
    event: event.kind === 'code_replayed' ? 'code_replay' : 'refresh_token_reuse',
    outcome: 'grant_revoked',
    target: event.grantId === undefined ? {} : { grant: event.grantId },
  });

/**
 * The audit line of each kind of event: `event` (what), `actor` (who), `target` (to whom or what),
 * `outcome`; the log line's `timestamp` says when. The per-request authorizer decisions and the key
 * age gauge are counted only.
 */
const AUDIT_OF: { [K in Kind]: (event: EventOf<K>) => AuditLine | undefined } = {
  sign_in_succeeded: (event) =>
    info({ event: 'sign_in', outcome: 'succeeded', actor: { user: event.sub }, sessionId: event.sessionId }),
  sign_in_failed: (event) =>
    info({
      event: 'sign_in',
      outcome: 'failed',
      actor: event.username === undefined ? {} : { username: event.username },
      reason: event.reason,
    }),
  lockout: (event) =>
    warn({
      event: 'lockout',
      outcome: 'locked',
      target: { username: event.username },
      lockedUntil: new Date(event.until * 1000).toISOString(),
    }),
  tokens_issued: (event) =>
    info({
      event: 'tokens_issued',
      outcome: 'succeeded',
      actor: { client: event.clientId },
      // Client credentials: the client is its own subject.
      target: event.grantType === 'client_credentials' ? { client: event.sub } : { user: event.sub },
      grantType: event.grantType,
      grantId: event.grantId,
    }),
  refresh_token_reused: theft,
  code_replayed: theft,
  access_allowed: () => undefined,
  access_denied: () => undefined,
  client_registered: (event) =>
    info({
      event: 'client_registered',
      outcome: 'succeeded',
      actor: { user: event.owner },
      target: { client: event.clientId },
    }),
  keys_rotated: (event) =>
    info({ event: 'keys_rotated', outcome: 'succeeded', actor: event.by, keyIds: event.keyIds }),
  signing_key_age: () => undefined,
  admin: (event) =>
    (event.outcome === 'failed' ? warn : info)({
      event: `admin.${event.action}`,
      outcome: event.outcome,
      actor: { operator: event.operator },
      target: event.target,
      ...event.detail,
    }),
};

const metricOf = <K extends Kind>(event: EventOf<K>) =>
  (METRIC_OF[event.kind] as (event: EventOf<K>) => MetricValue | undefined)(event);
const auditOf = <K extends Kind>(event: EventOf<K>) =>
  (AUDIT_OF[event.kind] as (event: EventOf<K>) => AuditLine | undefined)(event);

/** The ids of the invocation an audit line belongs to, named as Powertools' log lines name them. */
export interface InvocationIds {
  /** The API Gateway request id, as in the access log. */
  correlation_id?: string;
  /** Lambda's request id. */
  function_request_id?: string;
}

const invocation = new AsyncLocalStorage<InvocationIds>();

/**
 * Runs one invocation with its ids, which its audit lines then carry: the core reports through the
 * runtime's logger, which no invocation owns (`npm start` runs several at once in one process).
 */
export const withinInvocation = <T>(ids: InvocationIds, run: () => Promise<T>): Promise<T> =>
  invocation.run(ids, run);

export interface ObservedEventsOptions {
  logger: Logger;
  /** Where EMF documents go: beside the log lines (adapters/logger.ts `lineWriter`). */
  write: (line: string) => void;
  /** POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME. */
  env: Environment;
  /** Milliseconds since the epoch; `Date.now` unless a test moves time. */
  clock?: () => number;
}

/**
 * The authorizer's decisions are tallied in the execution environment and printed at most once per
 * interval, not per invocation: Powertools' per-invocation document costs a few microseconds, several
 * per cent of a decision, and the warm authorizer's throughput is a target (README "Performance"). The
 * price: an environment shut down loses the decisions of its last interval (a dashboard count; no alarm
 * reads it).
 */
const TALLIED: ReadonlySet<Kind> = new Set<Kind>(['access_allowed', 'access_denied']);
export const TALLY_INTERVAL_MS = 60_000;

export class ObservedEvents implements SecurityEvents {
  /** One Powertools instance per dimension set: EMF puts a document's dimensions on all its metrics. */
  private readonly sets = new Map<string, WritingMetrics>();
  private readonly tallies = new Map<MetricName, number>();
  private talliedSince = 0;

  constructor(private readonly options: ObservedEventsOptions) {}

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  record(event: SecurityEvent): void {
    const metric = metricOf(event);
    if (metric && TALLIED.has(event.kind)) {
      if (this.tallies.size === 0) this.talliedSince = this.now();
      this.tallies.set(metric.name, (this.tallies.get(metric.name) ?? 0) + metric.value);
    } else if (metric) this.metricsFor(metric.dimensions).addMetric(metric.name, metric.unit, metric.value);
    const audit = auditOf(event);
    if (audit) {
      const fields = { ...audit.fields, ...invocation.getStore() };
      this.options.logger[audit.level](`audit ${audit.fields.event}`, fields);
    }
  }

  /** Prints what this invocation counted, and the tallies once their interval is over; once per invocation. */
  flush(): void {
    if (this.tallies.size > 0 && this.now() - this.talliedSince >= TALLY_INTERVAL_MS) {
      for (const [name, value] of this.tallies) this.metricsFor().addMetric(name, MetricUnit.Count, value);
      this.tallies.clear();
    }
    for (const metrics of this.sets.values()) metrics.flush();
  }

  private metricsFor(dimensions: Record<string, string> = {}): WritingMetrics {
    const key = JSON.stringify(dimensions);
    let metrics = this.sets.get(key);
    if (!metrics) {
      const { env, logger } = this.options;
      metrics = new WritingMetrics(
        {
          namespace: env.POWERTOOLS_METRICS_NAMESPACE || METRIC_NAMESPACE,
          serviceName: env.POWERTOOLS_SERVICE_NAME || DEFAULT_METRIC_SERVICE,
          defaultDimensions: dimensions,
          // Powertools' own warnings (e.g. a malformed metric) as our log lines, not console output.
          logger: {
            debug: (message: string) => logger.debug(String(message)),
            info: (message: string) => logger.info(String(message)),
            warn: (message: string) => logger.warn(String(message)),
            error: (message: string) => logger.error(String(message)),
          },
        },
        this.options.write,
      );
      this.sets.set(key, metrics);
    }
    return metrics;
  }
}
