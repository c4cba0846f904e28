/**
 * The core's logging port: what it reports (a replayed code, a reused refresh token) and with which
 * identifiers. Never a credential: callers pass ids, the adapter redacts anything named like a secret.
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}
