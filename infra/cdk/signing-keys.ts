/**
 * The signing keys in AWS Secrets Manager: a signing secret with the full key set (private keys), a
 * public secret with only the JWKS derived from it, the custom resource that creates the first key
 * inside AWS at deploy time (no key material in any template or asset), and the rotation function
 * Secrets Manager runs on a schedule. See functions/handlers/keys/ for what each function does.
 */
import { CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnRotationSchedule, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { KEY_ALGORITHMS } from '#core/keys/key-set';
import { acknowledge, REASONS } from './acknowledgements.ts';
import { type FunctionEnvironment, TinyOAuthFunction } from './function.ts';

export interface SigningKeysProps {
  /** How long a retired key stays in the JWKS: the longest lifetime of a token it may have signed. */
  retainSeconds: number;
  /** How long a new key is published before it becomes current (every cache of the JWKS must expire). */
  publishDelaySeconds: number;
  rotationInterval: Duration;
  /** Where clients fetch the JWKS; rotation checks the new key is served there before activating it. */
  jwksUrl: string;
  tracing: boolean;
  logRetention: RetentionDays;
  /** The metrics settings (namespace, service) the rotation function publishes with. */
  metricsEnvironment: FunctionEnvironment;
}

/** The secret's initial value, replaced at deploy time by the custom resource. Not a key set. */
const PLACEHOLDER = {
  secretStringTemplate: JSON.stringify({ keys: [] }),
  generateStringKey: 'uninitialized',
};

export class SigningKeys extends Construct {
  /** The key set with private keys; readable only by functions that sign. */
  readonly signingSecret: Secret;
  /** The public keys only (a JWKS); what functions that publish or verify keys read. */
  readonly publicSecret: Secret;
  /** Completes once both secrets hold a valid key set; everything that reads them depends on it. */
  readonly ready: CustomResource;
  readonly initializer: TinyOAuthFunction;
  readonly rotator: TinyOAuthFunction;

  constructor(scope: Construct, id: string, props: SigningKeysProps) {
    super(scope, id);
    this.signingSecret = this.secret(
      'SigningSecret',
      'tinyoauth signing key set (private JWKs; the first key signs). Created and rotated by Lambda.',
    );
    this.publicSecret = this.secret(
      'PublicSecret',
      'tinyoauth public signing keys (a JWKS), derived from the signing key set at every change.',
    );
    acknowledge(this.publicSecret, 'AwsSolutions', 'AwsSolutions-SMG4', REASONS.publicKeysNoRotation);

    const environment: FunctionEnvironment = {
      ...props.metricsEnvironment,
      SIGNING_KEYS_SECRET_ID: this.signingSecret.secretArn,
      PUBLIC_KEYS_SECRET_ID: this.publicSecret.secretArn,
      KEY_RETAIN_SECONDS: String(props.retainSeconds),
      KEY_PUBLISH_DELAY_SECONDS: String(props.publishDelaySeconds),
    };
    this.initializer = this.createInitializer(props, environment);
    this.ready = new CustomResource(this, 'KeySet', {
      serviceToken: this.initializer.functionArn,
      resourceType: 'Custom::TinyOAuthKeySet',
      // A replaced secret changes these, which runs the resource again for the new secret; so does a new
      // algorithm, which the resource then adds to the existing key set (RS256 for ID tokens).
      properties: {
        SigningSecret: this.signingSecret.secretArn,
        PublicSecret: this.publicSecret.secretArn,
        Algorithms: KEY_ALGORITHMS.join(' '),
      },
    });
    this.rotator = this.createRotator(props, environment);
    this.schedule(props.rotationInterval);
  }

  /** A secret created with a placeholder that the custom resource replaces at deploy time. */
  private secret(id: string, description: string): Secret {
    return new Secret(this, id, {
      description,
      generateSecretString: PLACEHOLDER,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  private createInitializer(props: SigningKeysProps, environment: FunctionEnvironment): TinyOAuthFunction {
    const initializer = new TinyOAuthFunction(this, 'Initializer', {
      entry: 'functions/handlers/keys/initialize.ts',
      description: 'CloudFormation custom resource: creates the first signing key inside AWS',
      environment,
      timeout: Duration.seconds(60),
      withoutDeadLetterQueue: REASONS.customResourceNoDlq,
      tracing: props.tracing,
      logRetention: props.logRetention,
    });
    this.allow(initializer, this.signingSecret, ['GetSecretValue', 'PutSecretValue']);
    this.allow(initializer, this.publicSecret, ['GetSecretValue', 'PutSecretValue']);
    return initializer;
  }

  private createRotator(props: SigningKeysProps, environment: FunctionEnvironment): TinyOAuthFunction {
    const rotator = new TinyOAuthFunction(this, 'Rotator', {
      entry: 'functions/handlers/keys/rotate.ts',
      description: 'Secrets Manager rotation of the signing key set',
      environment: { ...environment, JWKS_URI: props.jwksUrl },
      // The steps take seconds; testSecret waits for the published keys to reach every cache.
      timeout: Duration.seconds(props.publishDelaySeconds + 120),
      withoutDeadLetterQueue: REASONS.rotationNoDlq,
      tracing: props.tracing,
      logRetention: props.logRetention,
    });
    this.allow(rotator, this.signingSecret, [
      'DescribeSecret',
      'GetSecretValue',
      'PutSecretValue',
      'UpdateSecretVersionStage',
    ]);
    this.allow(rotator, this.publicSecret, ['GetSecretValue', 'PutSecretValue']);
    // Secrets Manager may invoke it for this secret of this account only (confused-deputy protection).
    rotator.addPermission('SecretsManagerInvoke', {
      principal: new ServicePrincipal('secretsmanager.amazonaws.com'),
      sourceAccount: Stack.of(this).account,
      sourceArn: this.signingSecret.secretArn,
    });
    return rotator;
  }

  private schedule(interval: Duration): void {
    // The L1 resource, because the L2 `addRotationSchedule` also grants `secretsmanager:GetRandomPassword`
    // on `*`, which this function never calls.
    const schedule = new CfnRotationSchedule(this, 'RotationSchedule', {
      secretId: this.signingSecret.secretArn,
      rotationLambdaArn: this.rotator.functionArn,
      rotationRules: { scheduleExpression: `rate(${interval.toDays()} days)` },
      // The first rotation is due one interval after the first key, not during the deployment.
      rotateImmediatelyOnUpdate: false,
    });
    // Secrets Manager checks at creation that it may invoke the function.
    schedule.node.addDependency(this.ready, this.rotator.node.findChild('SecretsManagerInvoke'));
  }

  /** `secretsmanager:GetSecretValue` on the signing secret only. */
  grantSign(grantee: IGrantable): void {
    this.allow(grantee, this.signingSecret, ['GetSecretValue']);
  }

  /** `secretsmanager:GetSecretValue` on the public secret only. */
  grantPublish(grantee: IGrantable): void {
    this.allow(grantee, this.publicSecret, ['GetSecretValue']);
  }

  private allow(grantee: IGrantable, secret: Secret, actions: string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: actions.map((action) => `secretsmanager:${action}`),
        // The full ARN (Ref of the secret), never a `-??????` wildcard.
        resources: [secret.secretArn],
      }),
    );
  }
}
