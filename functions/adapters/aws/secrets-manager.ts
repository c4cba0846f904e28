/**
 * The Secrets Manager calls the key functions make, through the AWS SDK's client with the settings of
 * client-settings.ts. Behind the core's `SecretStore` port, so the key-set logic is tested against an
 * in-memory store with the same version-stage semantics.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { SecretDescription, SecretStore } from '#core/keys/secret-store';
import { awsClientConfig } from './client-settings.ts';
import { translateUnavailable } from './unavailable.ts';

export class AwsSecretStore implements SecretStore {
  private readonly client: SecretsManagerClient;

  constructor(region: string) {
    this.client = new SecretsManagerClient(awsClientConfig({ region }));
    translateUnavailable(this.client.middlewareStack, 'Secrets Manager');
  }

  async getSecretString(secretId: string, version: { versionId?: string; stage?: string } = {}) {
    try {
      const result = await this.client.send(
        new GetSecretValueCommand({
          SecretId: secretId,
          ...(version.versionId ? { VersionId: version.versionId } : {}),
          ...(version.stage ? { VersionStage: version.stage } : {}),
        }),
      );
      return result.SecretString;
    } catch (error) {
      // Secrets Manager's messages name the secret and the version, never the value.
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  async putSecretString(
    secretId: string,
    value: string,
    options: { token?: string; stages?: string[] } = {},
  ) {
    await this.client.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        SecretString: value,
        ...(options.token ? { ClientRequestToken: options.token } : {}),
        ...(options.stages ? { VersionStages: options.stages } : {}),
      }),
    );
  }

  async describe(secretId: string): Promise<SecretDescription> {
    const result = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return { arn: result.ARN ?? secretId, versionStages: result.VersionIdsToStages ?? {} };
  }

  async moveStage(secretId: string, stage: string, toVersionId: string, fromVersionId: string | undefined) {
    await this.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: stage,
        MoveToVersionId: toVersionId,
        ...(fromVersionId ? { RemoveFromVersionId: fromVersionId } : {}),
      }),
    );
  }
}
