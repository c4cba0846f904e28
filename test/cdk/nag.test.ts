/**
 * cdk-nag 3 (AwsSolutions and Serverless packs, registered by the app itself through
 * `Validations.of(app).addPlugins`) finds nothing unacknowledged, and every acknowledgement is one a
 * security reviewer can check: attached to the resource it is about, with a reason that explains it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedMethodsByPath } from '#infra/method-not-allowed';
import { routes } from '#infra/routes';
import { type Synthesized, synthesizeApp } from './synth.ts';

let synthesized: Synthesized;

beforeAll(() => {
  synthesized = synthesizeApp();
}, 300_000);
afterAll(() => synthesized?.cleanup());

const report = (plugin: string) => {
  const found = synthesized.report.pluginReports.find((entry) => entry.pluginName === plugin);
  if (!found) throw new Error(`cdk-nag pack ${plugin} did not run`);
  return found;
};

/** The only kinds of findings tinyoauth acknowledges (see infra/cdk/acknowledgements.ts and the README's Deploying section). */
const ACKNOWLEDGED_RULES = [
  'AwsSolutions-APIG3',
  'AwsSolutions-APIG4',
  'AwsSolutions-COG4',
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
  'AwsSolutions-IAM5[Resource::*]',
  'AwsSolutions-SMG4',
  'Serverless-LambdaDLQ',
];

describe('cdk-nag', () => {
  it('runs both packs and reports no finding that is not acknowledged, errors and warnings alike', () => {
    for (const plugin of ['AwsSolutions', 'Serverless']) {
      expect(report(plugin).violations, plugin).toEqual([]);
      expect(report(plugin).conclusion, plugin).toBe('success');
    }
    for (const entry of synthesized.report.pluginReports)
      expect(entry.violations, entry.pluginName).toEqual([]);
  });

  it('acknowledges only the expected kinds of findings, each with a reason a reviewer can check', () => {
    const suppressed = synthesized.report.pluginReports.flatMap((entry) => entry.suppressedViolations ?? []);
    expect([...new Set(suppressed.map((finding) => finding.ruleName))].sort()).toEqual(ACKNOWLEDGED_RULES);
    for (const finding of suppressed) {
      expect(finding.reason.length, finding.ruleName).toBeGreaterThanOrEqual(120);
      // On the resource (or its function/role), never on the stack: a new resource must be reported.
      expect(finding.acknowledgedAt.split('/').length, finding.ruleName).toBeGreaterThanOrEqual(3);
    }
  });

  it('acknowledges "no authorizer" only on the public endpoints of the authorization server and their 405s', () => {
    const suppressed = synthesized.report.pluginReports.flatMap((entry) => entry.suppressedViolations ?? []);
    const publicMethods = suppressed
      .filter((finding) => finding.ruleName === 'AwsSolutions-APIG4')
      .flatMap((finding) => finding.violatingConstructs.map((construct) => construct.constructPath));
    const methodNotAllowed = publicMethods.filter((path) => path.endsWith('/ANY/Resource'));
    expect(publicMethods.length - methodNotAllowed.length).toBe(
      routes.filter((route) => !route.authorized).length,
    );
    expect(methodNotAllowed).toHaveLength(allowedMethodsByPath(routes).size);
    for (const path of publicMethods) expect(path).not.toContain('/protected/');
  });

  it('acknowledges the X-Ray wildcard only on function roles', () => {
    const suppressed = synthesized.report.pluginReports.flatMap((entry) => entry.suppressedViolations ?? []);
    for (const finding of suppressed.filter((f) => f.ruleName === 'AwsSolutions-IAM5[Resource::*]')) {
      for (const construct of finding.violatingConstructs)
        expect(construct.constructPath).toMatch(/Role\/DefaultPolicy\/Resource$/);
    }
  });
});
