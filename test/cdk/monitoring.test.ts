/**
 * The alarms, the dashboard and the alarm topic the construct creates: each alarm watches a metric
 * something actually publishes (the functions' EMF namespace and service, or AWS's own), and notifies
 * the topic the team chose.
 */
import { Topic } from 'aws-cdk-lib/aws-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_NAMESPACE, METRICS, SERVICE_DIMENSION } from '#contract/metrics';
import { functions } from '#infra/routes';
import { type Json, type Synthesized, synthesizeApp, synthesizeConstruct } from './synth.ts';

const alarmsOf = (synthesized: Synthesized) =>
  Object.fromEntries(
    Object.entries(synthesized.tinyoauth.monitoring.alarms).map(([id, alarm]) => [
      id,
      synthesized.template.Resources[synthesized.logicalId(alarm)].Properties as Json,
    ]),
  );
/** The metrics an alarm's expression (or the alarm itself) reads. */
const metricsOf = (alarm: Json): Json[] =>
  alarm.Metrics
    ? alarm.Metrics.filter((entry: Json) => entry.MetricStat).map((entry: Json) => entry.MetricStat.Metric)
    : [{ Namespace: alarm.Namespace, MetricName: alarm.MetricName, Dimensions: alarm.Dimensions }];

describe('the deployable stack', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synthesizeApp();
  }, 300_000);
  afterAll(() => synthesized?.cleanup());

  it('creates each alarm of the README, with at most ten metrics per expression', () => {
    const alarms = alarmsOf(synthesized);
    expect(Object.keys(alarms).sort()).toEqual([
      'ApiServerErrors',
      'CodeReplay',
      'DynamoDbReadThrottles',
      'DynamoDbReadThrottles2',
      'DynamoDbWriteThrottles',
      'DynamoDbWriteThrottles2',
      'KeyRotationFailed',
      'KeyRotationOverdue',
      'LambdaErrors',
      'LambdaErrors2',
      'LambdaErrors3',
      'LambdaThrottles',
      'LambdaThrottles2',
      'LambdaThrottles3',
      'RefreshTokenReuse',
    ]);
    for (const [id, alarm] of Object.entries(alarms)) {
      expect(metricsOf(alarm).length, id).toBeLessThanOrEqual(10);
      expect(alarm.TreatMissingData, id).toBe('notBreaching');
      expect(alarm.AlarmDescription, id).toContain(`Operations section, alarm ${id}`);
    }
  });

  it('watches every function for errors and throttles, the rotator too, and every table for throttling', () => {
    const alarms = alarmsOf(synthesized);
    const watched = (prefix: string, metricName: string) =>
      Object.entries(alarms)
        .filter(([id]) => id.startsWith(prefix))
        .flatMap(([, alarm]) => metricsOf(alarm))
        .filter((metric) => metric.MetricName === metricName).length;
    const functionCount = Object.keys(functions).length;
    expect(watched('LambdaErrors', 'Errors')).toBe(functionCount);
    expect(watched('LambdaThrottles', 'Throttles')).toBe(functionCount + 1);
    expect(watched('DynamoDbReadThrottles', 'ReadThrottleEvents')).toBe(
      Object.keys(synthesized.tinyoauth.tables.byKey).length,
    );
    expect(watched('DynamoDbWriteThrottles', 'WriteThrottleEvents')).toBe(
      Object.keys(synthesized.tinyoauth.tables.byKey).length,
    );
    const rotator = synthesized.logicalId(synthesized.tinyoauth.keys.rotator);
    expect(metricsOf(alarms.KeyRotationFailed)).toEqual([
      expect.objectContaining({
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: rotator } }],
      }),
    ]);
  });

  it('alarms on the first refresh reuse or code replay, and on a key older than interval + delay + a day', () => {
    const alarms = alarmsOf(synthesized);
    const service = [{ Name: SERVICE_DIMENSION, Value: synthesized.tinyoauth.metricsService }];
    expect(alarms.RefreshTokenReuse).toMatchObject({
      Namespace: METRIC_NAMESPACE,
      MetricName: METRICS.refreshTokenReuse,
      Dimensions: service,
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarms.CodeReplay).toMatchObject({
      MetricName: METRICS.codeReplay,
      Dimensions: service,
      Threshold: 1,
    });
    expect(alarms.KeyRotationOverdue).toMatchObject({
      MetricName: METRICS.signingKeyAge,
      Statistic: 'Maximum',
      Period: 3600,
      Threshold: 90 * 86_400 + 360 + 86_400,
    });
  });

  it('alarms on the 5xx rate of the stage, not on a single failed request', () => {
    const { ApiServerErrors } = alarmsOf(synthesized);
    expect(ApiServerErrors.Metrics[0].Expression).toBe('IF(requests >= 20, 100 * errors / requests, 0)');
    expect(ApiServerErrors).toMatchObject({ Threshold: 5, EvaluationPeriods: 2, DatapointsToAlarm: 2 });
    const names = metricsOf(ApiServerErrors).map((metric) => metric.MetricName);
    expect(names.sort()).toEqual(['5XXError', 'Count']);
  });

  it('gives the functions the namespace and service the alarms read', () => {
    for (const [, lambda] of synthesized.resources('AWS::Lambda::Function')) {
      const variables = lambda.Properties.Environment?.Variables ?? {};
      if (lambda.Properties.Description?.includes('custom resource')) continue;
      expect(variables.POWERTOOLS_METRICS_NAMESPACE, lambda.Properties.Description).toBe(METRIC_NAMESPACE);
      expect(variables.POWERTOOLS_SERVICE_NAME, lambda.Properties.Description).toBe('TinyOAuth/TinyOAuth');
    }
  });

  it('creates an encrypted topic CloudWatch may publish to, notified on ALARM and OK, and a dashboard', () => {
    const [topicId, topic] = synthesized.only('AWS::SNS::Topic');
    const [keyId, key] = synthesized.only('AWS::KMS::Key');
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const statements = key.Properties.KeyPolicy.Statement as Json[];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
    for (const [id, alarm] of Object.entries(alarmsOf(synthesized))) {
      expect(alarm.AlarmActions, id).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions, id).toEqual([{ Ref: topicId }]);
    }
    const [, dashboard] = synthesized.only('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const name of Object.values(METRICS)) expect(body).toContain(name);
    expect(Object.keys(synthesized.template.Outputs)).toEqual(
      expect.arrayContaining(['DashboardUrl', 'AlarmTopicArn', 'TablePrefix', 'SigningKeySecretArn']),
    );
  });
});

describe('the construct in a team stack', () => {
  it('sends alarm actions to the team topic, or to none, and creates no topic of its own', () => {
    let teamTopic: Topic | undefined;
    const withTeamTopic = synthesizeConstruct((stack) => {
      teamTopic = new Topic(stack, 'OnCall', { enforceSSL: true });
      return { alarmTopic: teamTopic };
    });
    const without = synthesizeConstruct(() => ({}));
    try {
      const [topicId] = withTeamTopic.only('AWS::SNS::Topic');
      expect(topicId).toBe(withTeamTopic.logicalId(teamTopic as Topic));
      for (const alarm of Object.values(alarmsOf(withTeamTopic)))
        expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(without.resources('AWS::SNS::Topic')).toEqual([]);
      for (const alarm of Object.values(alarmsOf(without))) expect(alarm.AlarmActions).toBeUndefined();
      expect(without.tinyoauth.metricsService).toBe('TeamStack/Auth');
    } finally {
      withTeamTopic.cleanup();
      without.cleanup();
    }
  });
});
