/**
 * Where the admin tool acts: the local stack (the DynamoDB Local of a running `npm start`, or one of its
 * own on `.data/dynamodb`, and the local key file), or a deployed stack, found by its CloudFormation
 * outputs and reached with the caller's own AWS credentials. Either way it builds a `Runtime` for the
 * composition root (functions/app/services.ts), so every command goes through the same core services
 * as the functions; audit lines are written to standard error, beside the command's result on stdout.
 */
import { userInfo } from 'node:os';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createLogger } from '#adapters/logger';
import { type Runtime, runtimeFrom } from '#app/services';
import { epochSeconds } from '#core/clock';
import { prepareBackend } from '#infra/local/backend';
import { rotateLocalKeys } from '#infra/local/key-rotation';

type Env = Record<string, string | undefined>;

export interface AdminTarget {
  runtime: Runtime;
  /** Who acts, as the audit lines name them: an AWS principal ARN, or `local:<OS user>`. */
  operator: string;
  /** Starts a key rotation; what was done. */
  rotateKeys(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Audit lines and metrics go to stderr, so that stdout is the command's result alone. */
function adminRuntime(env: Env): Runtime {
  return {
    ...runtimeFrom(env),
    logger: createLogger({ service: 'tinyoauth-admin', write: (line) => process.stderr.write(`${line}\n`) }),
  };
}

export async function localTarget(env: Env): Promise<AdminTarget> {
  const backend = await prepareBackend(env, { command: 'npm run admin', whenInUse: 'share' });
  const runtime = adminRuntime(env);
  return {
    runtime,
    operator: `local:${userInfo().username}`,
    rotateKeys: async () => ({ ...(await rotateLocalKeys(runtime.config, epochSeconds(runtime.clock))) }),
    close: () => backend.stop(),
  };
}

/** The outputs of infra/cdk/stack.ts the tool needs. */
const OUTPUTS = ['TablePrefix', 'Issuer', 'SigningKeySecretArn'] as const;

export async function stackTarget(stackName: string, env: Env): Promise<AdminTarget> {
  const cloudFormation = new CloudFormationClient({});
  const region = await cloudFormation.config.region();
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = Object.fromEntries(
    (Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
  );
  const missing = OUTPUTS.filter((name) => !outputs[name]);
  if (missing.length > 0) {
    throw new Error(
      `Stack ${stackName} has no output ${missing.join(', ')}: deploy this version of tinyoauth first.`,
    );
  }
  const { Arn } = await new STSClient({ region }).send(new GetCallerIdentityCommand({}));
  const runtime = adminRuntime({
    ...env,
    AWS_REGION: region,
    TABLE_PREFIX: outputs.TablePrefix,
    ISSUER: outputs.Issuer,
    // Never a local DynamoDB for a deployed stack, whatever this shell has set.
    DYNAMODB_ENDPOINT: undefined,
  });
  return {
    runtime,
    operator: Arn ?? 'unknown AWS principal',
    rotateKeys: async () => {
      // Secrets Manager runs the rotation function, which publishes the new key, waits until every JWKS
      // cache has it, then makes it current: the command returns when the rotation has started.
      const { VersionId } = await new SecretsManagerClient({ region }).send(
        new RotateSecretCommand({ SecretId: outputs.SigningKeySecretArn }),
      );
      return { started: true, secret: outputs.SigningKeySecretArn, versionId: VersionId };
    },
    close: async () => {},
  };
}
