import type { PasskeyRecord, PasskeyStore } from '#core/users/passkeys';

/** An in-memory PasskeyStore with the DynamoDB one's conditions, each method one atomic step. */
export class MemoryPasskeyStore implements PasskeyStore {
  readonly passkeys = new Map<string, PasskeyRecord>();

  async addPasskey(record: PasskeyRecord): Promise<boolean> {
    if (this.passkeys.has(record.credentialId)) return false;
    this.passkeys.set(record.credentialId, { ...record });
    return true;
  }

  async findPasskey(credentialId: string) {
    return this.passkeys.get(credentialId);
  }

  async listPasskeys(sub: string) {
    return [...this.passkeys.values()].filter((passkey) => passkey.sub === sub);
  }

  async removePasskey(credentialId: string, sub: string): Promise<boolean> {
    if (this.passkeys.get(credentialId)?.sub !== sub) return false;
    return this.passkeys.delete(credentialId);
  }

  async recordUse(use: Parameters<PasskeyStore['recordUse']>[0]): Promise<boolean> {
    const current = this.passkeys.get(use.credentialId);
    if (current?.counter !== use.previousCounter) return false;
    this.passkeys.set(use.credentialId, {
      ...current,
      counter: use.counter,
      backedUp: use.backedUp,
      lastUsedAt: use.nowSeconds,
    });
    return true;
  }
}
