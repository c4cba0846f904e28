/**
 * Structured JSON logs, one object per line, as CloudWatch Logs Insights expects. Callers pass only
 * what is safe to log; `redact` is a second line of defence for keys that must never reach a log.
 */
import type { LogFields, Logger } from '#core/logging';

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEYS = /pass(word)?|secret|token|authorization|cookie|hash|code_verifier|^code$|private|^d$/i;

function redact(value: unknown, depth = 0): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  if (value === null || typeof value !== 'object' || depth > 4) return value;
  if (Array.isArray(value)) return value.map((entry) => redact(entry, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    out[key] = SECRET_KEYS.test(key) ? '[redacted]' : redact(entry, depth + 1);
  }
  return out;
}

export function createLogger(
  options: { level?: Level; service?: string; write?: (line: string) => void; base?: LogFields } = {},
): Logger {
  const threshold = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const base: LogFields = { service: options.service ?? 'tinyoauth', ...options.base };

  const log = (level: Level, message: string, fields?: LogFields) => {
    if (ORDER[level] < threshold) return;
    const entry = {
      level,
      timestamp: new Date().toISOString(),
      message,
      ...base,
      ...(redact(fields) as object),
    };
    write(JSON.stringify(entry));
  };

  return {
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}
