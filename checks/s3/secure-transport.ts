import { defineCheck } from '../../src/audit/check.js';
import type { Evaluation } from '../../src/audit/types.js';
import type { PolicyDocument, PolicyStatement } from '../../src/aws/iam-policy.js';
import { wildcardMatch } from '../../src/wildcard.js';
import { bucketDetails, bucketLabel, bucketRead, bucketResource, isEveryonePrincipal, readBucketPolicy } from '../../src/rules/s3-exposure.js';

/** `"aws:SecureTransport": "false"`, false, or ["false"]. */
function isFalse(value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  return values.length > 0 && values.every((v) => v === false || (typeof v === 'string' && v.toLowerCase() === 'false'));
}

/**
 * The condition is exactly "the request did not use TLS": Bool (or
 * BoolIfExists) aws:SecureTransport false and nothing else, since any other
 * test would exempt some plain-HTTP requests from the deny.
 */
function deniesPlainHttpOnly(condition: unknown): boolean {
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) return false;
  const blocks = Object.entries(condition as Record<string, unknown>);
  if (blocks.length !== 1) return false;
  const [operator, tests] = blocks[0]!;
  if (operator !== 'Bool' && operator !== 'BoolIfExists') return false;
  if (typeof tests !== 'object' || tests === null || Array.isArray(tests)) return false;
  const entries = Object.entries(tests as Record<string, unknown>);
  return entries.length === 1 && entries[0]![0].toLowerCase() === 'aws:securetransport' && isFalse(entries[0]![1]);
}

/** The statement's Resource reaches the objects of the bucket (`*`, `arn:aws:s3:::name/*`, …). */
function coversObjects(statement: PolicyStatement, bucket: string): boolean {
  return (statement.Resource ?? []).some((resource) => {
    const partition = resource.split(':')[1];
    const sample = `arn:${partition && !/[*?]/.test(partition) ? partition : 'aws'}:s3:::${bucket}/any-object`;
    return wildcardMatch(resource, sample);
  });
}

/** Deny, to everyone, every S3 action on the bucket's objects, whenever the request is not over TLS. */
function isSecureTransportDeny(statement: PolicyStatement, bucket: string): boolean {
  return (
    statement.Effect === 'Deny' &&
    isEveryonePrincipal(statement.Principal) &&
    (statement.Action?.some((a) => a === '*' || a.toLowerCase() === 's3:*') ?? false) &&
    coversObjects(statement, bucket) &&
    deniesPlainHttpOnly(statement.Condition)
  );
}

function requiresTls(document: PolicyDocument, bucket: string): boolean {
  return document.Statement.some((s) => isSecureTransportDeny(s, bucket));
}

export default defineCheck({
  id: 's3.secure-transport',
  title: 'Bucket policies deny requests that do not use TLS',
  service: 's3',
  scope: 'global',
  severity: 'low',
  description:
    'S3 answers plain HTTP as well as HTTPS: without a policy that denies unencrypted requests, a misconfigured client sends its requests, the object data and any session token in clear text, open to interception and tampering on the way.',
  references: { cis: '2.1.1', securityHub: 'S3.5' },
  remediation:
    'Add to the bucket policy a statement {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::<bucket>","arn:aws:s3:::<bucket>/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}.',
  uses: ['s3.buckets', 's3.bucketPolicies'],
  async run(ctx) {
    const [buckets, policies] = await Promise.all([ctx.inventory.get('s3.buckets'), ctx.inventory.get('s3.bucketPolicies')]);
    return buckets.map((bucket): Evaluation => {
      const document = readBucketPolicy(bucket.name, bucketRead(policies, bucket.name));
      if (!document.ok) return ctx.error(bucket.name, document.error);
      if (document.value && requiresTls(document.value, bucket.name)) return ctx.pass(bucket.name);
      return ctx.fail({
        resource: bucketResource(bucket.name),
        message:
          document.value === null
            ? `Bucket ${bucketLabel(bucket)} has no bucket policy, so nothing denies requests made over plain HTTP.`
            : `The policy of bucket ${bucketLabel(bucket)} has no statement denying every S3 action to everyone when aws:SecureTransport is false.`,
        details: { ...bucketDetails(bucket), hasPolicy: document.value !== null },
      });
    });
  },
});
