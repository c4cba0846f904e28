/**
 * Which process runs DynamoDB Local on a data directory. Two DynamoDB Locals on one directory write one
 * database file behind each other's back; so whoever starts one there first claims the directory with an
 * owner file (created exclusively: of two processes starting at once, one wins), and writes the endpoint
 * into it once java answers. Anyone else finds the owner there: `npm run invoke` uses its DynamoDB, a
 * second `npm start` refuses to start. A claim whose process is gone (killed with SIGKILL) is taken over
 * (two processes taking over the same stale claim in the same instant could both win: a local tool's risk).
 */
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Inside the data directory, beside DynamoDB Local's own `shared-local-instance.db`. */
export const OWNER_FILE = 'tinyoauth-owner.json';

export interface Owner {
  pid: number;
  /** What the owner is, for messages: `npm start`, `npm run invoke`. */
  command: string;
  /** Set once its DynamoDB Local answers. */
  endpoint?: string;
}

export interface Claim {
  /** Records the endpoint for the others, once java answers. */
  ready(endpoint: string): void;
  /** Gives the directory up (only if the claim is still this process's). */
  release(): void;
}

export type ClaimResult = { claimed: Claim } | { owner: Owner };

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it just is not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function readOwner(file: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Owner;
    return Number.isInteger(owner.pid) && typeof owner.command === 'string' ? owner : undefined;
  } catch {
    // Absent, or not ours to understand: it was written whole (see `write`), so it is no live claim.
    return undefined;
  }
}

/**
 * Writes `owner` to `file` whole: readers never see half of it. `exclusive` fails with EEXIST when the
 * file exists (a hard link, unlike a rename, never replaces its target).
 */
function write(file: string, owner: Owner, exclusive: boolean): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(owner));
  try {
    if (exclusive) linkSync(temporary, file);
    else renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** The live owner of `directory`, if any; a claim left by a dead process is removed. */
export function ownerOf(directory: string): Owner | undefined {
  const file = join(directory, OWNER_FILE);
  const owner = readOwner(file);
  if (owner && isAlive(owner.pid)) return owner;
  rmSync(file, { force: true });
  return undefined;
}

/** Claims `directory` (which must exist) for this process, or names the live process that has it. */
export function claimDataDirectory(directory: string, command: string): ClaimResult {
  const file = join(directory, OWNER_FILE);
  const mine: Owner = { pid: process.pid, command };
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      write(file, mine, true);
      return {
        claimed: {
          ready: (endpoint) => write(file, { ...mine, endpoint }, false),
          release: () => {
            if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
          },
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = ownerOf(directory);
      if (owner) return { owner };
      // The stale claim is gone now: try once more.
    }
  }
  throw new Error(`Cannot claim ${directory}: ${OWNER_FILE} keeps reappearing`);
}

/** Waits until the owner's DynamoDB Local has an endpoint; undefined when the owner is gone or it takes too long. */
export async function endpointOf(
  directory: string,
  options: { timeoutMs: number; pollMs?: number },
): Promise<Owner | undefined> {
  const deadline = Date.now() + options.timeoutMs;
  while (true) {
    const owner = ownerOf(directory);
    if (!owner || owner.endpoint) return owner;
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
  }
}
