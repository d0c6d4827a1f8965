import { beforeEach, describe, expect, it } from 'vitest';
import kms from '../../../checks/cloudtrail/kms.js';
import { audit } from '../../helpers/aws.js';
import { cloudtrail, describeTrailSettingCheck, ec2, serveRegions, serveTrails, trail } from './trail-fixtures.js';

describeTrailSettingCheck(kms, {
  severity: 'medium',
  // AWS omits KmsKeyId when the trail has none.
  off: { KmsKeyId: undefined },
  message: /^CloudTrail trail audit \(home us-east-1\) does not encrypt its log files \(bucket aws-cloudtrail-logs-123456789012-8c1f2a7d\) with a KMS key\.$/,
});

describe('cloudtrail.kms', () => {
  beforeEach(() => {
    cloudtrail.reset();
    ec2.reset();
    serveRegions(['us-east-1']);
  });

  it('accepts a key given by alias ARN as well as by key ARN', async () => {
    serveTrails({ 'us-east-1': [trail('aliased', 'us-east-1', { KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:alias/cloudtrail' })] });
    const result = await audit([kms]);
    expect(result.findings).toEqual([]);
    expect(result.stats.byCheck['cloudtrail.kms']).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('has the CIS and Security Hub references', () => {
    expect(kms).toMatchObject({
      id: 'cloudtrail.kms',
      scope: 'regional',
      uses: ['cloudtrail.trails'],
      references: { cis: '3.5', securityHub: 'CloudTrail.2' },
    });
  });
});
