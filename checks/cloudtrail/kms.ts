import { defineCheck } from '../../src/audit/check.js';
import { describeTrail, judgeTrailSetting } from '../../src/rules/cloudtrail-trail-setting.js';

export default defineCheck({
  id: 'cloudtrail.kms',
  title: 'CloudTrail trails encrypt their logs with a KMS key',
  service: 'cloudtrail',
  scope: 'regional',
  severity: 'medium',
  description:
    'Without a KMS key (SSE-KMS), anyone allowed to read the log bucket can read every recorded API call. With one, reading also takes kms:Decrypt on the key: a second permission, granted separately and logged on every use.',
  references: { cis: '3.5', securityHub: 'CloudTrail.2' },
  remediation:
    "Create a symmetric KMS key in the same region as the log bucket whose key policy lets cloudtrail.amazonaws.com call kms:GenerateDataKey* for this trail (condition on aws:SourceArn = the trail ARN) and lets the people who read the logs call kms:Decrypt; then, in the trail's home region, `aws cloudtrail update-trail --name <trail> --kms-key-id <key-arn>`. The console can create a suitable key for you (Trails → the trail → Edit → Log file SSE-KMS encryption).",
  uses: ['cloudtrail.trails'],
  judgedPer: 'trail',
  run: (ctx) =>
    judgeTrailSetting(ctx, (trail) =>
      trail.KmsKeyId
        ? undefined
        : `CloudTrail ${describeTrail(trail)} does not encrypt its log files (bucket ${trail.S3BucketName ?? 'unknown'}) with a KMS key.`,
    ),
});
