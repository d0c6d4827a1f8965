import { defineCheck } from '../../src/audit/check.js';
import { describeTrail, judgeTrailSetting } from '../../src/rules/cloudtrail-trail-setting.js';

export default defineCheck({
  id: 'cloudtrail.log-validation',
  title: 'CloudTrail trails validate their log files',
  service: 'cloudtrail',
  scope: 'regional',
  severity: 'medium',
  description:
    'With log file validation, CloudTrail delivers signed, hash-chained digest files next to the logs, so anyone can prove later that a log file was not modified or deleted after delivery; without it, an intruder who reaches the bucket can erase their tracks unnoticed.',
  references: { cis: '3.2', securityHub: 'CloudTrail.4' },
  remediation:
    "In the trail's home region: `aws cloudtrail update-trail --name <trail> --enable-log-file-validation` (console: Trails → the trail → General details → Edit → Log file validation). Check the logs later with `aws cloudtrail validate-logs --trail-arn <arn> --start-time <time>`.",
  uses: ['cloudtrail.trails'],
  judgedPer: 'trail',
  run: (ctx) =>
    judgeTrailSetting(ctx, (trail) =>
      trail.LogFileValidationEnabled === true
        ? undefined
        : `CloudTrail ${describeTrail(trail)} has log file validation off: a log file changed or deleted after delivery cannot be detected.`,
    ),
});
