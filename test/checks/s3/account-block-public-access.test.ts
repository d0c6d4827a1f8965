import { S3Client } from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import accountBlockPublicAccess from '../../../checks/s3/account-block-public-access.js';
import { audit, awsError } from '../../helpers/aws.js';
import { BPA_ALL_OFF, BPA_ALL_ON, serveS3 } from '../../helpers/s3-fixtures.js';

const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);

describe('s3.account-block-public-access', () => {
  beforeEach(() => {
    s3.reset();
    s3control.reset();
  });

  it('passes when all four settings are on, asking S3 Control for this account', async () => {
    serveS3(s3, s3control, { buckets: [], account: BPA_ALL_ON });
    const result = await audit([accountBlockPublicAccess]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['s3.account-block-public-access']).toEqual({ passed: 1, failed: 0, errors: 0 });
    expect(s3control.commandCalls(GetPublicAccessBlockCommand)[0]!.args[0].input).toEqual({ AccountId: '123456789012' });
  });

  it('fails, high, when never configured', async () => {
    serveS3(s3, s3control, { buckets: [], account: null });
    const result = await audit([accountBlockPublicAccess]);
    expect(result.errors).toEqual([]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      checkId: 's3.account-block-public-access',
      severity: 'high',
      region: 'global',
      resource: { type: 'AWS::S3::AccountPublicAccessBlock', id: '123456789012' },
      details: { settingsOff: 'BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets', configured: false },
    });
    expect(result.findings[0]!.message).toBe(
      "Block Public Access was never configured for account 123456789012: all 4 settings are off, so each bucket's own settings are its only protection.",
    );
    expect(result.findings[0]!.fix).toBeUndefined();
  });

  it('fails listing the settings that are off', async () => {
    serveS3(s3, s3control, { buckets: [], account: { ...BPA_ALL_OFF, BlockPublicAcls: true, IgnorePublicAcls: true } });
    const result = await audit([accountBlockPublicAccess]);
    expect(result.findings.map((f) => [f.message, f.details])).toEqual([
      [
        'Account 123456789012 has 2 of 4 Block Public Access settings off: BlockPublicPolicy, RestrictPublicBuckets.',
        { settingsOff: 'BlockPublicPolicy, RestrictPublicBuckets', configured: true },
      ],
    ]);
  });

  it('reports an error, not a pass, when the setting cannot be read', async () => {
    serveS3(s3, s3control, { buckets: [], account: awsError('AccessDenied', 'not authorized to perform s3:GetAccountPublicAccessBlock') });
    const result = await audit([accountBlockPublicAccess]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      {
        checkId: 's3.account-block-public-access',
        region: 'global',
        code: 'AccessDenied',
        message: 'not authorized to perform s3:GetAccountPublicAccessBlock',
      },
    ]);
    expect(result.stats.byCheck['s3.account-block-public-access']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
