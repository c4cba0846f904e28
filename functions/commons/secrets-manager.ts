/**
 * The few AWS Secrets Manager calls the key Lambdas make, over the JSON protocol with aws4fetch (the
 * SDK would add hundreds of KB for four operations). Behind an interface, so the key-set logic is
 * tested against an in-memory store with the same version-stage semantics.
 */
import { AwsClient } from 'aws4fetch';

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

export class SecretsManagerError extends Error {
  override readonly name = 'SecretsManagerError';
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(`${type}: ${message}`);
  }
}

export class AwsSecretStore implements SecretStore {
  private readonly aws: AwsClient;
  private readonly url: string;

  constructor(region: string, env: Record<string, string | undefined> = process.env) {
    this.aws = new AwsClient({
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
      sessionToken: env.AWS_SESSION_TOKEN || undefined,
      service: 'secretsmanager',
      region,
    });
    this.url = `https://secretsmanager.${region}.amazonaws.com/`;
  }

  private async call<T>(operation: string, input: Record<string, unknown>): Promise<T> {
    const response = await this.aws.fetch(this.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `secretsmanager.${operation}`,
      },
      body: JSON.stringify(input),
    });
    const text = await response.text();
    const payload = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!response.ok) {
      const type = String(payload.__type ?? `HTTP${response.status}`)
        .split('#')
        .pop() as string;
      // Secrets Manager's messages name the secret and the version, never the value.
      throw new SecretsManagerError(type, String(payload.message ?? payload.Message ?? ''));
    }
    return payload as T;
  }

  async getSecretString(secretId: string, version: { versionId?: string; stage?: string } = {}) {
    try {
      const result = await this.call<{ SecretString?: string }>('GetSecretValue', {
        SecretId: secretId,
        ...(version.versionId ? { VersionId: version.versionId } : {}),
        ...(version.stage ? { VersionStage: version.stage } : {}),
      });
      return result.SecretString;
    } catch (error) {
      if (error instanceof SecretsManagerError && error.type === 'ResourceNotFoundException')
        return undefined;
      throw error;
    }
  }

  async putSecretString(
    secretId: string,
    value: string,
    options: { token?: string; stages?: string[] } = {},
  ) {
    await this.call('PutSecretValue', {
      SecretId: secretId,
      SecretString: value,
      ...(options.token ? { ClientRequestToken: options.token } : {}),
      ...(options.stages ? { VersionStages: options.stages } : {}),
    });
  }

  async describe(secretId: string): Promise<SecretDescription> {
    const result = await this.call<{ ARN: string; VersionIdsToStages?: Record<string, string[]> }>(
      'DescribeSecret',
      {
        SecretId: secretId,
      },
    );
    return { arn: result.ARN, versionStages: result.VersionIdsToStages ?? {} };
  }

  async moveStage(secretId: string, stage: string, toVersionId: string, fromVersionId: string | undefined) {
    await this.call('UpdateSecretVersionStage', {
      SecretId: secretId,
      VersionStage: stage,
      MoveToVersionId: toVersionId,
      ...(fromVersionId ? { RemoveFromVersionId: fromVersionId } : {}),
    });
  }
}
