/**
 * An in-memory AWS Secrets Manager with its version-stage rules (AWSCURRENT moves, the old current
 * version becomes AWSPREVIOUS, a client request token makes PutSecretValue idempotent), so the key
 * Lambdas' logic is tested against the behaviour it relies on.
 */
import { randomUUID } from 'node:crypto';
import { createLogger } from '#adapters/logger';
import { parseKeySet } from '#core/keys/key-set';
import { CURRENT, PENDING, type SecretDescription, type SecretStore } from '#core/keys/secret-store';

const PREVIOUS = 'AWSPREVIOUS';

/** Named like the SDK's exceptions, which is all the code under test looks at. */
class SecretsManagerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface Version {
  /** Undefined for the version Secrets Manager creates when a rotation starts, until createSecret fills it. */
  value: string | undefined;
  stages: Set<string>;
}

export class MemorySecretStore implements SecretStore {
  private readonly secrets = new Map<string, Map<string, Version>>();
  /** Every call, for assertions on what was (not) written. */
  readonly calls: { operation: string; secretId: string }[] = [];
  /** Makes the next call of this operation fail, as an unavailable Secrets Manager would. */
  failNext: string | undefined;

  /** Creates a secret with one AWSCURRENT version, as CloudFormation does; returns its ARN. */
  create(name: string, value: string): string {
    const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
    this.secrets.set(arn, new Map([[randomUUID(), { value, stages: new Set([CURRENT]) }]]));
    return arn;
  }

  /** What RotateSecret does before it invokes the function: a new version id labelled AWSPENDING, no value. */
  beginRotation(secretId: string, token: string): void {
    const secret = this.secret(secretId);
    this.detach(secret, PENDING);
    secret.set(token, { value: undefined, stages: new Set([PENDING]) });
  }

  versionCount(secretId: string): number {
    return this.secret(secretId).size;
  }

  private secret(secretId: string): Map<string, Version> {
    const secret = this.secrets.get(secretId);
    if (!secret)
      throw new SecretsManagerError('ResourceNotFoundException', `Secrets Manager can't find ${secretId}`);
    return secret;
  }

  private record(operation: string, secretId: string): void {
    this.calls.push({ operation, secretId });
    if (this.failNext === operation) {
      this.failNext = undefined;
      throw new SecretsManagerError('InternalServiceError', 'Simulated failure');
    }
  }

  async getSecretString(secretId: string, version: { versionId?: string; stage?: string } = {}) {
    this.record('GetSecretValue', secretId);
    const secret = this.secret(secretId);
    const stage = version.stage ?? (version.versionId ? undefined : CURRENT);
    for (const [id, entry] of secret) {
      if (version.versionId && id !== version.versionId) continue;
      if (stage && !entry.stages.has(stage)) continue;
      if (entry.value === undefined) break;
      return entry.value;
    }
    // Secrets Manager's answer for a version (or stage) without a value; the client maps it to undefined.
    return undefined;
  }

  async putSecretString(
    secretId: string,
    value: string,
    options: { token?: string; stages?: string[] } = {},
  ) {
    this.record('PutSecretValue', secretId);
    const secret = this.secret(secretId);
    const versionId = options.token ?? randomUUID();
    const existing = secret.get(versionId);
    const stages = new Set(options.stages ?? [CURRENT]);
    if (existing?.value !== undefined) {
      if (existing.value !== value)
        throw new SecretsManagerError('ResourceExistsException', 'Version exists');
      return;
    }
    for (const stage of stages) this.detach(secret, stage);
    secret.set(versionId, { value, stages });
  }

  async describe(secretId: string): Promise<SecretDescription> {
    this.record('DescribeSecret', secretId);
    const secret = this.secret(secretId);
    return {
      arn: secretId,
      versionStages: Object.fromEntries([...secret].map(([id, entry]) => [id, [...entry.stages]])),
    };
  }

  async moveStage(secretId: string, stage: string, toVersionId: string, fromVersionId: string | undefined) {
    this.record('UpdateSecretVersionStage', secretId);
    const secret = this.secret(secretId);
    const holder = [...secret].find(([, entry]) => entry.stages.has(stage))?.[0];
    if (holder !== undefined && holder !== fromVersionId) {
      throw new SecretsManagerError('InvalidParameterException', `${stage} is attached to ${holder}`);
    }
    const target = secret.get(toVersionId);
    if (!target) throw new SecretsManagerError('ResourceNotFoundException', `No version ${toVersionId}`);
    this.detach(secret, stage);
    target.stages.add(stage);
  }

  private detach(secret: Map<string, Version>, stage: string): void {
    for (const entry of secret.values()) {
      if (!entry.stages.delete(stage)) continue;
      if (stage === CURRENT) {
        for (const other of secret.values()) other.stages.delete(PREVIOUS);
        entry.stages.add(PREVIOUS);
      }
    }
  }
}

/** What CloudFormation creates before the custom resource runs: both secrets hold a placeholder, no key set. */
export const PLACEHOLDER = JSON.stringify({ keys: [], uninitialized: 'generated-by-cloudformation' });

/** The signing and public secrets of a new stack, in memory, with a logger that keeps its lines. */
export function keySecretsTestbed() {
  const store = new MemorySecretStore();
  const secrets = {
    signing: store.create('signing', PLACEHOLDER),
    public: store.create('public', PLACEHOLDER),
  };
  const lines: string[] = [];
  const logger = createLogger({ write: (line) => lines.push(line), level: 'debug' });
  return { store, secrets, lines, logger };
}

/** The key set a secret holds now. */
export async function currentKeySet(store: MemorySecretStore, secretId: string) {
  return parseKeySet((await store.getSecretString(secretId)) as string);
}
