/** The key set in a local file, for `npm start` and tests: mode 0600, git-ignored, created on first use. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { KeySource } from '#core/keys/key-ring';
import { generateKeySet, type KeySetDocument, parseKeySet, withEveryAlgorithm } from '#core/keys/key-set';

/**
 * A key set file, created with a fresh key per algorithm on first use (mode 0600, written atomically).
 * A file from before RS256 ID tokens gains its RS256 key on the first load, so `npm start` upgrades it.
 */
export class FileKeySource implements KeySource {
  constructor(
    private readonly path: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async load(): Promise<KeySetDocument> {
    const now = Math.floor(this.clock() / 1000);
    let stored: KeySetDocument | undefined;
    try {
      stored = parseKeySet(await readFile(this.path, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (!stored) {
      await this.save({ keys: await generateKeySet(now) }, { exclusive: true });
      return parseKeySet(await readFile(this.path, 'utf8'));
    }
    const complete = await withEveryAlgorithm(stored, now);
    if (complete === stored) return stored;
    await this.save(complete);
    return parseKeySet(await readFile(this.path, 'utf8'));
  }

  async save(document: KeySetDocument, options: { exclusive?: boolean } = {}): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    if (options.exclusive) {
      // Two processes starting at once must not each generate a key: the loser keeps the winner's file.
      await writeFile(this.path, JSON.stringify(document, null, 2), { mode: 0o600, flag: 'wx' }).catch(
        (error) => {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        },
      );
      return;
    }
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(document, null, 2), { mode: 0o600 });
    await rename(temporary, this.path);
  }
}
