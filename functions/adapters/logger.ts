/**
 * Structured JSON logs through Powertools for AWS Lambda's logger: one object per line with `level`,
 * `message`, `timestamp`, `service`, and in Lambda `cold_start`, the function's name and request id, and
 * the API Gateway request id as `correlation_id`. The level comes from AWS_LAMBDA_LOG_LEVEL,
 * POWERTOOLS_LOG_LEVEL or LOG_LEVEL (Powertools reads them in that order).
 *
 * Callers pass only what is safe to log; the redaction below is a second line of defence for keys that
 * must never reach a log (passwords, tokens, secrets, hashes, authorization codes). OAuth error codes
 * are logged as `errorCode`, which it leaves alone.
 */
import { LogLevelThreshold, Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';
import type { LogFields, Logger } from '#core/logging';

type Level = 'debug' | 'info' | 'warn' | 'error';
const THRESHOLD: Record<Level, number> = {
  debug: LogLevelThreshold.DEBUG,
  info: LogLevelThreshold.INFO,
  warn: LogLevelThreshold.WARN,
  error: LogLevelThreshold.ERROR,
};
const SECRET_KEYS = /pass(word)?|secret|token|authorization|cookie|hash|code_verifier|^code$|private|^d$/i;

function redact(value: unknown, depth = 0): unknown {
  // Powertools formats errors itself (name, location, message, stack, cause).
  if (value === null || typeof value !== 'object' || value instanceof Error || depth > 4) return value;
  if (Array.isArray(value)) return value.map((entry) => redact(entry, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    out[key] = SECRET_KEYS.test(key) ? '[redacted]' : redact(entry, depth + 1);
  }
  return out;
}

/** Powertools' logger, printing through `write` when one is given (tests keep lines, the bench drops them). */
class WritingLogger extends PowertoolsLogger {
  constructor(
    options: ConstructorOptions,
    private readonly write?: (line: string) => void,
  ) {
    super(options);
  }

  protected override printLog(logLevel: number, log: Parameters<PowertoolsLogger['printLog']>[1]): void {
    if (!this.write) {
      super.printLog(logLevel, log);
      return;
    }
    log.prepareForPrint();
    this.write(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }

  protected override createLogger(options?: ConstructorOptions): PowertoolsLogger {
    return new WritingLogger(options ?? {}, this.write);
  }

  /** A line that is not a log entry (an EMF metrics document), printed where the log lines go. */
  printLine(line: string): void {
    if (this.write) this.write(line);
    else process.stdout.write(`${line}\n`);
  }
}

/** The port over one Powertools logger, with the fields of `child()` calls and redaction. */
class RedactingLogger implements Logger {
  constructor(
    readonly powertools: PowertoolsLogger,
    readonly base: LogFields = {},
  ) {}

  /**
   * Below the level nothing is redacted or built: the authorizer writes a debug line per allowed
   * request, and on its hot path that work shows next to a ~0.15 ms signature check.
   */
  private log(level: Level, message: string, fields: LogFields | undefined) {
    if (this.powertools.level > THRESHOLD[level]) return;
    this.powertools[level](message, redact({ ...this.base, ...fields }) as LogFields);
  }
  debug(message: string, fields?: LogFields) {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: LogFields) {
    this.log('info', message, fields);
  }
  warn(message: string, fields?: LogFields) {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: LogFields) {
    this.log('error', message, fields);
  }
  child(fields: LogFields): Logger {
    return new RedactingLogger(this.powertools, { ...this.base, ...fields });
  }
}

export function createLogger(
  options: { level?: Level; service?: string; write?: (line: string) => void } = {},
): Logger {
  return new RedactingLogger(
    new WritingLogger(
      {
        serviceName: options.service ?? 'tinyoauth',
        // Without one, Powertools reads the level from the environment.
        ...(options.level ? { logLevel: options.level.toUpperCase() as 'INFO' } : {}),
      },
      options.write,
    ),
  );
}

/**
 * Prints whole lines beside `logger`'s: to standard output, as Lambda takes both, or to the `write` the
 * logger was created with (tests keep them, the benchmark drops them).
 */
export function lineWriter(logger: Logger): (line: string) => void {
  const powertools = logger instanceof RedactingLogger ? logger.powertools : undefined;
  if (powertools instanceof WritingLogger) return (line) => powertools.printLine(line);
  return (line) => process.stdout.write(`${line}\n`);
}

/**
 * The logger of one invocation: Lambda's context (cold start, function, request id) and the API Gateway
 * request id as the correlation id, on a child of its own, so that concurrent requests of one process
 * (`npm start`) never share them.
 */
export function invocationLogger(
  logger: Logger,
  invocation: { requestId: string | undefined; context?: Partial<Context> },
): Logger {
  if (!(logger instanceof RedactingLogger)) return logger.child({ requestId: invocation.requestId });
  const child = logger.powertools.createChild();
  if (invocation.context?.functionName) child.addContext(invocation.context as Context);
  if (invocation.requestId) child.setCorrelationId(invocation.requestId);
  return new RedactingLogger(child, logger.base);
}
