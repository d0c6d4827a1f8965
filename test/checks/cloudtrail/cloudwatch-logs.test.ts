import { beforeEach, describe, expect, it } from 'vitest';
import cloudwatchLogs from '../../../checks/cloudtrail/cloudwatch-logs.js';
import { audit } from '../../helpers/aws.js';
import { cloudtrail, describeTrailSettingCheck, ec2, serveRegions, serveTrails, trail } from './trail-fixtures.js';

describeTrailSettingCheck(cloudwatchLogs, {
  severity: 'low',
  // AWS omits both fields when the trail has no CloudWatch Logs delivery.
  off: { CloudWatchLogsLogGroupArn: undefined, CloudWatchLogsRoleArn: undefined },
  message: /^CloudTrail trail audit \(home us-east-1\) does not deliver its events to CloudWatch Logs: no metric filter or alarm can react to them\.$/,
});

describe('cloudtrail.cloudwatch-logs', () => {
  beforeEach(() => {
    cloudtrail.reset();
    ec2.reset();
    serveRegions(['us-east-1']);
  });

  it('names the trail of a multi-region finding as multi-region', async () => {
    serveTrails({
      'us-east-1': [trail('all', 'us-east-1', { IsMultiRegionTrail: true, CloudWatchLogsLogGroupArn: undefined, CloudWatchLogsRoleArn: undefined })],
    });
    const result = await audit([cloudwatchLogs]);
    expect(result.findings.map((f) => [f.severity, f.message])).toEqual([
      [
        'low',
        'CloudTrail trail all (multi-region, home us-east-1) does not deliver its events to CloudWatch Logs: no metric filter or alarm can react to them.',
      ],
    ]);
  });

  it('has the Security Hub reference and no CIS v5 one', () => {
    expect(cloudwatchLogs.references).toEqual({ securityHub: 'CloudTrail.5' });
    expect(cloudwatchLogs.description).toMatch(/metric filters and alarms.*unauthorized API calls and console sign-in failures/);
  });
});
