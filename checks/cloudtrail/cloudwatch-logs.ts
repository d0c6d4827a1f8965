import { defineCheck } from '../../src/audit/check.js';
import { describeTrail, judgeTrailSetting } from '../../src/rules/cloudtrail-trail-setting.js';

export default defineCheck({
  id: 'cloudtrail.cloudwatch-logs',
  title: 'CloudTrail trails deliver events to CloudWatch Logs',
  service: 'cloudtrail',
  scope: 'regional',
  severity: 'low',
  description:
    'Logs that only land in S3 are read after the fact. Delivered to CloudWatch Logs, the same events feed metric filters and alarms, such as on unauthorized API calls and console sign-in failures, so someone is told while it happens.',
  references: { securityHub: 'CloudTrail.5' },
  remediation:
    "Create a log group and an IAM role that cloudtrail.amazonaws.com can assume with logs:CreateLogStream and logs:PutLogEvents on it; then, in the trail's home region, `aws cloudtrail update-trail --name <trail> --cloud-watch-logs-log-group-arn <log-group-arn> --cloud-watch-logs-role-arn <role-arn>` (the console creates both: Trails → the trail → CloudWatch Logs → Edit). Then add metric filters and alarms for the events you care about.",
  uses: ['cloudtrail.trails'],
  judgedPer: 'trail',
  run: (ctx) =>
    judgeTrailSetting(ctx, (trail) =>
      trail.CloudWatchLogsLogGroupArn
        ? undefined
        : `CloudTrail ${describeTrail(trail)} does not deliver its events to CloudWatch Logs: no metric filter or alarm can react to them.`,
    ),
});
