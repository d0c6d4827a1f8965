import { beforeEach, describe, expect, it } from 'vitest';
import logValidation from '../../../checks/cloudtrail/log-validation.js';
import { audit } from '../../helpers/aws.js';
import { cloudtrail, describeTrailSettingCheck, ec2, serveRegions, serveTrails, trail } from './trail-fixtures.js';

describeTrailSettingCheck(logValidation, {
  severity: 'medium',
  off: { LogFileValidationEnabled: false },
  message: /^CloudTrail trail audit \(home us-east-1\) has log file validation off: a log file changed or deleted after delivery cannot be detected\.$/,
});

describe('cloudtrail.log-validation', () => {
  beforeEach(() => {
    cloudtrail.reset();
    ec2.reset();
    serveRegions(['us-east-1']);
  });

  it('treats a trail that does not say validation is on as off', async () => {
    serveTrails({ 'us-east-1': [trail('legacy', 'us-east-1', { LogFileValidationEnabled: undefined })] });
    const result = await audit([logValidation]);
    expect(result.findings.map((f) => [f.resource.id, f.severity])).toEqual([['arn:aws:cloudtrail:us-east-1:123456789012:trail/legacy', 'medium']]);
  });

  it('has the CIS and Security Hub references', () => {
    expect(logValidation).toMatchObject({
      id: 'cloudtrail.log-validation',
      scope: 'regional',
      uses: ['cloudtrail.trails'],
      references: { cis: '3.2', securityHub: 'CloudTrail.4' },
    });
  });
});
