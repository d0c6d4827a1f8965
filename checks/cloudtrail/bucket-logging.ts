import { defineCheck } from '../../src/audit/check.js';
import type { Evaluation } from '../../src/audit/types.js';
import { describeTrail, trailDetails, trailRegion } from '../../src/rules/cloudtrail-trail-setting.js';
import { judgedHere, trailResource } from '../../src/rules/cloudtrail-trails.js';

export default defineCheck({
  id: 'cloudtrail.bucket-logging',
  title: 'CloudTrail log buckets have server access logging',
  service: 'cloudtrail',
  scope: 'regional',
  severity: 'low',
  description:
    'Server access logging of the bucket that holds CloudTrail logs records who read, copied or deleted the logs themselves: without it, tampering with the evidence of an intrusion leaves no trace.',
  references: { cis: '3.4' },
  remediation:
    'Turn on server access logging of the log bucket, into another bucket: `aws s3api put-bucket-logging --bucket <trail bucket> --bucket-logging-status \'{"LoggingEnabled":{"TargetBucket":"<access-log bucket>","TargetPrefix":"cloudtrail-bucket/"}}\'`.',
  uses: ['cloudtrail.trails', 's3.bucketLogging'],
  judgedPer: 'trail',
  async run(ctx) {
    // Not filtered by owner: an organization trail delivering to a bucket of this account is this account's to fix.
    const trails = (await ctx.inventory.get('cloudtrail.trails')).filter((t) => judgedHere(t, ctx) && t.S3BucketName);
    if (trails.length === 0) return [];
    const logging = await ctx.inventory.get('s3.bucketLogging');
    const evaluations: Evaluation[] = [];
    for (const trail of trails) {
      const bucket = trail.S3BucketName!;
      const read = await logging.get(bucket);
      // A bucket of another account (a log archive account) is that account's audit's to judge.
      if (read === undefined) continue;
      const resource = trailResource(trail);
      if (!read.ok) evaluations.push(ctx.error(resource.id, read.error));
      else if (read.value) evaluations.push(ctx.pass(resource.id));
      else {
        evaluations.push(
          ctx.fail({
            resource,
            message: `CloudTrail ${describeTrail(trail)} delivers its logs to bucket ${bucket}, which has no server access logging: reads and deletions of the logs are not recorded.`,
            details: trailDetails(trail),
            ...trailRegion(trail),
          }),
        );
      }
    }
    return evaluations;
  },
});
