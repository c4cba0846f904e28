import type { SecurityEvent, SecurityEvents } from '#core/observability';

/** Security events kept in order, so tests can assert what the core reported (and what it did not). */
export function recordingEvents() {
  const events: SecurityEvent[] = [];
  const port: SecurityEvents & { flush(): void } = {
    record: (event) => events.push(event),
    flush: () => {},
  };
  return { events: port, recorded: events, kinds: () => events.map((event) => event.kind) };
}
