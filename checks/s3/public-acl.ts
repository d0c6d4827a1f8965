import { defineCheck } from '../../src/audit/check.js';
import type { Evaluation, Severity } from '../../src/audit/types.js';
import {
  aclExposure,
  bucketDetails,
  bucketLabel,
  bucketRead,
  bucketResource,
  describeGrants,
  readAccountBpa,
  type PublicGrant,
} from '../../src/rules/s3-exposure.js';

/** Writing (or rewriting the ACL through FULL_CONTROL) lets anyone plant or overwrite data: critical. Reading is high. */
function grantSeverity(grants: readonly PublicGrant[]): Severity {
  const writes = grants.some((g) => g.permissions.some((p) => p === 'WRITE' || p === 'FULL_CONTROL'));
  return writes ? 'critical' : 'high';
}

export default defineCheck({
  id: 's3.public-acl',
  title: 'No bucket ACL grants access to everyone or to any AWS user',
  service: 's3',
  scope: 'global',
  severity: 'critical',
  description:
    'A bucket ACL grant to AllUsers opens the bucket to anyone on the internet; a grant to AuthenticatedUsers opens it to anyone with any AWS account, which is no narrower. READ lists every object, WRITE lets anyone upload or overwrite objects, READ_ACP and WRITE_ACP expose or hand over the ACL itself.',
  references: { securityHub: 'S3.2, S3.3' },
  remediation:
    'Turn on Block Public Access (at least IgnorePublicAcls) for the bucket or the account; then remove the AllUsers and AuthenticatedUsers grants from the ACL, or set Object Ownership to "Bucket owner enforced", which disables ACLs altogether.',
  fix: 's3.enable-block-public-access',
  uses: ['s3.buckets', 's3.bucketAcls', 's3.bucketPublicAccessBlocks', 's3.accountPublicAccessBlock'],
  async run(ctx) {
    const [buckets, acls, bucketBpas] = await Promise.all([
      ctx.inventory.get('s3.buckets'),
      ctx.inventory.get('s3.bucketAcls'),
      ctx.inventory.get('s3.bucketPublicAccessBlocks'),
    ]);
    const accountBpa = await readAccountBpa(ctx);
    return buckets.map((bucket): Evaluation => {
      const exposure = aclExposure(bucketRead(acls, bucket.name), bucketRead(bucketBpas, bucket.name), accountBpa);
      if (exposure.state === 'unknown') return ctx.error(bucket.name, exposure.error);
      // Grants neutralised by IgnorePublicAcls are refused by S3: nothing is exposed.
      if (exposure.state !== 'public') return ctx.pass(bucket.name);
      const grants = describeGrants(exposure.items);
      return ctx.fail({
        resource: bucketResource(bucket.name),
        severity: grantSeverity(exposure.items),
        message: `The ACL of bucket ${bucketLabel(bucket)} grants public access (${grants}) and IgnorePublicAcls is off at both the bucket and the account level.`,
        details: { ...bucketDetails(bucket), grants },
      });
    });
  },
});
