/**
 * The CDK app: one `TinyOAuthStack`, configured from CDK context (`cdk deploy -c tinyoauth:<key>=<value>`
 * or `cdk.json`), and checked by cdk-nag's AwsSolutions and Serverless packs through CDK's own policy
 * validation: an unacknowledged finding fails `cdk synth` and `cdk deploy`.
 */
import { App, type AppProps, Duration, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { DEFAULT_THROTTLING, type TinyOAuthProps } from './props.ts';
import { type TinyOAuthDomainSettings, TinyOAuthStack } from './stack.ts';

export function createApp(props: AppProps = {}): { app: App; stack: TinyOAuthStack } {
  const app = new App(props);
  addNagPacks(app);
  const settings = new ContextSettings(app);

  const tinyoauth: Omit<TinyOAuthProps, 'customDomain'> = {
    tablePrefix: settings.text('tablePrefix'),
    stageName: settings.text('stageName'),
    tracing: settings.flag('tracing'),
    backend: settings.text('backendUrl') ? { httpUrl: settings.text('backendUrl') as string } : undefined,
    protectedScopes: settings.json('protectedScopes'),
    exampleMcpServer: settings.flag('exampleMcpServer'),
    webAclArn: settings.text('webAclArn'),
    authorizerCacheTtl: settings.seconds('authorizerCacheSeconds'),
    tokenLifetimes: {
      session: settings.seconds('sessionSeconds'),
      accessToken: settings.seconds('accessTokenSeconds'),
      refreshToken: settings.seconds('refreshTokenSeconds'),
      authorizationCode: settings.seconds('authorizationCodeSeconds'),
    },
    keyRotationInterval: settings.days('keyRotationDays'),
    discardPreviousKeysOnRotation: settings.flag('discardPreviousKeys'),
    throttling:
      settings.number('throttleRate') !== undefined || settings.number('throttleBurst') !== undefined
        ? {
            rateLimit: settings.number('throttleRate') ?? DEFAULT_THROTTLING.rateLimit,
            burstLimit: settings.number('throttleBurst') ?? DEFAULT_THROTTLING.burstLimit,
          }
        : undefined,
    cloudWatchRole: settings.flag('cloudWatchRole'),
  };
  const domainName = settings.text('domainName');
  let domain: TinyOAuthDomainSettings | undefined;
  if (domainName) {
    const certificateArn = settings.text('certificateArn');
    if (!certificateArn) throw new Error('Context tinyoauth:domainName needs tinyoauth:certificateArn too');
    domain = {
      domainName,
      certificateArn,
      hostedZoneId: settings.text('hostedZoneId'),
      hostedZoneName: settings.text('hostedZoneName'),
    };
  }

  const stack = new TinyOAuthStack(app, settings.text('stackName') ?? 'TinyOAuth', {
    description: 'tinyoauth: OAuth 2.0 authorization server (API Gateway, Lambda, DynamoDB)',
    // Environment-agnostic unless the CLI resolved an account: synth needs no AWS credentials.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    tinyoauth,
    domain,
  });
  return { app, stack };
}

/** Registers cdk-nag 3 on the app: both packs run at synth, after all constructs are in place. */
export function addNagPacks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}

/** `tinyoauth:<key>` values of the CDK context, parsed strictly. */
class ContextSettings {
  constructor(private readonly app: App) {}

  text(key: string): string | undefined {
    const value = this.app.node.tryGetContext(`tinyoauth:${key}`);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  }

  number(key: string): number | undefined {
    const raw = this.text(key);
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw)) throw new Error(`Context tinyoauth:${key} must be a whole number, got "${raw}"`);
    return Number(raw);
  }

  seconds(key: string): Duration | undefined {
    const value = this.number(key);
    return value === undefined ? undefined : Duration.seconds(value);
  }

  days(key: string): Duration | undefined {
    const value = this.number(key);
    return value === undefined ? undefined : Duration.days(value);
  }

  flag(key: string): boolean | undefined {
    const raw = this.text(key);
    if (raw === undefined) return undefined;
    if (raw !== 'true' && raw !== 'false')
      throw new Error(`Context tinyoauth:${key} must be true or false, got "${raw}"`);
    return raw === 'true';
  }

  json(key: string): Record<string, string> | undefined {
    const raw = this.app.node.tryGetContext(`tinyoauth:${key}`);
    if (raw === undefined || raw === null || raw === '') return undefined;
    if (typeof raw === 'object') return raw as Record<string, string>;
    try {
      return JSON.parse(String(raw)) as Record<string, string>;
    } catch {
      throw new Error(`Context tinyoauth:${key} must be a JSON object, got "${raw}"`);
    }
  }
}
