import { describe, expect, it } from 'vitest';
import { InvalidScope } from '#core/errors';
import { type ConsentRecord, type ConsentStore, Consents, missingScopes } from '#core/oauth/consents';
import { manualClock } from '../../../fakes/keys.ts';

/** An in-memory store with the DynamoDB store's union semantics. */
class MemoryConsentStore implements ConsentStore {
  readonly records = new Map<string, ConsentRecord>();

  async findConsent(sub: string, clientId: string) {
    return this.records.get(`${sub}/${clientId}`);
  }

  async addScopes(sub: string, clientId: string, scopes: readonly string[], nowSeconds: number) {
    const key = `${sub}/${clientId}`;
    const current = this.records.get(key);
    this.records.set(key, {
      sub,
      clientId,
      scopes: [...new Set([...(current?.scopes ?? []), ...scopes])],
      createdAt: current?.createdAt ?? nowSeconds,
      updatedAt: nowSeconds,
    });
  }
}

describe('missingScopes', () => {
  it.each([
    [[], ['read'], ['read']],
    [['read'], ['read'], []],
    [['read'], ['read', 'write'], ['write']],
    [['read', 'write'], ['write'], []],
    [['read'], [], []],
    [['Read'], ['read'], ['read']], // scope tokens are case-sensitive (RFC 6749 §3.3)
  ])('approved %j, requested %j → %j', (approved, requested, missing) => {
    expect(missingScopes(approved, requested)).toEqual(missing);
  });
});

describe('Consents', () => {
  const setup = () => {
    const store = new MemoryConsentStore();
    const clock = manualClock(Date.UTC(2026, 0, 1));
    return { store, clock, consents: new Consents({ store, clock }) };
  };

  it('covers nothing before an approval, even an empty scope', async () => {
    const { consents } = setup();
    expect(await consents.covers('alice', 'app', 'read')).toBe(false);
    expect(await consents.covers('alice', 'app', '')).toBe(false);
  });

  it('covers what was approved and any part of it', async () => {
    const { consents } = setup();
    await consents.remember('alice', 'app', 'read write');
    expect(await consents.covers('alice', 'app', 'read write')).toBe(true);
    expect(await consents.covers('alice', 'app', 'write read')).toBe(true);
    expect(await consents.covers('alice', 'app', 'read')).toBe(true);
  });

  it('does not cover more scopes, another client or another user', async () => {
    const { consents } = setup();
    await consents.remember('alice', 'app', 'read');
    expect(await consents.covers('alice', 'app', 'read write')).toBe(false);
    expect(await consents.covers('alice', 'other', 'read')).toBe(false);
    expect(await consents.covers('bob', 'app', 'read')).toBe(false);
  });

  it('adds to what was approved instead of replacing it', async () => {
    const { consents, store, clock } = setup();
    await consents.remember('alice', 'app', 'read');
    clock.advance(60);
    await consents.remember('alice', 'app', 'write');
    expect(await consents.covers('alice', 'app', 'read write')).toBe(true);
    const record = await store.findConsent('alice', 'app');
    expect(record?.updatedAt).toBe((record?.createdAt ?? 0) + 60);
  });

  it('refuses a malformed scope instead of remembering it', async () => {
    const { consents } = setup();
    await expect(consents.remember('alice', 'app', 'read "quoted"')).rejects.toBeInstanceOf(InvalidScope);
  });
});
