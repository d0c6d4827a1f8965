import { DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, DescribeAlarmsForMetricCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeMetricFiltersCommand, type MetricFilter } from '@aws-sdk/client-cloudwatch-logs';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import securityAlarms from '../../../checks/cloudwatch/security-alarms.js';
import { MONITORING_CONTROLS } from '../../../src/rules/cis-metric-filters.js';
import { audit, awsError } from '../../helpers/aws.js';
import { cloudtrail, ec2, multiRegionTrail, OWN_ACCOUNT } from '../cloudtrail/trail-fixtures.js';

const logs = mockClient(CloudWatchLogsClient);
const cloudwatch = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
const CHECK = 'cloudwatch.security-alarms';
const TOPIC = `arn:aws:sns:us-east-1:${OWN_ACCOUNT}:security-alerts`;

/** The CIS pattern of a control, written with its own whitespace and term order (reversed). */
function cisPattern(cis: string): string {
  const control = MONITORING_CONTROLS.find((c) => c.cis === cis)!;
  const terms = control.terms.map((t) => (t.includes(' NOT EXISTS') ? t : t.replace(/(!?=)(.*)$/, (_, op: string, v: string) => ` ${op} "${v}"`)));
  return `{ ${[...terms]
    .reverse()
    .map((t) => `(${t})`)
    .join(' || ')} }`;
}

const filter = (cis: string): MetricFilter => ({
  filterName: `cis-${cis}`,
  filterPattern: cisPattern(cis),
  logGroupName: 'cloudtrail-logs',
  metricTransformations: [{ metricName: `Cis${cis.replace('.', '_')}`, metricNamespace: 'CISBenchmark', metricValue: '1' }],
});
const alarm = (cis: string, actions = [TOPIC]): MetricAlarm => ({
  AlarmName: `cis-${cis}-alarm`,
  ActionsEnabled: true,
  AlarmActions: actions,
  MetricName: `Cis${cis.replace('.', '_')}`,
  Namespace: 'CISBenchmark',
});

interface World {
  logGroup?: boolean;
  filters?: MetricFilter[] | Error;
  alarms?: (metric: string) => MetricAlarm[];
  confirmed?: boolean | Error;
}

function serve(world: World) {
  const trail = multiRegionTrail(
    'main',
    'us-east-1',
    world.logGroup === false
      ? { CloudWatchLogsLogGroupArn: undefined }
      : { CloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${OWN_ACCOUNT}:log-group:cloudtrail-logs:*` },
  );
  cloudtrail.on(DescribeTrailsCommand).resolves({ trailList: [trail] });
  cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
  cloudtrail.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] });
  logs.on(DescribeMetricFiltersCommand).callsFake((input: { logGroupName: string }) => {
    if (world.filters instanceof Error) throw world.filters;
    expect(input.logGroupName).toBe('cloudtrail-logs');
    return { metricFilters: world.filters ?? MONITORING_CONTROLS.map((c) => filter(c.cis)) };
  });
  cloudwatch.on(DescribeAlarmsForMetricCommand).callsFake((input: { MetricName: string }) => ({
    MetricAlarms: (world.alarms ?? ((m) => [alarm(m.replace('Cis', '').replace('_', '.'))]))(input.MetricName),
  }));
  sns.on(ListSubscriptionsByTopicCommand).callsFake(() => {
    if (world.confirmed instanceof Error) throw world.confirmed;
    return {
      Subscriptions: [
        {
          TopicArn: TOPIC,
          Protocol: 'email',
          SubscriptionArn: world.confirmed === false ? 'PendingConfirmation' : `${TOPIC}:1234`,
          Endpoint: 'sec@example.com',
        },
      ],
    };
  });
}

describe('cloudwatch.security-alarms', () => {
  beforeEach(() => {
    for (const m of [cloudtrail, ec2, logs, cloudwatch, sns]) m.reset();
  });

  it('declares its datasets', () => {
    expect(securityAlarms).toMatchObject({ id: CHECK, service: 'cloudwatch', scope: 'global', severity: 'medium', references: { cis: '4.1–4.15' } });
    expect(securityAlarms.uses).toEqual(['cloudwatch.alarmChains', 'cloudtrail.multiRegionTrails']);
  });

  it('passes all fifteen controls when each has a filter (any term order, spacing, quoting), an alarm and a confirmed subscription', async () => {
    serve({});
    const result = await audit([securityAlarms]);
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 15, failed: 0, errors: 0 });
    // One topic, read once for fifteen alarms.
    expect(sns.commandCalls(ListSubscriptionsByTopicCommand)).toHaveLength(1);
  });

  it('names the missing link per control: no filter, no alarm, no confirmed subscription; 4.1 is high', async () => {
    serve({
      filters: MONITORING_CONTROLS.filter((c) => c.cis !== '4.1').map((c) => filter(c.cis)),
      alarms: (metric) =>
        metric === 'Cis4_3'
          ? []
          : metric === 'Cis4_4'
            ? [alarm('4.4', [`arn:aws:sns:us-east-1:${OWN_ACCOUNT}:nobody`])]
            : [alarm(metric.replace('Cis', '').replace('_', '.'))],
    });
    sns.on(ListSubscriptionsByTopicCommand, { TopicArn: `arn:aws:sns:us-east-1:${OWN_ACCOUNT}:nobody` }).resolves({ Subscriptions: [] });
    const result = await audit([securityAlarms]);
    expect(result.errors).toEqual([]);
    const byCis = Object.fromEntries(result.findings.map((f) => [f.details?.cis, [f.severity, f.message]]));
    expect(byCis).toEqual({
      '4.1': ['high', 'Nobody is notified of unauthorized API calls (CIS 4.1): no metric filter on cloudtrail-logs matches them.'],
      '4.3': ['medium', 'Nobody is notified of use of the root user (CIS 4.3): metric filter cis-4.3 matches them, but no alarm watches its metric.'],
      '4.4': [
        'medium',
        'Nobody is notified of IAM policy changes (CIS 4.4): alarm cis-4.4-alarm watches metric filter cis-4.4, but notifies no SNS topic with a confirmed subscription.',
      ],
    });
  });

  it('a filter missing one event of a control does not satisfy it', async () => {
    const partial = {
      ...filter('4.10'),
      filterPattern: cisPattern('4.10').replace(' || ($.eventName = "DeleteSecurityGroup")', '').replace('($.eventName = "DeleteSecurityGroup") || ', ''),
    };
    serve({ filters: [...MONITORING_CONTROLS.filter((c) => c.cis !== '4.10').map((c) => filter(c.cis)), partial] });
    const result = await audit([securityAlarms]);
    expect(result.findings.map((f) => f.details?.cis)).toEqual(['4.10']);
  });

  it('reports one finding when no trail delivers to CloudWatch Logs, and errors (not findings) when the chain cannot be read', async () => {
    serve({ logGroup: false });
    let result = await audit([securityAlarms]);
    expect(result.findings.map((f) => f.message)).toEqual([
      'No logging multi-region CloudTrail trail delivers to CloudWatch Logs, so none of CIS 4.1–4.15 can be monitored: there is no log group for metric filters.',
    ]);

    for (const m of [cloudtrail, logs, cloudwatch, sns]) m.reset();
    serve({ filters: awsError('AccessDeniedException', 'not authorized to perform: logs:DescribeMetricFilters') });
    result = await audit([securityAlarms]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toHaveLength(15);
    expect(result.errors[0]).toMatchObject({ checkId: CHECK, code: 'AccessDeniedException' });

    for (const m of [cloudtrail, logs, cloudwatch, sns]) m.reset();
    serve({ confirmed: awsError('AuthorizationError', 'not authorized to perform: SNS:ListSubscriptionsByTopic') });
    result = await audit([securityAlarms]);
    expect(result.findings).toEqual([]);
    expect(result.errors.map((e) => e.code)).toEqual(Array(15).fill('AuthorizationError'));
  });
});
