import { defineCheck } from '../../src/audit/check.js';
import type { Evaluation } from '../../src/audit/types.js';
import { BPA_SETTINGS, bucketDetails, bucketLabel, bucketRead, bucketResource, effectiveBpa, readAccountBpa } from '../../src/rules/s3-exposure.js';

export default defineCheck({
  id: 's3.block-public-access',
  title: 'Block Public Access fully on for every bucket (bucket or account level)',
  service: 's3',
  scope: 'global',
  severity: 'high',
  description:
    'Block Public Access is the safety net that stops a bucket from becoming public through a mistaken ACL or policy. S3 enforces each of its four settings when either the bucket or the account turns it on; a setting off at both levels leaves the bucket one careless change away from exposure.',
  // CIS 2.1.4 asks for Block Public Access at both levels: this check is its bucket half (s3.account-block-public-access the account half).
  references: { cis: '2.1.4', securityHub: 'S3.8' },
  remediation:
    'Turn on all four Block Public Access settings for the account (S3 console > Block Public Access settings for this account), or for the bucket when the account must keep one off. A bucket that must serve the public should do it through CloudFront with Origin Access Control.',
  fix: 's3.enable-block-public-access',
  uses: ['s3.buckets', 's3.bucketPublicAccessBlocks', 's3.accountPublicAccessBlock'],
  async run(ctx) {
    const [buckets, bucketBpas] = await Promise.all([ctx.inventory.get('s3.buckets'), ctx.inventory.get('s3.bucketPublicAccessBlocks')]);
    const accountBpa = await readAccountBpa(ctx);
    return buckets.map((bucket): Evaluation => {
      const bucketBpa = bucketRead(bucketBpas, bucket.name);
      const off: string[] = [];
      for (const setting of BPA_SETTINGS) {
        const effective = effectiveBpa(setting, bucketBpa, accountBpa);
        // A level that could not be read might have the setting on: no verdict.
        if (!effective.known) return ctx.error(bucket.name, effective.error);
        if (!effective.on) off.push(setting);
      }
      if (off.length === 0) return ctx.pass(bucket.name);
      const neverConfigured = bucketBpa.ok && bucketBpa.value === null;
      return ctx.fail({
        resource: bucketResource(bucket.name),
        message: `Bucket ${bucketLabel(bucket)} has ${off.length} of 4 Block Public Access settings off at both the bucket and the account level: ${off.join(', ')}${neverConfigured ? ' (the bucket never configured Block Public Access)' : ''}.`,
        details: { ...bucketDetails(bucket), settingsOff: off.join(', '), bucketConfigured: !neverConfigured },
      });
    });
  },
});
