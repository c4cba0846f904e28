/** The key set in a local file, for `npm start` and tests: mode 0600, git-ignored, created on first use. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { KeySource } from '#core/keys/key-ring';
import { generateSigningKey, type KeySetDocument, parseKeySet } from '#core/keys/key-set';

/** A key set file, created with a fresh key on first use (mode 0600, written atomically). */
export class FileKeySource implements KeySource {
  constructor(
    private readonly path: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async load(): Promise<KeySetDocument> {
    try {
      return parseKeySet(await readFile(this.path, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const document = { keys: [await generateSigningKey(Math.floor(this.clock() / 1000))] };
    await this.save(document, { exclusive: true });
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
