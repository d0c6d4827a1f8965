import { GenerateCredentialReportCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import rootRecentUse from '../../../checks/iam/root-recent-use.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError, daysAgo, NOW, rootReportRow, userReportRow } from '../../helpers/aws.js';
import { accessKey, reportTime, serveReport } from '../../helpers/credential-report.js';

const iam = mockClient(IAMClient);

describe('iam.root-recent-use', () => {
  beforeEach(() => iam.reset());

  it('passes when the root user was last used long ago', async () => {
    serveReport(iam, [
      rootReportRow({ password_last_used: reportTime(daysAgo(400)), ...accessKey(1, { active: false, createdDaysAgo: 900, lastUsedDaysAgo: 500 }) }),
      userReportRow('alice', { password_last_used: reportTime(daysAgo(0)) }),
    ]);
    const result = await audit([rootRecentUse]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['iam.root-recent-use']).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('passes when the root user was never used (no_information, N/A)', async () => {
    serveReport(iam, [rootReportRow({ password_last_used: 'no_information' })]);
    const result = await audit([rootRecentUse]);
    expect(result.findings).toEqual([]);
    expect(result.stats.byCheck['iam.root-recent-use']).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('fails once, high, naming every recently used credential, latest first', async () => {
    serveReport(iam, [
      rootReportRow({
        password_last_used: reportTime(daysAgo(3)),
        ...accessKey(1, { createdDaysAgo: 700, lastUsedDaysAgo: 1 }),
        // Deactivated since, but it was used recently: that use is what matters here.
        ...accessKey(2, { active: false, createdDaysAgo: 700, lastUsedDaysAgo: 12 }),
      }),
    ]);
    const result = await audit([rootRecentUse]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      checkId: 'iam.root-recent-use',
      severity: 'high',
      region: 'global',
      resource: { type: 'AWS::IAM::Root', id: 'root', arn: 'arn:aws:iam::123456789012:root' },
      message:
        'The root user was used within the last 30 days: access key 1 on 2026-11-22 (1 day ago), password on 2026-11-20 (3 days ago), access key 2 on 2026-11-11 (12 days ago).',
      details: {
        credentials: 'access key 1, password, access key 2',
        lastUsedAt: daysAgo(1).toISOString(),
        daysSinceLastUse: 1,
        passwordLastUsedAt: daysAgo(3).toISOString(),
        accessKey1LastUsedAt: daysAgo(1).toISOString(),
        accessKey2LastUsedAt: daysAgo(12).toISOString(),
        limitDays: 30,
      },
    });
    expect(result.findings[0]!.fingerprint).toBe(
      findingFingerprint({ checkId: 'iam.root-recent-use', accountId: '123456789012', region: 'global', resourceId: 'root' }),
    );
    expect(result.stats.byCheck['iam.root-recent-use']).toEqual({ passed: 0, failed: 1, errors: 0 });
  });

  it('names only the recent credential when others were used long ago', async () => {
    serveReport(iam, [rootReportRow({ password_last_used: reportTime(daysAgo(0)), ...accessKey(1, { createdDaysAgo: 700, lastUsedDaysAgo: 200 }) })]);
    const result = await audit([rootRecentUse]);
    expect(result.findings[0]!.message).toBe('The root user was used within the last 30 days: password on 2026-11-23 (0 days ago).');
    expect(result.findings[0]!.details).toMatchObject({ credentials: 'password', accessKey1LastUsedAt: daysAgo(200).toISOString() });
  });

  it('treats a use exactly rootRecentUseDays ago as not recent, one day less as recent', async () => {
    serveReport(iam, [rootReportRow({ password_last_used: reportTime(daysAgo(30)) })]);
    expect((await audit([rootRecentUse])).findings).toEqual([]);
    iam.reset();
    serveReport(iam, [rootReportRow({ password_last_used: reportTime(daysAgo(29)) })]);
    expect((await audit([rootRecentUse])).findings).toHaveLength(1);
  });

  it('uses thresholds.rootRecentUseDays', async () => {
    serveReport(iam, [rootReportRow({ password_last_used: reportTime(daysAgo(10)) })]);
    expect((await audit([rootRecentUse], { thresholds: { rootRecentUseDays: 7 } })).findings).toEqual([]);
    const wider = await audit([rootRecentUse], { thresholds: { rootRecentUseDays: 90 } });
    expect(wider.findings[0]!.message).toBe('The root user was used within the last 90 days: password on 2026-11-13 (10 days ago).');
    expect(wider.findings[0]!.details).toMatchObject({ limitDays: 90 });
  });

  it('keeps its fingerprint while the root user keeps being used', async () => {
    serveReport(iam, [rootReportRow({ password_last_used: reportTime(daysAgo(2)) })]);
    const before = await audit([rootRecentUse]);
    const later = new Date(NOW.getTime() + 7 * 86_400_000);
    iam.reset();
    serveReport(iam, [rootReportRow({ ...accessKey(1, { createdDaysAgo: 1, lastUsedDaysAgo: 0, from: later }) })]);
    const after = await audit([rootRecentUse], { now: later });
    expect(after.findings[0]!.fingerprint).toBe(before.findings[0]!.fingerprint);
  });

  it('reports an error, not a pass, when the report cannot be read', async () => {
    iam.on(GenerateCredentialReportCommand).rejects(awsError('AccessDenied', 'not authorized to perform iam:GenerateCredentialReport'));
    const result = await audit([rootRecentUse]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: 'iam.root-recent-use', region: 'global', code: 'AccessDenied', message: 'not authorized to perform iam:GenerateCredentialReport' },
    ]);
    expect(result.stats.byCheck['iam.root-recent-use']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });

  it('reports an error when the report has no root row', async () => {
    serveReport(iam, [userReportRow('alice')]);
    const result = await audit([rootRecentUse]);
    expect(result.findings).toEqual([]);
    expect(result.errors[0]).toMatchObject({ checkId: 'iam.root-recent-use', code: 'MalformedCredentialReport' });
  });
});
