/**
 * What the key functions need of a secret store: AWS Secrets Manager's versions and staging labels, so
 * that a rotation can prepare a key set as AWSPENDING and promote it to AWSCURRENT. Tests use an
 * in-memory store with the same semantics.
 */

export const CURRENT = 'AWSCURRENT';
export const PENDING = 'AWSPENDING';

export interface SecretDescription {
  arn: string;
  /** Version id → its staging labels (AWSCURRENT, AWSPENDING, AWSPREVIOUS). */
  versionStages: Record<string, string[]>;
}

export interface SecretStore {
  /** The secret string of a version, or undefined when that version (or stage) does not exist. */
  getSecretString(
    secretId: string,
    version?: { versionId?: string; stage?: string },
  ): Promise<string | undefined>;
  /**
   * Stores a new version. `token` makes the call idempotent (Secrets Manager's ClientRequestToken); `stages`
   * defaults to AWSCURRENT, as in Secrets Manager.
   */
  putSecretString(
    secretId: string,
    value: string,
    options?: { token?: string; stages?: string[] },
  ): Promise<void>;
  describe(secretId: string): Promise<SecretDescription>;
  /** Moves `stage` to `toVersionId`, taking it from `fromVersionId`. */
  moveStage(
    secretId: string,
    stage: string,
    toVersionId: string,
    fromVersionId: string | undefined,
  ): Promise<void>;
}
