import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import publicPolicy from '../../../checks/s3/public-policy.js';
import { audit, awsError } from '../../helpers/aws.js';
import { BPA_ALL_OFF, BPA_ALL_ON, denyInsecureTransport, policyText, serveS3, type BucketSpec } from '../../helpers/s3-fixtures.js';

const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);

function publicRead(bucket: string, extra: object = {}): object {
  return { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*`, ...extra };
}

/** One bucket, nothing blocked at either level, with this policy. */
async function judge(policy: BucketSpec['policy']) {
  serveS3(s3, s3control, { buckets: [{ name: 'site', region: 'eu-central-1', pab: BPA_ALL_OFF, policy }], account: null });
  return audit([publicPolicy]);
}

describe('s3.public-policy', () => {
  beforeEach(() => {
    s3.reset();
    s3control.reset();
  });

  it('passes a bucket without a policy (NoSuchBucketPolicy is not an error) and one granting named principals', async () => {
    serveS3(s3, s3control, {
      buckets: [
        { name: 'no-policy', pab: null, policy: null },
        {
          name: 'shared',
          pab: null,
          policy: policyText(denyInsecureTransport('shared'), {
            Sid: 'Partner',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::210987654321:root' },
            Action: ['s3:GetObject'],
            Resource: 'arn:aws:s3:::shared/*',
          }),
        },
      ],
      account: null,
    });
    const result = await audit([publicPolicy]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['s3.public-policy']).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails, critical, listing each public statement with its actions', async () => {
    const result = await judge(
      policyText(
        publicRead('site'),
        {
          Effect: 'Allow',
          Principal: { AWS: ['arn:aws:iam::210987654321:root', '*'] },
          Action: ['s3:PutObject', 's3:DeleteObject'],
          Resource: 'arn:aws:s3:::site/*',
        },
        { Sid: 'AllButAuditor', Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::123456789012:role/Auditor' }, NotAction: 's3:DeleteBucket', Resource: '*' },
      ),
    );
    expect(result.errors).toEqual([]);
    expect(result.findings).toHaveLength(1);
    const statements =
      'statement 1 (Sid PublicRead): s3:GetObject; statement 2: s3:PutObject, s3:DeleteObject; statement 3 (Sid AllButAuditor): every action but s3:DeleteBucket';
    expect(result.findings[0]).toMatchObject({
      checkId: 's3.public-policy',
      severity: 'critical',
      region: 'global',
      resource: { type: 'AWS::S3::Bucket', id: 'site' },
      fix: 's3.enable-block-public-access',
      details: { bucket: 'site', region: 'eu-central-1', publicStatements: 3, statements },
    });
    expect(result.findings[0]!.message).toBe(
      `The policy of bucket site (eu-central-1) allows public access in 3 statements (${statements}) and RestrictPublicBuckets is off at both the bucket and the account level.`,
    );
  });

  it('passes Principal {"AWS":"*"} restricted to a VPC endpoint or the organization', async () => {
    const viaEndpoint = await judge(
      policyText(publicRead('site', { Principal: { AWS: '*' }, Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-0a1b2c3d4e5f67890' } } })),
    );
    expect(viaEndpoint.findings).toEqual([]);
    expect(viaEndpoint.errors).toEqual([]);
    s3.reset();
    s3control.reset();
    // Keys are case-insensitive; ForAnyValue: on a present key still restricts.
    const viaOrg = await judge(policyText(publicRead('site', { Condition: { 'ForAnyValue:StringLike': { 'AWS:PrincipalOrgID': ['o-a1b2c3d4e5'] } } })));
    expect(viaOrg.findings).toEqual([]);
    expect(viaOrg.stats.byCheck['s3.public-policy']).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it.each([
    ['an office range (/24) and one address', { IpAddress: { 'aws:SourceIp': ['198.51.100.0/24', '203.0.113.7'] } }],
    ['an IPv6 /48', { IpAddress: { 'aws:SourceIp': '2001:db8:1234::/48' } }],
    ['an organization path under a fixed organization', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*' } }],
    ['a fixed principal ARN', { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::210987654321:role/Reader' } }],
  ])('passes a public statement whose condition fixes %s', async (_, Condition) => {
    const result = await judge(policyText(publicRead('site', { Condition })));
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([]);
  });

  it.each([
    ['an IP condition of every address', { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '0.0.0.0/0'] } }],
    ['a negated operator (NotIpAddress)', { NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' } }],
    ['an …IfExists operator (true when the key is absent)', { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-0a1b2c3d4e5f67890' } }],
    ['ForAllValues: (true when the key is absent)', { 'ForAllValues:StringEquals': { 'aws:SourceVpce': 'vpce-0a1b2c3d4e5f67890' } }],
    ['a wildcard value', { StringLike: { 'aws:SourceAccount': '*' } }],
    ['a key that does not identify the caller', { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } }],
    ['a user name (any account may have a user "deploy")', { StringEquals: { 'aws:username': 'deploy' } }],
    ['a principal ARN with a wildcard account', { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Admin' } }],
    ['a partly wildcard endpoint id', { StringLike: { 'aws:SourceVpce': 'vpce-*' } }],
    ['a partly wildcard organization id', { StringLike: { 'aws:PrincipalOrgID': 'o-*' } }],
    ['two halves of the internet', { IpAddress: { 'aws:SourceIp': ['0.0.0.0/1', '128.0.0.0/1'] } }],
    ['an IPv6 range wider than /32', { IpAddress: { 'aws:SourceIp': '2000::/3' } }],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, written as IAM writes it.
    ['a policy variable that always matches', { StringEquals: { 'aws:PrincipalAccount': '${aws:PrincipalAccount}' } }],
    ['an organization path without a fixed organization', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': '*/r-ab12/*' } }],
  ])('fails a public statement whose condition is %s', async (_, Condition) => {
    const result = await judge(policyText(publicRead('site', { Condition })));
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.resource.id, f.details?.statements])).toEqual([['site', 'statement 1 (Sid PublicRead): s3:GetObject']]);
  });

  it('ignores Deny statements to everyone', async () => {
    const result = await judge(policyText(denyInsecureTransport('site')));
    expect(result.findings).toEqual([]);
    expect(result.stats.byCheck['s3.public-policy']).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('passes a public policy that RestrictPublicBuckets neutralises, at the bucket or the account level', async () => {
    serveS3(s3, s3control, {
      buckets: [
        { name: 'bucket-restricts', pab: { ...BPA_ALL_OFF, RestrictPublicBuckets: true }, policy: policyText(publicRead('bucket-restricts')) },
        { name: 'account-restricts', pab: null, policy: policyText(publicRead('account-restricts')) },
      ],
      account: { ...BPA_ALL_OFF, RestrictPublicBuckets: true },
    });
    const result = await audit([publicPolicy]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['s3.public-policy']).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('reports errors per bucket: policy denied, malformed document, BPA unknown for a public policy', async () => {
    serveS3(s3, s3control, {
      buckets: [
        { name: 'denied', pab: null, policy: awsError('AccessDenied', 'Access Denied') },
        { name: 'garbled', pab: null, policy: '{"Statement": [{"Effect": "Maybe"}]}' },
        { name: 'bpa-unknown', pab: awsError('AccessDenied', 'Access Denied'), policy: policyText(publicRead('bpa-unknown')) },
        { name: 'public', pab: BPA_ALL_OFF, policy: policyText(publicRead('public')) },
        { name: 'fine', pab: awsError('AccessDenied', 'Access Denied'), policy: null },
      ],
      account: BPA_ALL_OFF,
    });
    const result = await audit([publicPolicy]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['public']);
    expect(result.errors).toEqual([
      { checkId: 's3.public-policy', region: 'global', code: 'AccessDenied', message: 'Access Denied', resource: 'bpa-unknown' },
      { checkId: 's3.public-policy', region: 'global', code: 'AccessDenied', message: 'Access Denied', resource: 'denied' },
      {
        checkId: 's3.public-policy',
        region: 'global',
        code: 'MalformedPolicyDocument',
        message: 'the document of bucket policy of garbled is malformed: statement 1 has Effect "Maybe", expected "Allow" or "Deny"',
        resource: 'garbled',
      },
    ]);
    expect(result.stats.byCheck['s3.public-policy']).toEqual({ passed: 1, failed: 1, errors: 3 });
  });

  it('judges buckets whose own setting decides when the account setting cannot be read', async () => {
    serveS3(s3, s3control, {
      buckets: [
        { name: 'restricted', pab: BPA_ALL_ON, policy: policyText(publicRead('restricted')) },
        { name: 'unrestricted', pab: BPA_ALL_OFF, policy: policyText(publicRead('unrestricted')) },
      ],
      account: awsError('AccessDenied', 'not authorized to perform s3:GetAccountPublicAccessBlock'),
    });
    const result = await audit([publicPolicy]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      {
        checkId: 's3.public-policy',
        region: 'global',
        code: 'AccessDenied',
        message: 'not authorized to perform s3:GetAccountPublicAccessBlock',
        resource: 'unrestricted',
      },
    ]);
  });

  it('has nothing to say about an account without buckets', async () => {
    serveS3(s3, s3control, { buckets: [] });
    const result = await audit([publicPolicy]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
  });
});
