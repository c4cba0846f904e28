/**
 * The construct's CloudWatch dashboard: alarm states first, then the API, the business and security
 * metrics the functions publish (functions/contract/metrics.ts), the functions and the tables.
 */
import { Duration } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  type Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { GRANT_TYPE_DIMENSION, ISSUED_GRANT_TYPES, METRICS, type MetricName } from '#contract/metrics';

export interface DashboardProps {
  stage: Stage;
  functions: Record<string, IFunction>;
  tables: Record<string, Table>;
  alarms: Alarm[];
  /** A metric the functions publish, in this deployment's namespace and `service`. */
  metric(name: MetricName, options?: { statistic?: string; dimensions?: Record<string, string> }): Metric;
}

const graph = (title: string, left: IMetric[], width = 8) =>
  new GraphWidget({ title, left, width, height: 6 });

export function createDashboard(scope: Construct, props: DashboardProps): Dashboard {
  // Named by CloudFormation, unique per account; the stack's DashboardUrl output links to it.
  const dashboard = new Dashboard(scope, 'Dashboard');
  dashboard.addWidgets(
    new TextWidget({
      markdown:
        "# tinyoauth\nWhat each alarm means and what to do when it fires: the README's Operations section.",
      width: 24,
      height: 2,
    }),
    new AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 24, height: 4 }),
  );
  const { stage } = props;
  dashboard.addWidgets(
    graph('API requests', [stage.metricCount({ statistic: 'Sum' })]),
    graph('API errors', [
      stage.metricClientError({ statistic: 'Sum' }),
      stage.metricServerError({ statistic: 'Sum' }),
    ]),
    graph('API latency p99 (ms)', [stage.metricLatency({ statistic: 'p99' })]),
  );
  dashboard.addWidgets(...securityWidgets(props));
  const functions = Object.entries(props.functions);
  dashboard.addWidgets(
    graph(
      'Lambda errors',
      functions.map(([name, fn]) => fn.metricErrors({ label: name })),
      12,
    ),
    graph(
      'Lambda duration p99 (ms)',
      functions.map(([name, fn]) => fn.metricDuration({ label: name, statistic: 'p99' })),
      12,
    ),
  );
  dashboard.addWidgets(
    graph(
      'DynamoDB throttled requests',
      Object.entries(props.tables).flatMap(([name, table]) => [
        table.metric('ReadThrottleEvents', { statistic: 'Sum', label: `${name} reads` }),
        table.metric('WriteThrottleEvents', { statistic: 'Sum', label: `${name} writes` }),
      ]),
      24,
    ),
  );
  return dashboard;
}

/** Sign-ins, tokens, authorizer decisions, theft signals, registrations, rotations and the key's age. */
function securityWidgets({ metric }: DashboardProps): GraphWidget[] {
  const named = (name: MetricName, label: string) => metric(name).with({ label });
  return [
    graph('Sign-ins', [
      named(METRICS.signInSucceeded, 'succeeded'),
      named(METRICS.signInFailed, 'failed'),
      named(METRICS.lockouts, 'lockouts'),
    ]),
    graph(
      'Tokens issued by grant type',
      ISSUED_GRANT_TYPES.map((grantType) =>
        metric(METRICS.tokensIssued, { dimensions: { [GRANT_TYPE_DIMENSION]: grantType } }).with({
          label: grantType,
        }),
      ),
    ),
    graph('Authorizer decisions', [
      named(METRICS.authorizerAllowed, 'allowed'),
      named(METRICS.authorizerDenied, 'denied'),
    ]),
    graph('Theft signals', [
      named(METRICS.refreshTokenReuse, 'refresh token reuse'),
      named(METRICS.codeReplay, 'code replay'),
    ]),
    graph('Clients registered, key rotations', [
      named(METRICS.clientsRegistered, 'clients registered'),
      named(METRICS.keyRotations, 'key rotations'),
    ]),
    graph('Signing key age (days)', [
      new MathExpression({
        expression: 'age / 86400',
        usingMetrics: { age: metric(METRICS.signingKeyAge, { statistic: 'Maximum' }) },
        label: 'age of the key that signs',
        period: Duration.hours(1),
      }),
    ]),
  ];
}
