import { defineCheck } from '../../src/audit/check.js';
import type { Evaluation } from '../../src/audit/types.js';
import { bucketDetails, bucketLabel, bucketRead, bucketResource, describeStatements, policyExposure, readAccountBpa } from '../../src/rules/s3-exposure.js';

export default defineCheck({
  id: 's3.public-policy',
  title: 'No bucket policy allows access to everyone',
  service: 's3',
  scope: 'global',
  severity: 'critical',
  description:
    'A bucket policy statement that allows Principal "*" (or everyone but a NotPrincipal list) without a condition tying the caller to a VPC, an IP range, an account or an organization lets anyone on the internet use the actions it names on the bucket.',
  references: { securityHub: 'S3.2, S3.3' },
  remediation:
    'Turn on Block Public Access (at least RestrictPublicBuckets) for the bucket or the account; then replace the public statements with named principals, or add a condition such as aws:SourceVpce or aws:PrincipalOrgID. Serve public websites through CloudFront with Origin Access Control instead of a public bucket.',
  fix: 's3.enable-block-public-access',
  uses: ['s3.buckets', 's3.bucketPolicies', 's3.bucketPublicAccessBlocks', 's3.accountPublicAccessBlock'],
  async run(ctx) {
    const [buckets, policies, bucketBpas] = await Promise.all([
      ctx.inventory.get('s3.buckets'),
      ctx.inventory.get('s3.bucketPolicies'),
      ctx.inventory.get('s3.bucketPublicAccessBlocks'),
    ]);
    const accountBpa = await readAccountBpa(ctx);
    return buckets.map((bucket): Evaluation => {
      const exposure = policyExposure(bucket.name, bucketRead(policies, bucket.name), bucketRead(bucketBpas, bucket.name), accountBpa);
      if (exposure.state === 'unknown') return ctx.error(bucket.name, exposure.error);
      // RestrictPublicBuckets makes S3 refuse what a public policy allows to anyone outside the account.
      if (exposure.state !== 'public') return ctx.pass(bucket.name);
      const statements = describeStatements(exposure.items);
      const n = exposure.items.length;
      return ctx.fail({
        resource: bucketResource(bucket.name),
        message: `The policy of bucket ${bucketLabel(bucket)} allows public access in ${n} statement${n === 1 ? '' : 's'} (${statements}) and RestrictPublicBuckets is off at both the bucket and the account level.`,
        details: { ...bucketDetails(bucket), publicStatements: n, statements },
      });
    });
  },
});
