import { defineCheck } from '../../src/audit/check.js';
import type { Evaluation } from '../../src/audit/types.js';
import { aclExposure, bucketRead, describeGrants, describeStatements, policyExposure, readAccountBpa } from '../../src/rules/s3-exposure.js';
import { describeTrail, trailDetails, trailRegion } from '../../src/rules/cloudtrail-trail-setting.js';
import { judgedHere, trailResource } from '../../src/rules/cloudtrail-trails.js';

/** The ACL permissions that let the public read the logs (READ lists them; FULL_CONTROL includes READ). */
const READS = new Set(['READ', 'FULL_CONTROL']);

export default defineCheck({
  id: 'cloudtrail.bucket-public',
  title: 'CloudTrail log buckets are not publicly accessible',
  service: 'cloudtrail',
  scope: 'regional',
  severity: 'critical',
  description:
    "CloudTrail logs record who did what, from where, with which credentials: a public log bucket hands an attacker a map of the account's users, roles and habits, and may let anyone tamper with the evidence.",
  references: { securityHub: 'CloudTrail.6' },
  remediation:
    'Turn on Block Public Access for the log bucket (or the account), remove the AllUsers and AuthenticatedUsers grants from its ACL and the Principal "*" statements from its policy, keeping only the statements that let cloudtrail.amazonaws.com check the ACL and write the logs.',
  uses: ['cloudtrail.trails', 's3.buckets', 's3.bucketAcls', 's3.bucketPolicies', 's3.bucketPublicAccessBlocks', 's3.accountPublicAccessBlock'],
  judgedPer: 'trail',
  async run(ctx) {
    // Not filtered by owner: an organization trail delivering to a bucket of this account is this account's to fix.
    const trails = (await ctx.inventory.get('cloudtrail.trails')).filter((t) => judgedHere(t, ctx) && t.S3BucketName);
    if (trails.length === 0) return [];
    const [buckets, acls, policies, bucketBpas] = await Promise.all([
      ctx.inventory.get('s3.buckets'),
      ctx.inventory.get('s3.bucketAcls'),
      ctx.inventory.get('s3.bucketPolicies'),
      ctx.inventory.get('s3.bucketPublicAccessBlocks'),
    ]);
    const accountBpa = await readAccountBpa(ctx);
    const ownBuckets = new Set(buckets.map((b) => b.name));

    const evaluations: Evaluation[] = [];
    for (const trail of trails) {
      const bucket = trail.S3BucketName!;
      // A bucket of another account (a log archive account) is not visible here: that account's audit judges it.
      if (!ownBuckets.has(bucket)) continue;
      const resource = trailResource(trail);
      const bucketBpa = bucketRead(bucketBpas, bucket);
      const acl = aclExposure(bucketRead(acls, bucket), bucketBpa, accountBpa, (p) => READS.has(p));
      const policy = policyExposure(bucket, bucketRead(policies, bucket), bucketBpa, accountBpa);

      const how: string[] = [];
      if (acl.state === 'public') how.push(`its ACL grants ${describeGrants(acl.items)}`);
      if (policy.state === 'public') how.push(`its policy allows everyone in ${describeStatements(policy.items)}`);
      if (how.length > 0) {
        evaluations.push(
          ctx.fail({
            resource,
            message: `CloudTrail ${describeTrail(trail)} delivers its logs to bucket ${bucket}, which is publicly accessible: ${how.join('; and ')}.`,
            details: {
              ...trailDetails(trail),
              aclGrants: acl.state === 'public' ? describeGrants(acl.items) : null,
              policyStatements: policy.state === 'public' ? describeStatements(policy.items) : null,
            },
            ...trailRegion(trail),
          }),
        );
        continue;
      }
      // Neither channel is known to be public; one that could not be read might be.
      if (acl.state === 'unknown') evaluations.push(ctx.error(resource.id, acl.error));
      else if (policy.state === 'unknown') evaluations.push(ctx.error(resource.id, policy.error));
      else evaluations.push(ctx.pass(resource.id));
    }
    return evaluations;
  },
});
