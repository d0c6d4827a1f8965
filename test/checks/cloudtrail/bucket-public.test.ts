import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import bucketPublic from '../../../checks/cloudtrail/bucket-public.js';
import { audit, awsError } from '../../helpers/aws.js';
import { ALL_USERS, AUTHENTICATED_USERS, BPA_ALL_OFF, groupGrant, ownerGrant, policyText, serveS3, type BucketSpec } from '../../helpers/s3-fixtures.js';
import { cloudtrail, ec2, MANAGEMENT_ACCOUNT, multiRegionTrail, serveRegions, serveTrails, trail } from './trail-fixtures.js';

const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);

const REGIONS = ['us-east-1', 'eu-west-1'];
const account = { regions: REGIONS };
const LOG_BUCKET = 'aws-cloudtrail-logs-123456789012-8c1f2a7d';

/** The policy the CloudTrail console writes on a log bucket: service principal only, restricted to the trail. */
const CLOUDTRAIL_POLICY = policyText(
  {
    Sid: 'AWSCloudTrailAclCheck20150319',
    Effect: 'Allow',
    Principal: { Service: 'cloudtrail.amazonaws.com' },
    Action: 's3:GetBucketAcl',
    Resource: `arn:aws:s3:::${LOG_BUCKET}`,
    Condition: { StringEquals: { 'AWS:SourceArn': 'arn:aws:cloudtrail:us-east-1:123456789012:trail/audit' } },
  },
  {
    Sid: 'AWSCloudTrailWrite20150319',
    Effect: 'Allow',
    Principal: { Service: 'cloudtrail.amazonaws.com' },
    Action: 's3:PutObject',
    Resource: `arn:aws:s3:::${LOG_BUCKET}/AWSLogs/123456789012/*`,
    Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'AWS:SourceArn': 'arn:aws:cloudtrail:us-east-1:123456789012:trail/audit' } },
  },
);

function logBucket(overrides: Partial<BucketSpec> = {}): BucketSpec {
  return { name: LOG_BUCKET, pab: BPA_ALL_OFF, policy: CLOUDTRAIL_POLICY, ...overrides };
}

describe('cloudtrail.bucket-public', () => {
  beforeEach(() => {
    cloudtrail.reset();
    ec2.reset();
    s3.reset();
    s3control.reset();
    serveRegions(REGIONS);
  });

  it('passes a trail whose bucket only lets CloudTrail in', async () => {
    serveTrails({ 'us-east-1': [trail('audit', 'us-east-1')] });
    serveS3(s3, s3control, { buckets: [logBucket(), { name: 'other' }], account: null });
    const result = await audit([bucketPublic], { account });
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['cloudtrail.bucket-public']).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('fails, critical, a multi-region trail listed in two regions exactly once, naming trail, bucket and grants', async () => {
    const shared = multiRegionTrail('audit', 'us-east-1');
    serveTrails({ 'us-east-1': [shared], 'eu-west-1': [shared] });
    serveS3(s3, s3control, {
      buckets: [
        logBucket({ acl: [ownerGrant(), groupGrant(ALL_USERS, 'READ'), groupGrant(ALL_USERS, 'READ_ACP'), groupGrant(AUTHENTICATED_USERS, 'FULL_CONTROL')] }),
      ],
      account: null,
    });
    const result = await audit([bucketPublic], { account });
    expect(result.errors).toEqual([]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      checkId: 'cloudtrail.bucket-public',
      severity: 'critical',
      region: 'us-east-1',
      resource: { type: 'AWS::CloudTrail::Trail', id: shared.TrailARN, arn: shared.TrailARN },
      details: {
        trailName: 'audit',
        homeRegion: 'us-east-1',
        isMultiRegion: true,
        s3BucketName: LOG_BUCKET,
        aclGrants: 'AllUsers: READ; AuthenticatedUsers: FULL_CONTROL',
        policyStatements: null,
      },
    });
    expect(result.findings[0]!.message).toBe(
      `CloudTrail trail audit (multi-region, home us-east-1) delivers its logs to bucket ${LOG_BUCKET}, which is publicly accessible: its ACL grants AllUsers: READ; AuthenticatedUsers: FULL_CONTROL.`,
    );
    expect(result.stats.byCheck['cloudtrail.bucket-public']).toEqual({ passed: 0, failed: 1, errors: 0 });
  });

  it('judges an organization trail of the management account whose bucket lives in this account, public by policy', async () => {
    const orgTrail = multiRegionTrail('org-trail', 'eu-west-1', { IsOrganizationTrail: true, S3BucketName: LOG_BUCKET }, MANAGEMENT_ACCOUNT);
    serveTrails({ 'us-east-1': [orgTrail], 'eu-west-1': [orgTrail] });
    serveS3(s3, s3control, {
      buckets: [
        logBucket({
          policy: policyText({ Sid: 'Anyone', Effect: 'Allow', Principal: { AWS: '*' }, Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' }),
        }),
      ],
      account: null,
    });
    const result = await audit([bucketPublic], { account });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.region, f.resource.id, f.details?.policyStatements, f.details?.aclGrants])).toEqual([
      ['eu-west-1', 'arn:aws:cloudtrail:eu-west-1:999999999999:trail/org-trail', 'statement 1 (Sid Anyone): s3:GetObject, s3:ListBucket', null],
    ]);
    expect(result.findings[0]!.message).toContain('its policy allows everyone in statement 1 (Sid Anyone): s3:GetObject, s3:ListBucket');
  });

  it('does not evaluate a trail whose bucket belongs to another account', async () => {
    serveTrails({ 'us-east-1': [trail('audit', 'us-east-1', { S3BucketName: 'log-archive-111111111111' })] });
    serveS3(s3, s3control, { buckets: [logBucket({ acl: [ownerGrant(), groupGrant(ALL_USERS, 'READ')] })], account: null });
    const result = await audit([bucketPublic], { account });
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['cloudtrail.bucket-public']).toEqual({ passed: 0, failed: 0, errors: 0 });
  });

  it('passes grants that do not let the public read, and public access that Block Public Access neutralises', async () => {
    serveTrails({
      'us-east-1': [trail('acp-only', 'us-east-1', { S3BucketName: 'acp-only' }), trail('ignored', 'us-east-1', { S3BucketName: 'ignored' })],
      'eu-west-1': [trail('restricted', 'eu-west-1', { S3BucketName: 'restricted' })],
    });
    const publicPolicy = policyText({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' });
    serveS3(s3, s3control, {
      buckets: [
        { name: 'acp-only', pab: null, acl: [ownerGrant(), groupGrant(ALL_USERS, 'READ_ACP')] },
        { name: 'ignored', pab: { ...BPA_ALL_OFF, IgnorePublicAcls: true }, acl: [ownerGrant(), groupGrant(ALL_USERS, 'READ')] },
        { name: 'restricted', region: 'eu-west-1', pab: null, policy: publicPolicy },
      ],
      account: { ...BPA_ALL_OFF, RestrictPublicBuckets: true },
    });
    const result = await audit([bucketPublic], { account });
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['cloudtrail.bucket-public']).toEqual({ passed: 3, failed: 0, errors: 0 });
  });

  it('reports an error for the trail, not a pass, when its bucket cannot be read', async () => {
    const denied = trail('audit', 'us-east-1');
    serveTrails({ 'us-east-1': [denied, trail('second', 'us-east-1', { S3BucketName: 'second-logs' })] });
    serveS3(s3, s3control, {
      buckets: [
        logBucket({ acl: awsError('AccessDenied', 'Access Denied') }),
        { name: 'second-logs', pab: null, acl: [ownerGrant(), groupGrant(ALL_USERS, 'READ')] },
      ],
      account: null,
    });
    const result = await audit([bucketPublic], { account });
    expect(result.findings.map((f) => f.resource.id)).toEqual(['arn:aws:cloudtrail:us-east-1:123456789012:trail/second']);
    expect(result.errors).toEqual([
      { checkId: 'cloudtrail.bucket-public', region: 'us-east-1', code: 'AccessDenied', message: 'Access Denied', resource: denied.TrailARN },
    ]);
  });

  it('still fails a bucket public by policy when its ACL could not be read', async () => {
    serveTrails({ 'us-east-1': [trail('audit', 'us-east-1')] });
    serveS3(s3, s3control, {
      buckets: [
        logBucket({
          acl: awsError('AccessDenied', 'Access Denied'),
          policy: policyText({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }),
        }),
      ],
      account: null,
    });
    const result = await audit([bucketPublic], { account });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => f.details?.policyStatements)).toEqual(['statement 1: s3:GetObject']);
  });

  it('reports an error per region when DescribeTrails is denied', async () => {
    cloudtrail.on(DescribeTrailsCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform cloudtrail:DescribeTrails'));
    serveS3(s3, s3control, { buckets: [], account: null });
    const result = await audit([bucketPublic], { account });
    expect(result.findings).toEqual([]);
    expect(result.errors.map((e) => [e.region, e.code, e.resource])).toEqual([
      ['eu-west-1', 'AccessDeniedException', undefined],
      ['us-east-1', 'AccessDeniedException', undefined],
    ]);
  });

  it('has nothing to say about regions without trails, even when the buckets cannot be listed', async () => {
    serveTrails({});
    serveS3(s3, s3control, { buckets: [], account: null });
    s3.on(ListBucketsCommand).rejects(awsError('AccessDenied', 'not authorized to perform s3:ListAllMyBuckets'));
    const result = await audit([bucketPublic], { account });
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['cloudtrail.bucket-public']).toEqual({ passed: 0, failed: 0, errors: 0 });
  });

  it('reports an error, not a pass, for a region with trails when the buckets cannot be listed', async () => {
    serveTrails({ 'eu-west-1': [trail('audit', 'eu-west-1')] });
    serveS3(s3, s3control, { buckets: [], account: null });
    s3.on(ListBucketsCommand).rejects(awsError('AccessDenied', 'not authorized to perform s3:ListAllMyBuckets'));
    const result = await audit([bucketPublic], { account });
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: 'cloudtrail.bucket-public', region: 'eu-west-1', code: 'AccessDenied', message: 'not authorized to perform s3:ListAllMyBuckets' },
    ]);
  });
});
