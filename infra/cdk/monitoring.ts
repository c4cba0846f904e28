/**
 * What an operator watches: the alarms that page (README "Operations" says what to do for each) and one
 * CloudWatch dashboard. The business and security metrics are the ones the functions publish as EMF
 * (functions/contract/metrics.ts); the rest are AWS's own (API Gateway, Lambda, DynamoDB).
 */
import { Duration } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  type Dashboard,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRICS, type MetricName, SERVICE_DIMENSION } from '#contract/metrics';
import { createDashboard } from './dashboard.ts';

export interface MonitoringProps {
  stage: Stage;
  /** Every function of the construct, by a name the alarms and widgets use. */
  functions: Record<string, IFunction>;
  rotator: IFunction;
  tables: Record<string, Table>;
  /** The EMF namespace and `service` dimension the functions publish with. */
  namespace: string;
  service: string;
  /** The signing key's age beyond which rotation is overdue. */
  keyAgeLimit: Duration;
  /** Where alarm actions go: a topic of the team's, one to create, or none. */
  alarmTopic: ITopic | 'create' | undefined;
}

/** CloudWatch accepts at most 10 metrics in the expression of one alarm. */
const METRICS_PER_ALARM = 10;
const FIVE_MINUTES = Duration.minutes(5);

export class TinyOAuthMonitoring extends Construct {
  /** Every alarm, by its id (e.g. `ApiServerErrors`, `RefreshTokenReuse`). */
  readonly alarms: Record<string, Alarm> = {};
  readonly dashboard: Dashboard;
  /** The topic alarm actions notify, when one was created or given. */
  readonly alarmTopic: ITopic | undefined;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: MonitoringProps,
  ) {
    super(scope, id);
    this.alarmTopic = props.alarmTopic === 'create' ? this.createTopic() : props.alarmTopic;
    this.apiAlarms();
    this.lambdaAlarms();
    this.dynamoDbAlarms();
    this.securityAlarms();
    this.dashboard = createDashboard(this, {
      ...props,
      alarms: Object.values(this.alarms),
      metric: (name, options) => this.metric(name, options),
    });
    if (this.alarmTopic) {
      const action = new SnsAction(this.alarmTopic);
      for (const alarm of Object.values(this.alarms)) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
  }

  /** A metric the functions publish (EMF), in this deployment's `service`. */
  metric(name: MetricName, options: { statistic?: string; dimensions?: Record<string, string> } = {}) {
    return new Metric({
      namespace: this.props.namespace,
      metricName: name,
      dimensionsMap: { [SERVICE_DIMENSION]: this.props.service, ...options.dimensions },
      statistic: options.statistic ?? 'Sum',
      period: FIVE_MINUTES,
    });
  }

  private createTopic(): Topic {
    // SSE with a key of our own: CloudWatch cannot publish to a topic under the AWS-managed SNS key.
    const key = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the tinyoauth alarm topic; CloudWatch alarms may use it to publish',
      enableKeyRotation: true,
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    return new Topic(this, 'AlarmTopic', {
      displayName: 'tinyoauth alarms',
      masterKey: key,
      enforceSSL: true,
    });
  }

  private alarm(id: string, options: AlarmOptions): void {
    // No alarm name: CloudFormation makes one unique in the account and region, whatever the stack's name.
    this.alarms[id] = new Alarm(this, id, {
      alarmDescription: `${options.description} See the README's Operations section, alarm ${id}.`,
      metric: options.metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      datapointsToAlarm: options.evaluationPeriods ?? 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No requests, no errors: silence is not an incident (the key age alarm says so itself).
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  private apiAlarms(): void {
    const { stage } = this.props;
    this.alarm('ApiServerErrors', {
      description: 'More than 5% of API requests answered 5xx for 10 minutes (at least 20 requests each).',
      metric: new MathExpression({
        expression: 'IF(requests >= 20, 100 * errors / requests, 0)',
        usingMetrics: {
          errors: stage.metricServerError({ statistic: 'Sum' }),
          requests: stage.metricCount({ statistic: 'SampleCount' }),
        },
        label: 'API 5xx (%)',
        period: FIVE_MINUTES,
      }),
      threshold: 5,
      evaluationPeriods: 2,
    });
  }

  private lambdaAlarms(): void {
    const functions = Object.values(this.props.functions);
    this.sumAlarms('LambdaErrors', {
      description: 'A tinyoauth function failed (an unhandled error or a timeout, not an OAuth error).',
      metrics: functions.map((fn) => fn.metricErrors({ period: FIVE_MINUTES })),
      threshold: 1,
    });
    this.sumAlarms('LambdaThrottles', {
      description:
        'Lambda refused to run a tinyoauth function: the account or region ran out of concurrency.',
      metrics: [...functions, this.props.rotator].map((fn) => fn.metricThrottles({ period: FIVE_MINUTES })),
      threshold: 1,
    });
  }

  private dynamoDbAlarms(): void {
    const tables = Object.values(this.props.tables);
    for (const [kind, metricName] of [
      ['Read', 'ReadThrottleEvents'],
      ['Write', 'WriteThrottleEvents'],
    ] as const) {
      this.sumAlarms(`DynamoDb${kind}Throttles`, {
        description: `DynamoDB throttled ${kind.toLowerCase()}s of a tinyoauth table.`,
        metrics: tables.map((table) => table.metric(metricName, { statistic: 'Sum', period: FIVE_MINUTES })),
        threshold: 1,
      });
    }
  }

  private securityAlarms(): void {
    this.alarm('RefreshTokenReuse', {
      description: 'A rotated refresh token was presented again: likely stolen; its grant was revoked.',
      metric: this.metric(METRICS.refreshTokenReuse),
      threshold: 1,
    });
    this.alarm('CodeReplay', {
      description:
        'A used authorization code was presented again: likely intercepted; its grant was revoked.',
      metric: this.metric(METRICS.codeReplay),
      threshold: 1,
    });
    this.alarm('KeyRotationFailed', {
      description: 'The signing key rotation function failed; Secrets Manager retries at the next rotation.',
      metric: this.props.rotator.metricErrors({ period: FIVE_MINUTES }),
      threshold: 1,
    });
    this.alarm('KeyRotationOverdue', {
      description: `The key that signs is older than ${this.props.keyAgeLimit.toDays({ integral: false }).toFixed(1)} days: rotation is overdue.`,
      metric: this.metric(METRICS.signingKeyAge, { statistic: 'Maximum' }).with({
        period: Duration.hours(1),
      }),
      threshold: this.props.keyAgeLimit.toSeconds(),
    });
  }

  /** One alarm on the sum of `metrics`, or one per group of ten when there are more (`Id`, `Id2`, …). */
  private sumAlarms(id: string, options: { description: string; metrics: IMetric[]; threshold: number }) {
    for (let start = 0; start < options.metrics.length; start += METRICS_PER_ALARM) {
      const group = options.metrics.slice(start, start + METRICS_PER_ALARM);
      const usingMetrics = Object.fromEntries(group.map((metric, index) => [`m${index}`, metric]));
      const part = start / METRICS_PER_ALARM;
      this.alarm(part === 0 ? id : `${id}${part + 1}`, {
        description: options.description,
        metric: new MathExpression({
          expression: `SUM([${Object.keys(usingMetrics).join(',')}])`,
          usingMetrics,
          period: FIVE_MINUTES,
        }),
        threshold: options.threshold,
      });
    }
  }
}

interface AlarmOptions {
  description: string;
  metric: IMetric;
  threshold: number;
  evaluationPeriods?: number;
}
