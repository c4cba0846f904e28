/**
 * Synthesizes tinyoauth the way `cdk synth` does (same app, same cdk.json context, cdk-nag included),
 * offline: no AWS account, no credentials, no network. Each test file synthesizes once and shares it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { addNagPacks, createApp } from '#infra/cdk/create-app';
import { TinyOAuth, type TinyOAuthProps } from '#infra/cdk/tinyoauth';
import { projectPath } from '#infra/paths';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation templates are untyped JSON.
export type Json = any;

export interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: 'success' | 'failure';
    violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
    suppressedViolations?: {
      ruleName: string;
      reason: string;
      acknowledgedAt: string;
      violatingConstructs: { constructPath: string }[];
    }[];
  }[];
}

export interface Synthesized {
  stack: Stack;
  tinyoauth: TinyOAuth;
  template: Json;
  report: ValidationReport;
  outdir: string;
  logicalId(construct: IConstruct): string;
  /** [logicalId, resource] of every resource of a type. */
  resources(type: string): [string, Json][];
  /** [logicalId, resource] of the one resource of a type; throws unless there is exactly one. */
  only(type: string): [string, Json];
  cleanup(): void;
}

/** The context `cdk synth` uses: cdk.json's. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(projectPath('cdk.json'), 'utf8'),
).context;

/** Skips esbuild for every stack, as `cdk deploy --exclusively` does for the others: for fast variants. */
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

/** An environment with no way to reach AWS: whatever synth needs, it must not be an account. */
export function withoutAwsCredentials<T>(run: () => T): T {
  const names = [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'CDK_DEFAULT_ACCOUNT',
    'CDK_DEFAULT_REGION',
  ];
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  for (const name of names) delete process.env[name];
  const savedFiles = [process.env.AWS_CONFIG_FILE, process.env.AWS_SHARED_CREDENTIALS_FILE];
  process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
  try {
    return run();
  } finally {
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
    restore('AWS_CONFIG_FILE', savedFiles[0]);
    restore('AWS_SHARED_CREDENTIALS_FILE', savedFiles[1]);
  }
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

function finish(app: App, stack: Stack, tinyoauth: TinyOAuth, outdir: string): Synthesized {
  const assembly = app.synth();
  const template = assembly.getStackArtifact(stack.artifactId).template;
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  return {
    stack,
    tinyoauth,
    template,
    report,
    outdir,
    logicalId: (construct) => stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement),
    resources: (type) =>
      Object.entries(template.Resources as Record<string, Json>).filter(([, r]) => r.Type === type),
    only: (type) => {
      const found = Object.entries(template.Resources as Record<string, Json>).filter(
        ([, r]) => r.Type === type,
      );
      if (found.length !== 1) throw new Error(`Expected one ${type}, found ${found.length}`);
      return found[0] as [string, Json];
    },
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** The app of `cdk.json` exactly, with `-c` style context on top. */
export function synthesizeApp(
  options: { context?: Record<string, unknown>; bundle?: boolean } = {},
): Synthesized {
  return withoutAwsCredentials(() => {
    const outdir = mkdtempSync(join(tmpdir(), 'tinyoauth-cdk-'));
    const { app, stack } = createApp({
      outdir,
      context: { ...CDK_JSON_CONTEXT, ...(options.bundle ? {} : NO_BUNDLING), ...options.context },
    });
    return finish(app, stack, stack.tinyoauth, outdir);
  });
}

/** The construct inside a team's own stack, with props that need constructs (a Lambda backend, a certificate). */
export function synthesizeConstruct(props: (stack: Stack) => TinyOAuthProps): Synthesized {
  return withoutAwsCredentials(() => {
    const outdir = mkdtempSync(join(tmpdir(), 'tinyoauth-cdk-'));
    const app = new App({ outdir, context: { ...CDK_JSON_CONTEXT, ...NO_BUNDLING } });
    addNagPacks(app);
    const stack = new Stack(app, 'TeamStack', { env: { account: '123456789012', region: 'eu-west-1' } });
    const tinyoauth = new TinyOAuth(stack, 'Auth', props(stack));
    return finish(app, stack, tinyoauth, outdir);
  });
}

/** Every statement of every IAM policy attached to a role, with actions and resources as arrays. */
export function statementsOfRole(synthesized: Synthesized, roleLogicalId: string) {
  return synthesized
    .resources('AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties.Roles as Json[]).some((role) => role.Ref === roleLogicalId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Json[])
    .map((statement) => ({
      effect: statement.Effect as string,
      actions: ([] as string[]).concat(statement.Action),
      resources: ([] as Json[]).concat(statement.Resource),
    }));
}
