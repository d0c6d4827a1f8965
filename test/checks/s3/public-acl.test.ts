import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import publicAcl from '../../../checks/s3/public-acl.js';
import { audit, awsError } from '../../helpers/aws.js';
import { ALL_USERS, AUTHENTICATED_USERS, BPA_ALL_OFF, BPA_ALL_ON, groupGrant, ownerGrant, serveS3 } from '../../helpers/s3-fixtures.js';

const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);

describe('s3.public-acl', () => {
  beforeEach(() => {
    s3.reset();
    s3control.reset();
  });

  it('passes buckets whose ACL grants only the owner', async () => {
    serveS3(s3, s3control, { buckets: [{ name: 'private-data', pab: null }], account: null });
    const result = await audit([publicAcl]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['s3.public-acl']).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('fails, critical, once per bucket, merging a grantee listed once per permission', async () => {
    serveS3(s3, s3control, {
      buckets: [
        {
          name: 'public-rw',
          region: 'eu-west-1',
          pab: BPA_ALL_OFF,
          acl: [ownerGrant(), groupGrant(ALL_USERS, 'WRITE'), groupGrant(ALL_USERS, 'READ'), groupGrant(AUTHENTICATED_USERS, 'READ_ACP')],
        },
      ],
      account: null,
    });
    const result = await audit([publicAcl]);
    expect(result.errors).toEqual([]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      checkId: 's3.public-acl',
      severity: 'critical',
      region: 'global',
      resource: { type: 'AWS::S3::Bucket', id: 'public-rw' },
      fix: 's3.enable-block-public-access',
      details: { bucket: 'public-rw', region: 'eu-west-1', grants: 'AllUsers: READ, WRITE; AuthenticatedUsers: READ_ACP' },
    });
    expect(result.findings[0]!.resource.arn).toBeUndefined();
    expect(result.findings[0]!.message).toBe(
      'The ACL of bucket public-rw (eu-west-1) grants public access (AllUsers: READ, WRITE; AuthenticatedUsers: READ_ACP) and IgnorePublicAcls is off at both the bucket and the account level.',
    );
  });

  it('rates read-only public grants high', async () => {
    serveS3(s3, s3control, {
      buckets: [{ name: 'listing', pab: null, acl: [ownerGrant(), groupGrant(AUTHENTICATED_USERS, 'READ'), groupGrant(AUTHENTICATED_USERS, 'READ_ACP')] }],
      account: BPA_ALL_OFF,
    });
    const result = await audit([publicAcl]);
    expect(result.findings.map((f) => [f.resource.id, f.severity, f.details?.grants])).toEqual([['listing', 'high', 'AuthenticatedUsers: READ, READ_ACP']]);
  });

  it('passes a public ACL that IgnorePublicAcls neutralises, at the account or at the bucket level', async () => {
    const publicGrants = [ownerGrant(), groupGrant(ALL_USERS, 'FULL_CONTROL')];
    serveS3(s3, s3control, {
      buckets: [
        { name: 'bucket-off', pab: null, acl: publicGrants },
        { name: 'bucket-ignores', pab: { ...BPA_ALL_OFF, IgnorePublicAcls: true }, acl: publicGrants },
      ],
      account: { ...BPA_ALL_OFF, IgnorePublicAcls: true },
    });
    const result = await audit([publicAcl]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['s3.public-acl']).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('reads every ListBuckets page and asks each bucket in its own region, found by GetBucketLocation when not listed', async () => {
    const calls = serveS3(s3, s3control, {
      pageSize: 2,
      buckets: [
        { name: 'virginia', listsRegion: false, location: null, pab: null, acl: [ownerGrant(), groupGrant(ALL_USERS, 'READ')] },
        { name: 'old-eu', listsRegion: false, location: 'EU', pab: null, acl: [ownerGrant(), groupGrant(ALL_USERS, 'READ')] },
        { name: 'tokyo', region: 'ap-northeast-1', pab: null, acl: [ownerGrant(), groupGrant(ALL_USERS, 'READ')] },
      ],
      account: null,
    });
    const result = await audit([publicAcl]);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.resource.id, f.details?.region])).toEqual([
      ['old-eu', 'eu-west-1'],
      ['tokyo', 'ap-northeast-1'],
      ['virginia', 'us-east-1'],
    ]);
    expect(s3.commandCalls(ListBucketsCommand).map((c) => c.args[0].input.ContinuationToken)).toEqual([undefined, 'page-2']);
    expect(
      calls
        .filter((c) => c.operation === 'GetBucketLocation')
        .map((c) => c.bucket)
        .sort(),
    ).toEqual(['old-eu', 'virginia']);
    const aclRegions = Object.fromEntries(calls.filter((c) => c.operation === 'GetBucketAcl').map((c) => [c.bucket, c.region]));
    expect(aclRegions).toEqual({ virginia: 'us-east-1', 'old-eu': 'eu-west-1', tokyo: 'ap-northeast-1' });
  });

  it('reports a bucket that denies its ACL (or vanished mid-audit) as an error and judges the others', async () => {
    serveS3(s3, s3control, {
      buckets: [
        { name: 'locked', pab: null, acl: awsError('AccessDenied', 'Access Denied') },
        { name: 'deleted', pab: null, acl: awsError('NoSuchBucket', 'The specified bucket does not exist') },
        { name: 'open', pab: null, acl: [ownerGrant(), groupGrant(ALL_USERS, 'READ')] },
        { name: 'fine', pab: null },
      ],
      account: null,
    });
    const result = await audit([publicAcl]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['open']);
    expect(result.errors).toEqual([
      { checkId: 's3.public-acl', region: 'global', code: 'NoSuchBucket', message: 'The specified bucket does not exist', resource: 'deleted' },
      { checkId: 's3.public-acl', region: 'global', code: 'AccessDenied', message: 'Access Denied', resource: 'locked' },
    ]);
    expect(result.stats.byCheck['s3.public-acl']).toEqual({ passed: 1, failed: 1, errors: 2 });
  });

  it('errs on a public ACL when it cannot know whether IgnorePublicAcls is in force, and still judges the rest', async () => {
    serveS3(s3, s3control, {
      buckets: [
        { name: 'bpa-denied', pab: awsError('AccessDenied', 'Access Denied'), acl: [ownerGrant(), groupGrant(ALL_USERS, 'READ')] },
        { name: 'bucket-ignores', pab: BPA_ALL_ON, acl: [ownerGrant(), groupGrant(ALL_USERS, 'READ')] },
        { name: 'bucket-open', pab: BPA_ALL_OFF, acl: [ownerGrant(), groupGrant(ALL_USERS, 'WRITE')] },
        { name: 'owner-only', pab: awsError('AccessDenied', 'Access Denied') },
      ],
      account: awsError('AccessDenied', 'not authorized to perform s3:GetAccountPublicAccessBlock'),
    });
    const result = await audit([publicAcl]);
    // The account setting is unknown: a bucket whose own IgnorePublicAcls is on (or whose ACL is private) is judged; a public one without it is not.
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: 's3.public-acl', region: 'global', code: 'AccessDenied', message: 'Access Denied', resource: 'bpa-denied' },
      {
        checkId: 's3.public-acl',
        region: 'global',
        code: 'AccessDenied',
        message: 'not authorized to perform s3:GetAccountPublicAccessBlock',
        resource: 'bucket-open',
      },
    ]);
    expect(result.stats.byCheck['s3.public-acl']).toEqual({ passed: 2, failed: 0, errors: 2 });
  });

  it('clears a bucket whose BPA read failed when the account ignores public ACLs', async () => {
    serveS3(s3, s3control, {
      buckets: [{ name: 'bpa-denied', pab: awsError('AccessDenied', 'Access Denied'), acl: [ownerGrant(), groupGrant(ALL_USERS, 'READ')] }],
      account: BPA_ALL_ON,
    });
    const result = await audit([publicAcl]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['s3.public-acl']).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('reports an error, not a pass, when the bucket list cannot be read', async () => {
    serveS3(s3, s3control, { buckets: [] });
    s3.on(ListBucketsCommand).rejects(awsError('AccessDenied', 'not authorized to perform s3:ListAllMyBuckets'));
    const result = await audit([publicAcl]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: 's3.public-acl', region: 'global', code: 'AccessDenied', message: 'not authorized to perform s3:ListAllMyBuckets' },
    ]);
  });

  it('has nothing to say about an account without buckets', async () => {
    serveS3(s3, s3control, { buckets: [], account: null });
    const result = await audit([publicAcl]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['s3.public-acl']).toEqual({ passed: 0, failed: 0, errors: 0 });
  });
});
