import { DescribeAlarmsForMetricCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeMetricFiltersCommand, type MetricFilter } from '@aws-sdk/client-cloudwatch-logs';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { collectPages } from '../../aws/paginate.js';
import type { MultiRegionTrail } from './cloudtrail.js';
import { attempt, type DatasetDef, type LoadContext, type Read } from './types.js';

/** `arn:aws:logs:us-east-1:123456789012:log-group:name:*` → its region and name. */
export function logGroupOf(arn: string): { region: string; name: string } | undefined {
  const m = /^arn:[^:]+:logs:([^:]+):\d*:log-group:(.+?)(?::\*)?$/.exec(arn);
  return m ? { region: m[1]!, name: m[2]! } : undefined;
}

export interface AlarmLink {
  alarm: MetricAlarm;
  /** SNS topics among its actions, each with whether a subscription to it is confirmed. */
  topics: { arn: string; confirmed: Read<boolean> }[];
}

export interface FilterLink {
  filter: MetricFilter;
  /** Alarms on each metric the filter writes; a failed read is an error for this filter. */
  alarms: Read<AlarmLink[]>;
}

export interface TrailLogGroup {
  trail: MultiRegionTrail['trail'];
  region: string;
  logGroup: string;
  /** The metric filters of the log group, each with the alarms and topics behind it. */
  filters: Read<FilterLink[]>;
}

/**
 * The chain CIS 4.1–4.15 ask for, for the log group of every logging
 * multi-region trail that delivers to CloudWatch Logs: metric filters on the
 * group, alarms on their metrics, SNS topics behind the alarms and whether
 * anyone confirmed a subscription. Reads only what the chain reaches.
 */
async function loadAlarmChains(ctx: LoadContext): Promise<TrailLogGroup[]> {
  const trails = (await ctx.dataset('cloudtrail.multiRegionTrails')) as MultiRegionTrail[];
  const topics = new Map<string, Promise<Read<boolean>>>();
  const confirmed = (arn: string): Promise<Read<boolean>> => {
    let read = topics.get(arn);
    if (!read) {
      const region = arn.split(':')[3] || ctx.region;
      read = attempt(async () => {
        const subscriptions = await collectPages(async (NextToken) => {
          const page = await ctx.clients.sns(region).send(new ListSubscriptionsByTopicCommand({ TopicArn: arn, NextToken }));
          return { items: page.Subscriptions, next: page.NextToken };
        });
        // A subscription waiting for confirmation has the ARN "PendingConfirmation": nobody receives the alarm yet.
        return subscriptions.some((s) => s.SubscriptionArn?.startsWith('arn:'));
      });
      topics.set(arn, read);
    }
    return read;
  };
  const groups = new Map<string, TrailLogGroup>();
  for (const { trail, state } of trails) {
    if (!state.ok || !state.value.isLogging || !trail.CloudWatchLogsLogGroupArn) continue;
    const group = logGroupOf(trail.CloudWatchLogsLogGroupArn);
    if (!group || groups.has(`${group.region}/${group.name}`)) continue;
    groups.set(`${group.region}/${group.name}`, { trail, region: group.region, logGroup: group.name, filters: { ok: true, value: [] } });
  }
  return Promise.all(
    [...groups.values()].map(
      async (g): Promise<TrailLogGroup> => ({
        ...g,
        filters: await attempt(async () => {
          const filters = await collectPages(async (nextToken) => {
            const page = await ctx.clients.logs(g.region).send(new DescribeMetricFiltersCommand({ logGroupName: g.logGroup, nextToken }));
            return { items: page.metricFilters, next: page.nextToken };
          });
          return Promise.all(
            filters.map(
              async (filter): Promise<FilterLink> => ({
                filter,
                alarms: await attempt(async () => {
                  const perMetric = await Promise.all(
                    (filter.metricTransformations ?? []).map(
                      async (t) =>
                        (
                          await ctx.clients
                            .cloudwatch(g.region)
                            .send(new DescribeAlarmsForMetricCommand({ MetricName: t.metricName, Namespace: t.metricNamespace }))
                        ).MetricAlarms ?? [],
                    ),
                  );
                  return Promise.all(
                    perMetric.flat().map(
                      async (alarm): Promise<AlarmLink> => ({
                        alarm,
                        topics: await Promise.all(
                          (alarm.ActionsEnabled === false ? [] : (alarm.AlarmActions ?? []))
                            .filter((a) => a.split(':')[2] === 'sns')
                            .map(async (arn) => ({ arn, confirmed: await confirmed(arn) })),
                        ),
                      }),
                    ),
                  );
                }),
              }),
            ),
          );
        }),
      }),
    ),
  );
}

export const cloudwatchDatasets = {
  'cloudwatch.alarmChains': {
    scope: 'global',
    actions: [
      'cloudtrail:DescribeTrails',
      'cloudtrail:GetTrailStatus',
      'cloudtrail:GetEventSelectors',
      'logs:DescribeMetricFilters',
      'cloudwatch:DescribeAlarmsForMetric',
      'sns:ListSubscriptionsByTopic',
    ],
    load: loadAlarmChains,
  } satisfies DatasetDef<TrailLogGroup[]>,
};
