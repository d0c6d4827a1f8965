import { CloudTrailClient, DescribeTrailsCommand, type Trail } from '@aws-sdk/client-cloudtrail';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Check, Severity } from '../../../src/audit/types.js';
import { ACCOUNT, audit, awsError } from '../../helpers/aws.js';

export const cloudtrail = mockClient(CloudTrailClient);
export const ec2 = mockClient(EC2Client);

export const OWN_ACCOUNT = ACCOUNT.accountId;
export const MANAGEMENT_ACCOUNT = '999999999999';
export const AUDITED_REGIONS = ['us-east-1', 'eu-west-1', 'ap-south-1'];

/**
 * A trail as DescribeTrails returns it (every setting on, single-region),
 * with overrides; an override of `undefined` removes the field, as AWS omits
 * unset ones.
 */
export function trail(name: string, homeRegion: string, overrides: Partial<Trail> = {}, owner = OWN_ACCOUNT): Trail {
  const full: Trail = {
    Name: name,
    S3BucketName: `aws-cloudtrail-logs-${owner}-8c1f2a7d`,
    IncludeGlobalServiceEvents: true,
    IsMultiRegionTrail: false,
    HomeRegion: homeRegion,
    TrailARN: `arn:aws:cloudtrail:${homeRegion}:${owner}:trail/${name}`,
    LogFileValidationEnabled: true,
    CloudWatchLogsLogGroupArn: `arn:aws:logs:${homeRegion}:${owner}:log-group:aws-cloudtrail-logs-${owner}-${name}:*`,
    CloudWatchLogsRoleArn: `arn:aws:iam::${owner}:role/service-role/CloudTrailRoleForCloudWatchLogs_${name}`,
    KmsKeyId: `arn:aws:kms:${homeRegion}:${owner}:key/6f0c1d7e-52a4-4b9e-9d3a-0e8f2c71ab45`,
    HasCustomEventSelectors: false,
    HasInsightSelectors: false,
    IsOrganizationTrail: false,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(full).filter(([, value]) => value !== undefined)) as Trail;
}

/** A multi-region trail: DescribeTrails lists it in every region. */
export function multiRegionTrail(name: string, homeRegion: string, overrides: Partial<Trail> = {}, owner = OWN_ACCOUNT): Trail {
  return trail(name, homeRegion, { IsMultiRegionTrail: true, ...overrides }, owner);
}

/** DescribeTrails answers with the trails listed in the region its client is for. */
export function serveTrails(byRegion: Record<string, Trail[]>): void {
  cloudtrail.on(DescribeTrailsCommand).callsFake(async (_input, getClient) => ({
    trailList: byRegion[await getClient().config.region()] ?? [],
  }));
}

export function serveRegions(regions: readonly string[] = AUDITED_REGIONS): void {
  ec2.on(DescribeRegionsCommand).resolves({
    Regions: regions.map((RegionName) => ({ RegionName, OptInStatus: 'opt-in-not-required', Endpoint: `ec2.${RegionName}.amazonaws.com` })),
  });
}

export const DESCRIBE_TRAILS_DENIED =
  'User: arn:aws:sts::123456789012:assumed-role/AuditReadOnly/aws-audit-bot-test is not authorized to perform: cloudtrail:DescribeTrails because no identity-based policy allows the cloudtrail:DescribeTrails action';

/**
 * The cases every per-trail setting check shares: `off` turns the setting off
 * on a trail, `message` is what the finding must say.
 */
export function describeTrailSettingCheck(check: Check, expected: { severity: Severity; off: Partial<Trail>; message: RegExp }): void {
  const { off, message } = expected;
  const account = { regions: AUDITED_REGIONS };

  describe(`${check.id}: cases shared by per-trail checks`, () => {
    beforeEach(() => {
      cloudtrail.reset();
      ec2.reset();
      serveRegions();
    });

    it('passes a trail that has the setting, asking DescribeTrails for shadow trails too', async () => {
      serveTrails({ 'us-east-1': [trail('audit', 'us-east-1')] });
      const result = await audit([check], { account });
      expect(result.findings).toEqual([]);
      expect(result.errors).toEqual([]);
      expect(result.stats.byCheck[check.id]).toEqual({ passed: 1, failed: 0, errors: 0 });
      expect(cloudtrail.commandCalls(DescribeTrailsCommand).map((c) => c.args[0].input)).toEqual(AUDITED_REGIONS.map(() => ({ includeShadowTrails: true })));
    });

    it(`fails a trail without it, ${expected.severity}, with the trail's facts`, async () => {
      const bad = trail('audit', 'us-east-1', off);
      serveTrails({ 'us-east-1': [bad, trail('compliant', 'us-east-1')] });
      const result = await audit([check], { account });
      expect(result.errors).toEqual([]);
      expect(result.findings).toEqual([
        expect.objectContaining({
          checkId: check.id,
          severity: expected.severity,
          accountId: OWN_ACCOUNT,
          region: 'us-east-1',
          resource: { type: 'AWS::CloudTrail::Trail', id: bad.TrailARN, arn: bad.TrailARN },
          details: {
            trailName: 'audit',
            trailArn: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/audit',
            homeRegion: 'us-east-1',
            isMultiRegion: false,
            isOrganizationTrail: false,
            s3BucketName: 'aws-cloudtrail-logs-123456789012-8c1f2a7d',
          },
        }),
      ]);
      expect(result.findings[0]!.message).toMatch(message);
      expect(result.findings[0]!.message).toContain('trail audit (home us-east-1)');
      expect(result.stats.byCheck[check.id]).toEqual({ passed: 1, failed: 1, errors: 0 });
    });

    it('reports an error per region, not a pass, when DescribeTrails is denied', async () => {
      cloudtrail.on(DescribeTrailsCommand).rejects(awsError('AccessDeniedException', DESCRIBE_TRAILS_DENIED));
      const result = await audit([check], { account });
      expect(result.findings).toEqual([]);
      expect(result.errors).toEqual(
        ['ap-south-1', 'eu-west-1', 'us-east-1'].map((region) => ({
          checkId: check.id,
          region,
          code: 'AccessDeniedException',
          message: DESCRIBE_TRAILS_DENIED,
        })),
      );
      expect(result.stats.byCheck[check.id]).toEqual({ passed: 0, failed: 0, errors: 3 });
    });

    it('judges a multi-region trail listed in every region once, in its home region', async () => {
      const shared = multiRegionTrail('org-wide', 'eu-west-1', off);
      serveTrails(Object.fromEntries(AUDITED_REGIONS.map((region) => [region, [shared]])));
      const result = await audit([check], { account });
      expect(result.errors).toEqual([]);
      expect(result.findings.map((f) => [f.region, f.resource.id, f.details?.isMultiRegion])).toEqual([
        ['eu-west-1', 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/org-wide', true],
      ]);
      expect(result.findings[0]!.message).toContain('trail org-wide (multi-region, home eu-west-1)');
      expect(result.stats.byCheck[check.id]).toEqual({ passed: 0, failed: 1, errors: 0 });
    });

    it('counts a compliant multi-region trail as one pass, not one per region', async () => {
      const shared = multiRegionTrail('org-wide', 'eu-west-1');
      serveTrails(Object.fromEntries(AUDITED_REGIONS.map((region) => [region, [shared]])));
      const result = await audit([check], { account });
      expect(result.findings).toEqual([]);
      expect(result.stats.byCheck[check.id]).toEqual({ passed: 1, failed: 0, errors: 0 });
    });

    it('still judges, once, a multi-region trail whose home region is not audited: same finding, same fingerprint', async () => {
      const shared = multiRegionTrail('global', 'us-east-1', off);
      serveTrails({ 'us-east-1': [shared], 'eu-west-1': [shared] });
      const result = await audit([check], { account: { regions: ['eu-west-1'] } });
      expect(result.errors).toEqual([]);
      // Judged from eu-west-1, the finding still belongs to the trail's home region.
      expect(result.findings.map((f) => [f.region, f.resource.id, f.details?.homeRegion])).toEqual([
        ['us-east-1', 'arn:aws:cloudtrail:us-east-1:123456789012:trail/global', 'us-east-1'],
      ]);
      const fromHome = await audit([check], { account: { regions: ['us-east-1', 'eu-west-1'] } });
      expect(fromHome.findings.map((f) => f.fingerprint)).toEqual(result.findings.map((f) => f.fingerprint));
    });

    it('judges a single-region trail in the region that lists it', async () => {
      serveTrails({ 'us-east-1': [trail('main', 'us-east-1')], 'ap-south-1': [trail('mumbai', 'ap-south-1', off)] });
      const result = await audit([check], { account });
      expect(result.findings.map((f) => [f.region, f.resource.id])).toEqual([['ap-south-1', 'arn:aws:cloudtrail:ap-south-1:123456789012:trail/mumbai']]);
      expect(result.stats.byCheck[check.id]).toEqual({ passed: 1, failed: 1, errors: 0 });
    });

    it('leaves an organization trail owned by the management account to that account', async () => {
      const orgTrail = multiRegionTrail('org-trail', 'us-east-1', { IsOrganizationTrail: true, ...off }, MANAGEMENT_ACCOUNT);
      serveTrails(Object.fromEntries(AUDITED_REGIONS.map((region) => [region, [orgTrail]])));
      const result = await audit([check], { account });
      expect(result.findings).toEqual([]);
      expect(result.errors).toEqual([]);
      expect(result.stats.byCheck[check.id]).toEqual({ passed: 0, failed: 0, errors: 0 });
    });

    it('finds nothing, and reports nothing, in regions without trails', async () => {
      serveTrails({ 'us-east-1': [trail('main', 'us-east-1')] });
      const result = await audit([check], { account });
      expect(result.findings).toEqual([]);
      expect(result.errors).toEqual([]);
      expect(result.stats.byCheck[check.id]).toEqual({ passed: 1, failed: 0, errors: 0 });

      cloudtrail.reset();
      serveTrails({});
      const empty = await audit([check], { account });
      expect(empty.findings).toEqual([]);
      expect(empty.errors).toEqual([]);
      expect(empty.stats.byCheck[check.id]).toEqual({ passed: 0, failed: 0, errors: 0 });
    });
  });
}
