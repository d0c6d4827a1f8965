import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import defaultEncryption from '../../../checks/s3/default-encryption.js';
import { audit, awsError } from '../../helpers/aws.js';
import { serveS3 } from '../../helpers/s3-fixtures.js';

const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);

describe('s3.default-encryption', () => {
  beforeEach(() => {
    s3.reset();
    s3control.reset();
  });

  it('passes buckets with an SSE-S3 or SSE-KMS rule', async () => {
    serveS3(s3, s3control, {
      buckets: [
        { name: 'sse-s3' },
        {
          name: 'sse-kms',
          encryption: [
            {
              ApplyServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
              },
              BucketKeyEnabled: true,
            },
          ],
        },
      ],
    });
    const result = await audit([defaultEncryption]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['s3.default-encryption']).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails, medium, a bucket without a rule (ServerSideEncryptionConfigurationNotFoundError) or with an empty list', async () => {
    serveS3(s3, s3control, {
      buckets: [
        { name: 'emulated', region: 'eu-west-1', encryption: null },
        { name: 'empty-rules', encryption: [] },
      ],
    });
    const result = await audit([defaultEncryption]);
    expect(result.errors).toEqual([]);
    expect(result.findings).toHaveLength(2);
    // Sorted by resource id.
    expect(result.findings.map((f) => f.resource.id)).toEqual(['empty-rules', 'emulated']);
    expect(result.findings[1]).toMatchObject({
      checkId: 's3.default-encryption',
      severity: 'medium',
      region: 'global',
      resource: { type: 'AWS::S3::Bucket', id: 'emulated' },
      details: { bucket: 'emulated', region: 'eu-west-1' },
    });
    expect(result.findings[1]!.message).toBe(
      'Bucket emulated (eu-west-1) has no default encryption rule: objects uploaded without encryption headers are stored unencrypted.',
    );
  });

  it('reports a bucket that cannot be read as an error, never a pass, and judges the others', async () => {
    serveS3(s3, s3control, {
      buckets: [
        { name: 'locked', encryption: awsError('AccessDenied', 'Access Denied') },
        { name: 'no-location', listsRegion: false, location: awsError('AccessDenied', 'Access Denied') },
        { name: 'plain', encryption: null },
      ],
    });
    const result = await audit([defaultEncryption]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['plain']);
    expect(result.errors).toEqual([
      { checkId: 's3.default-encryption', region: 'global', code: 'AccessDenied', message: 'Access Denied', resource: 'locked' },
      { checkId: 's3.default-encryption', region: 'global', code: 'AccessDenied', message: 'Access Denied', resource: 'no-location' },
    ]);
  });

  it('has nothing to say about an account without buckets', async () => {
    serveS3(s3, s3control, { buckets: [] });
    const result = await audit([defaultEncryption]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
  });
});
