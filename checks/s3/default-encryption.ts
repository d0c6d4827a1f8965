import { defineCheck } from '../../src/audit/check.js';
import type { Evaluation } from '../../src/audit/types.js';
import { bucketDetails, bucketLabel, bucketRead, bucketResource } from '../../src/rules/s3-exposure.js';

export default defineCheck({
  id: 's3.default-encryption',
  title: 'Buckets have default encryption configured',
  service: 's3',
  scope: 'global',
  severity: 'medium',
  description:
    'Without a default encryption rule, objects uploaded without encryption headers are stored unencrypted. Since January 2023 AWS applies SSE-S3 to every bucket (deleting the configuration restores SSE-S3), so on AWS itself this should not fail: it catches emulators and S3-compatible endpoints (LocalStack, moto), and answers from before that change.',
  references: {},
  remediation:
    'Set a default encryption rule on the bucket: `aws s3api put-bucket-encryption --bucket <name> --server-side-encryption-configuration \'{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms"},"BucketKeyEnabled":true}]}\'` (SSE-KMS with a bucket key, or AES256 for SSE-S3).',
  uses: ['s3.buckets', 's3.bucketEncryption'],
  async run(ctx) {
    const [buckets, encryption] = await Promise.all([ctx.inventory.get('s3.buckets'), ctx.inventory.get('s3.bucketEncryption')]);
    return buckets.map((bucket): Evaluation => {
      const rules = bucketRead(encryption, bucket.name);
      if (!rules.ok) return ctx.error(bucket.name, rules.error);
      if (rules.value && rules.value.length > 0) return ctx.pass(bucket.name);
      return ctx.fail({
        resource: bucketResource(bucket.name),
        message: `Bucket ${bucketLabel(bucket)} has no default encryption rule: objects uploaded without encryption headers are stored unencrypted.`,
        details: bucketDetails(bucket),
      });
    });
  },
});
