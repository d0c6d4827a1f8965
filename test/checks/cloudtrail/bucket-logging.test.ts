import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import bucketLogging from '../../../checks/cloudtrail/bucket-logging.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError } from '../../helpers/aws.js';
import { serveS3 } from '../../helpers/s3-fixtures.js';
import { cloudtrail, ec2, MANAGEMENT_ACCOUNT, multiRegionTrail, OWN_ACCOUNT, serveRegions, serveTrails, trail } from './trail-fixtures.js';

const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);
const CHECK = 'cloudtrail.bucket-logging';
const REGIONS = ['us-east-1', 'eu-west-1'];
const LOG_BUCKET = 'aws-cloudtrail-logs-123456789012-8c1f2a7d';
const ON = { TargetBucket: 'access-logs-123456789012', TargetPrefix: 'cloudtrail/' };

describe('cloudtrail.bucket-logging', () => {
  beforeEach(() => {
    cloudtrail.reset();
    ec2.reset();
    s3.reset();
    s3control.reset();
    serveRegions(REGIONS);
  });

  it('declares its references and datasets', () => {
    expect(bucketLogging).toMatchObject({ id: CHECK, service: 'cloudtrail', scope: 'regional', severity: 'low', references: { cis: '3.4' } });
    expect(bucketLogging.uses).toEqual(['cloudtrail.trails', 's3.bucketLogging']);
  });

  it("passes a trail whose bucket logs access, reading only the trails' buckets, each once", async () => {
    const main = multiRegionTrail('main', 'us-east-1');
    serveTrails({ 'us-east-1': [main], 'eu-west-1': [main] });
    const calls = serveS3(s3, s3control, { buckets: [{ name: LOG_BUCKET, logging: ON }, { name: 'other-bucket' }] });
    const result = await audit([bucketLogging], { account: { regions: REGIONS } });
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 0, errors: 0 });
    expect(calls.filter((c) => c.operation === 'GetBucketLogging')).toEqual([{ operation: 'GetBucketLogging', bucket: LOG_BUCKET, region: 'us-east-1' }]);
  });

  it("fails, low, a trail whose bucket has no access logging, in the trail's home region", async () => {
    const regional = trail('app-audit', 'eu-west-1', { S3BucketName: 'app-trail-logs' });
    serveTrails({ 'eu-west-1': [regional] });
    serveS3(s3, s3control, { buckets: [{ name: 'app-trail-logs', region: 'eu-west-1' }] });
    const result = await audit([bucketLogging], { account: { regions: REGIONS } });
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        checkId: CHECK,
        severity: 'low',
        region: 'eu-west-1',
        resource: { type: 'AWS::CloudTrail::Trail', id: regional.TrailARN, arn: regional.TrailARN },
        message:
          'CloudTrail trail app-audit (home eu-west-1) delivers its logs to bucket app-trail-logs, which has no server access logging: reads and deletions of the logs are not recorded.',
        fingerprint: findingFingerprint({ checkId: CHECK, accountId: OWN_ACCOUNT, region: 'eu-west-1', resourceId: regional.TrailARN! }),
      }),
    ]);
  });

  it("leaves a bucket of another account (a log archive) to that account's audit, organization trails included", async () => {
    const org = multiRegionTrail('org-trail', 'us-east-1', { IsOrganizationTrail: true, S3BucketName: 'org-log-archive' }, MANAGEMENT_ACCOUNT);
    serveTrails({ 'us-east-1': [org], 'eu-west-1': [org] });
    const calls = serveS3(s3, s3control, { buckets: [{ name: 'mine' }] });
    const result = await audit([bucketLogging], { account: { regions: REGIONS } });
    expect(result.findings).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 0 });
    expect(calls.filter((c) => c.operation === 'GetBucketLogging')).toEqual([]);
  });

  it('reports a bucket whose logging cannot be read as an error for that trail', async () => {
    const main = trail('main', 'us-east-1');
    serveTrails({ 'us-east-1': [main] });
    serveS3(s3, s3control, { buckets: [{ name: LOG_BUCKET, logging: awsError('AccessDenied', 'Access Denied') }] });
    const result = await audit([bucketLogging], { account: { regions: REGIONS } });
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([{ checkId: CHECK, region: 'us-east-1', code: 'AccessDenied', message: 'Access Denied', resource: main.TrailARN }]);
  });
});
