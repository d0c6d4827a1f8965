import { defineCheck } from '../../src/audit/check.js';
import type { TrailLogGroup } from '../../src/audit/datasets/cloudwatch.js';
import type { CheckContext, Evaluation } from '../../src/audit/types.js';
import { MONITORING_CONTROLS, satisfies, type MonitoringControl } from '../../src/rules/cis-metric-filters.js';

/** How far along filter → alarm → confirmed topic one control got, and what could not be read on the way. */
interface Progress {
  done: boolean;
  missing: string;
  unknown?: unknown;
}

function follow(control: MonitoringControl, groups: readonly TrailLogGroup[]): Progress {
  let best: Progress = { done: false, missing: `no metric filter on ${groups.map((g) => g.logGroup).join(' or ')} matches them` };
  let unknown: unknown;
  let reached = 0;
  for (const group of groups) {
    if (!group.filters.ok) {
      unknown ??= group.filters.error;
      continue;
    }
    for (const { filter, alarms } of group.filters.value.filter((f) => f.filter.filterPattern && satisfies(f.filter.filterPattern, control))) {
      if (reached < 1) {
        reached = 1;
        best = { done: false, missing: `metric filter ${filter.filterName} matches them, but no alarm watches its metric` };
      }
      if (!alarms.ok) {
        unknown ??= alarms.error;
        continue;
      }
      for (const { alarm, topics } of alarms.value) {
        if (reached < 2) {
          reached = 2;
          best = {
            done: false,
            missing: `alarm ${alarm.AlarmName} watches metric filter ${filter.filterName}, but notifies no SNS topic with a confirmed subscription`,
          };
        }
        if (topics.some((t) => t.confirmed.ok && t.confirmed.value)) return { done: true, missing: '' };
        for (const t of topics) if (!t.confirmed.ok) unknown ??= t.confirmed.error;
      }
    }
  }
  return unknown === undefined ? best : { ...best, unknown };
}

export default defineCheck({
  id: 'cloudwatch.security-alarms',
  title: 'CloudWatch alarms notify someone of the CIS 4.x security events',
  service: 'cloudwatch',
  scope: 'global',
  severity: 'medium',
  description:
    "CloudTrail records unauthorized calls, root use and changes to IAM, networks and logging, but nobody reads logs as they arrive: a metric filter on the trail's log group, an alarm on its metric and a confirmed SNS subscription are what turn them into a message to a person within minutes.",
  references: { cis: '4.1–4.15' },
  remediation:
    "For each control: create the metric filter CIS gives on the multi-region trail's log group (`aws logs put-metric-filter --log-group-name <group> --filter-name <name> --metric-transformations metricName=<name>,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern '<pattern>'`), an alarm on it (`aws cloudwatch put-metric-alarm ... --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --alarm-actions <topic arn>`), and confirm a subscription to the topic. Or let Security Hub's CIS standard or EventBridge rules do the notifying, and mute these findings with that reason.",
  uses: ['cloudwatch.alarmChains', 'cloudtrail.multiRegionTrails'],
  async run(ctx) {
    const [groups, trails] = await Promise.all([ctx.inventory.get('cloudwatch.alarmChains'), ctx.inventory.get('cloudtrail.multiRegionTrails')]);
    const account = { type: 'AWS::::Account', id: ctx.account.accountId };
    if (groups.length === 0) {
      // A trail that could not be read may be the one that delivers to CloudWatch Logs.
      const unreadable = trails.filter((t) => !t.state.ok);
      if (unreadable.length > 0)
        return unreadable.map((t) => ctx.error(t.trail.TrailARN ?? t.trail.Name ?? 'unnamed trail', (t.state as { error: unknown }).error));
      return [
        ctx.fail({
          resource: account,
          subKey: 'no-log-group',
          message:
            'No logging multi-region CloudTrail trail delivers to CloudWatch Logs, so none of CIS 4.1–4.15 can be monitored: there is no log group for metric filters.',
          details: { cis: '4.1–4.15', missing: 'trail log group' },
        }),
      ];
    }
    return MONITORING_CONTROLS.map((control) => judge(ctx, control, groups, account));
  },
});

function judge(ctx: CheckContext, control: MonitoringControl, groups: readonly TrailLogGroup[], account: { type: string; id: string }): Evaluation {
  const id = `${account.id}/cis-${control.cis}`;
  const progress = follow(control, groups);
  if (progress.done) return ctx.pass(id);
  if (progress.unknown !== undefined) return ctx.error(id, progress.unknown);
  return ctx.fail({
    resource: account,
    subKey: `cis-${control.cis}`,
    severity: control.cis === '4.1' ? 'high' : 'medium',
    message: `Nobody is notified of ${control.watches} (CIS ${control.cis}): ${progress.missing}.`,
    details: { cis: control.cis, watches: control.watches, missing: progress.missing, logGroups: groups.map((g) => `${g.region}/${g.logGroup}`).join(', ') },
  });
}
