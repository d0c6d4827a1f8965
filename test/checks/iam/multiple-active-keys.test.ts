import { GenerateCredentialReportCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import multipleActiveKeys from '../../../checks/iam/multiple-active-keys.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError, daysAgo, rootReportRow, userReportRow } from '../../helpers/aws.js';
import { accessKey, keyUserRow, serveReport } from '../../helpers/credential-report.js';

const iam = mockClient(IAMClient);

describe('iam.multiple-active-keys', () => {
  beforeEach(() => iam.reset());

  it('passes users with one active key; users without active keys are not evaluated', async () => {
    serveReport(iam, [
      rootReportRow({ ...accessKey(1, { createdDaysAgo: 5 }), ...accessKey(2, { createdDaysAgo: 5 }) }),
      keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 30 })),
      keyUserRow('ci', accessKey(1, { active: false, createdDaysAgo: 300 }), accessKey(2, { createdDaysAgo: 3 })),
      userReportRow('alice'),
    ]);
    const result = await audit([multipleActiveKeys]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['iam.multiple-active-keys']).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails, medium, for a user with both keys active', async () => {
    serveReport(iam, [
      rootReportRow(),
      keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 180, lastUsedDaysAgo: 1 }), accessKey(2, { createdDaysAgo: 20 })),
    ]);
    const result = await audit([multipleActiveKeys]);
    expect(result.findings).toEqual([
      {
        checkId: 'iam.multiple-active-keys',
        severity: 'medium',
        accountId: '123456789012',
        region: 'global',
        resource: { type: 'AWS::IAM::User', id: 'deploy-bot', arn: 'arn:aws:iam::123456789012:user/deploy-bot' },
        message: 'User deploy-bot has 2 active access keys (key 1 created 2026-05-27, last used 2026-11-22; key 2 created 2026-11-03, never used).',
        fingerprint: findingFingerprint({ checkId: 'iam.multiple-active-keys', accountId: '123456789012', region: 'global', resourceId: 'deploy-bot' }),
        details: {
          userName: 'deploy-bot',
          activeKeys: 2,
          key1CreatedAt: daysAgo(180).toISOString(),
          key1LastUsedAt: daysAgo(1).toISOString(),
          key2CreatedAt: daysAgo(20).toISOString(),
          key2LastUsedAt: null,
        },
      },
    ]);
    expect(result.stats.byCheck['iam.multiple-active-keys']).toEqual({ passed: 0, failed: 1, errors: 0 });
  });

  it('keeps one fingerprint per user while both keys stay active, even when one is replaced', async () => {
    serveReport(iam, [rootReportRow(), keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 180 }), accessKey(2, { createdDaysAgo: 20 }))]);
    const before = await audit([multipleActiveKeys]);
    iam.reset();
    serveReport(iam, [rootReportRow(), keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 1 }), accessKey(2, { createdDaysAgo: 20 }))]);
    const after = await audit([multipleActiveKeys]);
    expect(after.findings[0]!.fingerprint).toBe(before.findings[0]!.fingerprint);
  });

  it('has no threshold: two brand-new active keys fail whatever the thresholds', async () => {
    serveReport(iam, [rootReportRow(), keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 0 }), accessKey(2, { createdDaysAgo: 0 }))]);
    const result = await audit([multipleActiveKeys], { thresholds: { accessKeyMaxAgeDays: 365, credentialUnusedDays: 365 } });
    expect(result.findings).toHaveLength(1);
  });

  it('says so when the report gives no creation date for a key', async () => {
    serveReport(iam, [
      rootReportRow(),
      keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 10 }), { access_key_2_active: 'true', access_key_2_last_rotated: 'N/A' }),
    ]);
    const result = await audit([multipleActiveKeys]);
    expect(result.findings[0]!.message).toContain('key 2 created on an unknown date, never used');
    expect(result.findings[0]!.details).toMatchObject({ key2CreatedAt: null });
  });

  it('reports an error, not a pass, when the report cannot be read', async () => {
    iam.on(GenerateCredentialReportCommand).rejects(awsError('AccessDenied', 'not authorized to perform iam:GenerateCredentialReport'));
    const result = await audit([multipleActiveKeys]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: 'iam.multiple-active-keys', region: 'global', code: 'AccessDenied', message: 'not authorized to perform iam:GenerateCredentialReport' },
    ]);
    expect(result.stats.byCheck['iam.multiple-active-keys']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
