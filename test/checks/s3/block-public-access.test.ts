import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import blockPublicAccess from '../../../checks/s3/block-public-access.js';
import { audit, awsError } from '../../helpers/aws.js';
import { BPA_ALL_OFF, BPA_ALL_ON, serveS3 } from '../../helpers/s3-fixtures.js';

const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);

describe('s3.block-public-access', () => {
  beforeEach(() => {
    s3.reset();
    s3control.reset();
  });

  it('passes when each setting is on at the bucket or the account level', async () => {
    serveS3(s3, s3control, {
      buckets: [
        { name: 'all-on', pab: BPA_ALL_ON },
        // Account covers the ACL settings, the bucket the policy ones.
        { name: 'split', pab: { ...BPA_ALL_OFF, BlockPublicPolicy: true, RestrictPublicBuckets: true } },
      ],
      account: { ...BPA_ALL_OFF, BlockPublicAcls: true, IgnorePublicAcls: true },
    });
    const result = await audit([blockPublicAccess]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['s3.block-public-access']).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails, high, listing the settings off at both levels', async () => {
    serveS3(s3, s3control, {
      buckets: [
        { name: 'half', region: 'us-west-2', pab: { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: false } },
        { name: 'never-set', pab: null },
      ],
      account: { ...BPA_ALL_OFF, BlockPublicPolicy: true },
    });
    const result = await audit([blockPublicAccess]);
    expect(result.errors).toEqual([]);
    expect(result.findings).toHaveLength(2);
    expect(result.findings[0]).toMatchObject({
      checkId: 's3.block-public-access',
      severity: 'high',
      resource: { type: 'AWS::S3::Bucket', id: 'half' },
      fix: 's3.enable-block-public-access',
      details: { bucket: 'half', region: 'us-west-2', settingsOff: 'IgnorePublicAcls, RestrictPublicBuckets', bucketConfigured: true },
    });
    expect(result.findings[0]!.message).toBe(
      'Bucket half (us-west-2) has 2 of 4 Block Public Access settings off at both the bucket and the account level: IgnorePublicAcls, RestrictPublicBuckets.',
    );
    expect(result.findings[1]).toMatchObject({
      resource: { type: 'AWS::S3::Bucket', id: 'never-set' },
      details: { bucket: 'never-set', region: 'us-east-1', settingsOff: 'BlockPublicAcls, IgnorePublicAcls, RestrictPublicBuckets', bucketConfigured: false },
    });
    expect(result.findings[1]!.message).toContain('(the bucket never configured Block Public Access)');
  });

  it('passes a bucket whose read failed when the account is fully on, and errs when it is not', async () => {
    serveS3(s3, s3control, { buckets: [{ name: 'denied', pab: awsError('AccessDenied', 'Access Denied') }], account: BPA_ALL_ON });
    const covered = await audit([blockPublicAccess]);
    expect(covered.findings).toEqual([]);
    expect(covered.errors).toEqual([]);
    expect(covered.stats.byCheck['s3.block-public-access']).toEqual({ passed: 1, failed: 0, errors: 0 });

    s3.reset();
    s3control.reset();
    serveS3(s3, s3control, {
      buckets: [
        { name: 'denied', pab: awsError('AccessDenied', 'Access Denied') },
        { name: 'vanished', pab: awsError('NoSuchBucket', 'The specified bucket does not exist') },
        { name: 'open', pab: BPA_ALL_OFF },
      ],
      account: { ...BPA_ALL_ON, RestrictPublicBuckets: false },
    });
    const uncovered = await audit([blockPublicAccess]);
    expect(uncovered.findings.map((f) => [f.resource.id, f.details?.settingsOff])).toEqual([['open', 'RestrictPublicBuckets']]);
    expect(uncovered.errors).toEqual([
      { checkId: 's3.block-public-access', region: 'global', code: 'AccessDenied', message: 'Access Denied', resource: 'denied' },
      { checkId: 's3.block-public-access', region: 'global', code: 'NoSuchBucket', message: 'The specified bucket does not exist', resource: 'vanished' },
    ]);
  });

  it('passes a fully-on bucket when the account setting cannot be read, and errs on the others', async () => {
    serveS3(s3, s3control, {
      buckets: [
        { name: 'locked-down', pab: BPA_ALL_ON },
        { name: 'partial', pab: { ...BPA_ALL_ON, IgnorePublicAcls: false } },
      ],
      account: awsError('AccessDenied', 'not authorized to perform s3:GetAccountPublicAccessBlock'),
    });
    const result = await audit([blockPublicAccess]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      {
        checkId: 's3.block-public-access',
        region: 'global',
        code: 'AccessDenied',
        message: 'not authorized to perform s3:GetAccountPublicAccessBlock',
        resource: 'partial',
      },
    ]);
    expect(result.stats.byCheck['s3.block-public-access']).toEqual({ passed: 1, failed: 0, errors: 1 });
  });

  it('has nothing to say about an account without buckets', async () => {
    serveS3(s3, s3control, { buckets: [], account: null });
    const result = await audit([blockPublicAccess]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
  });
});
