import { createLogger } from '#adapters/logger';

/** A logger that keeps its lines, so tests can assert what was (and was not) logged. */
export function recordingLogger() {
  const lines: string[] = [];
  return { logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }), lines };
}

export const silentLogger = createLogger({ write: () => {} });
