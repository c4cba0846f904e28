/**
 * Signing keys behind one small interface. A key set is a JSON document whose first key is the current
 * signing key; the others are previous keys, published in the JWKS until every token they signed has
 * expired. Locally the document lives in a git-ignored file; in the cloud in AWS Secrets Manager.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import type { SecretStore } from '#adapters/aws/secrets-manager';

export const SIGNING_ALGORITHM = 'ES256';

export interface StoredKey {
  kid: string;
  alg: typeof SIGNING_ALGORITHM;
  /** Private JWK (includes `d`). Never logged, never returned. */
  privateJwk: JWK;
  createdAt: number;
  /** When it stopped being the current key (epoch seconds); absent for the current key. */
  retiredAt?: number;
}

export interface KeySetDocument {
  keys: StoredKey[];
}

export interface KeySource {
  load(): Promise<KeySetDocument>;
}

export class KeySetError extends Error {
  override readonly name = 'KeySetError';
}

export async function generateSigningKey(nowSeconds: number): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  return { kid: randomUUID(), alg: SIGNING_ALGORITHM, privateJwk, createdAt: nowSeconds };
}

/**
 * The key set after a rotation: `fresh` becomes current, the old current key is retired now, and keys
 * retired longer ago than `retainSeconds` (the longest lifetime of any token they may have signed) go.
 */
export function rotateKeySet(
  document: KeySetDocument,
  fresh: StoredKey,
  nowSeconds: number,
  retainSeconds: number,
): KeySetDocument {
  const previous = document.keys.map((key, index) =>
    index === 0 && key.retiredAt === undefined ? { ...key, retiredAt: nowSeconds } : key,
  );
  return {
    keys: [fresh, ...previous.filter((key) => (key.retiredAt ?? nowSeconds) + retainSeconds > nowSeconds)],
  };
}

export function publicJwk(key: StoredKey): JWK {
  const { d: _private, ...rest } = key.privateJwk;
  return { ...rest, kid: key.kid, alg: key.alg, use: 'sig' };
}

export function parseKeySet(text: string): KeySetDocument {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new KeySetError('The signing key set is not valid JSON');
  }
  const keys = (document as KeySetDocument | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new KeySetError('The signing key set holds no keys');
  for (const key of keys) {
    if (
      typeof key?.kid !== 'string' ||
      key.alg !== SIGNING_ALGORITHM ||
      typeof key.privateJwk?.d !== 'string'
    ) {
      throw new KeySetError('The signing key set holds a malformed key');
    }
  }
  return { keys };
}

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

/** The key set as the `SecretString` of an AWS Secrets Manager secret. */
export class SecretKeySetSource implements KeySource {
  constructor(
    private readonly store: SecretStore,
    private readonly secretId: string,
  ) {}

  async load(): Promise<KeySetDocument> {
    const text = await this.store.getSecretString(this.secretId);
    if (text === undefined) throw new KeySetError('The signing key secret does not exist');
    return parseKeySet(text);
  }
}

/** Public keys only, for functions that verify but never sign (they are given no private key at all). */
export interface PublicKeySource {
  load(): Promise<{ keys: JWK[] }>;
}

export interface SigningKey {
  kid: string;
  key: CryptoKey;
}

/** How often a warm function reloads its keys, so that a rotation reaches it without a redeploy. */
export const KEY_REFRESH_SECONDS = 300;

interface LoadedKeys {
  signing: SigningKey | undefined;
  publicKeys: JWK[];
}

/**
 * The keys as a process uses them: loaded once, kept in memory, and reloaded after `refreshSeconds`.
 * Built from a full key set (functions that sign) or from public keys only (functions that verify).
 */
export class KeyRing {
  private loaded: { at: number; current: Promise<LoadedKeys> } | undefined;
  private resolver: { source: JWK[]; get: JWTVerifyGetKey } | undefined;

  private constructor(
    private readonly load: () => Promise<LoadedKeys>,
    private readonly clock: () => number,
    private readonly refreshSeconds: number,
  ) {}

  static fromKeySet(source: KeySource, clock: () => number = Date.now, refreshSeconds = KEY_REFRESH_SECONDS) {
    return new KeyRing(
      async () => {
        const document = await source.load();
        const [head] = document.keys as [StoredKey, ...StoredKey[]];
        const key = (await importJWK(head.privateJwk, SIGNING_ALGORITHM)) as CryptoKey;
        return { signing: { kid: head.kid, key }, publicKeys: document.keys.map(publicJwk) };
      },
      clock,
      refreshSeconds,
    );
  }

  static fromPublicKeys(
    source: PublicKeySource,
    clock: () => number = Date.now,
    refreshSeconds = KEY_REFRESH_SECONDS,
  ) {
    return new KeyRing(
      async () => ({ signing: undefined, publicKeys: (await source.load()).keys }),
      clock,
      refreshSeconds,
    );
  }

  private state(): Promise<LoadedKeys> {
    const now = this.clock();
    if (!this.loaded || now - this.loaded.at >= this.refreshSeconds * 1000) {
      const current = this.load();
      this.loaded = { at: now, current };
      // A failed load must not be cached: the next request tries again.
      current.catch(() => {
        if (this.loaded?.current === current) this.loaded = undefined;
      });
    }
    return this.loaded.current;
  }

  async signingKey(): Promise<SigningKey> {
    const { signing } = await this.state();
    if (!signing) throw new KeySetError('This function verifies tokens only; it has no signing key');
    return signing;
  }

  async publicKeys(): Promise<JWK[]> {
    return (await this.state()).publicKeys;
  }

  /** A jose key resolver over the current public keys, rebuilt only when the key set changes. */
  async verificationKeys(): Promise<JWTVerifyGetKey> {
    const publicKeys = await this.publicKeys();
    if (this.resolver?.source !== publicKeys) {
      this.resolver = { source: publicKeys, get: createLocalJWKSet({ keys: publicKeys }) };
    }
    return this.resolver.get;
  }
}
