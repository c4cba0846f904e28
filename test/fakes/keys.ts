import { KeyRing, type KeySource } from '#core/keys/key-ring';
import { generateKeySet, type KeySetDocument } from '#core/keys/key-set';

/** A key source held in memory, so tests can rotate keys and see the effect. */
export class MemoryKeySource implements KeySource {
  constructor(public document: KeySetDocument) {}
  async load(): Promise<KeySetDocument> {
    return structuredClone(this.document);
  }
}

export async function memoryKeyRing(clock: () => number = Date.now) {
  const source = new MemoryKeySource({ keys: await generateKeySet(Math.floor(clock() / 1000)) });
  return { source, keyRing: KeyRing.fromKeySet(source, clock, 0) };
}

/** A clock the test moves by hand. */
export function manualClock(startMs = Date.UTC(2026, 0, 1)) {
  let now = startMs;
  const clock = () => now;
  clock.advance = (seconds: number) => {
    now += seconds * 1000;
  };
  return clock;
}
