/** Password hashing at the deployed parameters: what dominates `/register` and `/login`. */
import { loadConfig } from '#adapters/config';
import { hashPassword, type ScryptParameters, verifyPassword } from '#core/users/passwords';
import { type Summary, summarise } from './stats.ts';

export interface ScryptResult {
  parameters: ScryptParameters;
  /** Memory scrypt needs for itself: 128 · N · r bytes. */
  memoryMiB: number;
  hashMs: Summary;
  verifyMs: Summary;
}

export async function measureScrypt(runs: number): Promise<ScryptResult> {
  // The deployed configuration: the stack sets no SCRYPT_LOG_N, so config.ts's default applies.
  const parameters: ScryptParameters = { logN: loadConfig({}).scryptLogN, r: 8, p: 1 };
  const password = 'correct horse battery staple';
  const stored = await hashPassword(password, parameters);
  const hashes: number[] = [];
  const verifications: number[] = [];
  for (let run = 0; run < runs; run++) {
    let started = performance.now();
    await hashPassword(password, parameters);
    hashes.push(performance.now() - started);
    started = performance.now();
    if (!(await verifyPassword(password, stored, parameters))) throw new Error('scrypt: verification failed');
    verifications.push(performance.now() - started);
  }
  return {
    parameters,
    memoryMiB: (128 * 2 ** parameters.logN * parameters.r) / 2 ** 20,
    hashMs: summarise(hashes),
    verifyMs: summarise(verifications),
  };
}
