import { GenerateCredentialReportCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import rootAccessKeys from '../../../checks/iam/root-access-keys.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError, daysAgo, NOW, rootReportRow, userReportRow } from '../../helpers/aws.js';
import { accessKey, serveReport } from '../../helpers/credential-report.js';

const iam = mockClient(IAMClient);
const ROOT_ARN = 'arn:aws:iam::123456789012:root';

describe('iam.root-access-keys', () => {
  beforeEach(() => iam.reset());

  it('passes when the root user has no access key', async () => {
    serveReport(iam, [rootReportRow(), userReportRow('alice', accessKey(1, { createdDaysAgo: 10 }))]);
    const result = await audit([rootAccessKeys]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['iam.root-access-keys']).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('passes when the root user only has inactive keys', async () => {
    serveReport(iam, [rootReportRow({ ...accessKey(1, { active: false, createdDaysAgo: 900, lastUsedDaysAgo: 800 }) })]);
    const result = await audit([rootAccessKeys]);
    expect(result.findings).toEqual([]);
    expect(result.stats.byCheck['iam.root-access-keys']).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('fails, critical, once per active root key, each with its slot as sub-key', async () => {
    serveReport(iam, [rootReportRow({ ...accessKey(1, { createdDaysAgo: 412, lastUsedDaysAgo: 3 }), ...accessKey(2, { createdDaysAgo: 20 }) })]);
    const result = await audit([rootAccessKeys]);
    expect(result.stats.byCheck['iam.root-access-keys']).toEqual({ passed: 0, failed: 2, errors: 0 });
    const [first, second] = [...result.findings].sort((a, b) => Number(a.details!.keySlot) - Number(b.details!.keySlot));
    expect(first).toMatchObject({
      checkId: 'iam.root-access-keys',
      severity: 'critical',
      accountId: '123456789012',
      region: 'global',
      resource: { type: 'AWS::IAM::Root', id: 'root', arn: ROOT_ARN },
      message: 'The root user has an active access key in slot 1 (created 2025-10-07, last used 2026-11-20): it grants unrestricted API access to the account.',
      details: {
        keySlot: 1,
        keyCreatedAt: daysAgo(412).toISOString(),
        lastUsedAt: daysAgo(3).toISOString(),
        lastUsedRegion: 'us-east-1',
        lastUsedService: 's3',
      },
    });
    expect(second!.message).toBe(
      'The root user has an active access key in slot 2 (created 2026-11-03, never used): it grants unrestricted API access to the account.',
    );
    expect(second!.details).toMatchObject({ keySlot: 2, lastUsedAt: null });
    const fingerprint = (subKey: string) =>
      findingFingerprint({ checkId: 'iam.root-access-keys', accountId: '123456789012', region: 'global', resourceId: 'root', subKey });
    expect(first!.fingerprint).toBe(fingerprint('key1'));
    expect(second!.fingerprint).toBe(fingerprint('key2'));
  });

  it('keeps the fingerprint of a slot across scans and key replacements (the problem is the slot being active)', async () => {
    serveReport(iam, [rootReportRow({ ...accessKey(2, { createdDaysAgo: 400 }) })]);
    const before = await audit([rootAccessKeys]);
    const later = new Date(NOW.getTime() + 40 * 86_400_000);
    iam.reset();
    serveReport(iam, [rootReportRow({ ...accessKey(2, { createdDaysAgo: 5, from: later }) })]);
    const after = await audit([rootAccessKeys], { now: later });
    expect(after.findings[0]!.fingerprint).toBe(before.findings[0]!.fingerprint);
    expect(after.findings[0]!.message).not.toBe(before.findings[0]!.message);
  });

  it('still fails, saying so, when the report gives no creation date for an active root key', async () => {
    serveReport(iam, [rootReportRow({ access_key_1_active: 'true', access_key_1_last_rotated: 'N/A' })]);
    const result = await audit([rootAccessKeys]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]!.message).toContain('(creation date unknown, never used)');
    expect(result.findings[0]!.details).toMatchObject({ keyCreatedAt: null });
  });

  it('has no threshold: overriding thresholds changes nothing', async () => {
    serveReport(iam, [rootReportRow({ ...accessKey(1, { createdDaysAgo: 1, lastUsedDaysAgo: 0 }) })]);
    const result = await audit([rootAccessKeys], { thresholds: { accessKeyMaxAgeDays: 365, credentialUnusedDays: 365, rootRecentUseDays: 1 } });
    expect(result.findings).toHaveLength(1);
  });

  it('reports an error, not a pass, when the report cannot be read', async () => {
    iam.on(GenerateCredentialReportCommand).rejects(awsError('AccessDenied', 'not authorized to perform iam:GenerateCredentialReport'));
    const result = await audit([rootAccessKeys]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: 'iam.root-access-keys', region: 'global', code: 'AccessDenied', message: 'not authorized to perform iam:GenerateCredentialReport' },
    ]);
    expect(result.stats.byCheck['iam.root-access-keys']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });

  it('reports an error when the report has no root row', async () => {
    serveReport(iam, [userReportRow('alice')]);
    const result = await audit([rootAccessKeys]);
    expect(result.findings).toEqual([]);
    expect(result.errors[0]).toMatchObject({ checkId: 'iam.root-access-keys', code: 'MalformedCredentialReport' });
    expect(result.stats.byCheck['iam.root-access-keys']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
