import { GenerateCredentialReportCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import userConsoleMfa from '../../../checks/iam/user-console-mfa.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError, daysAgo, rootReportRow, userReportRow } from '../../helpers/aws.js';
import { accessKey, keyUserRow, reportTime, serveReport } from '../../helpers/credential-report.js';

const iam = mockClient(IAMClient);

describe('iam.user-console-mfa', () => {
  beforeEach(() => iam.reset());

  it('passes each user with a console password and MFA; users without a password are not evaluated', async () => {
    serveReport(iam, [
      rootReportRow({ mfa_active: 'false' }),
      userReportRow('alice'),
      userReportRow('bob'),
      keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 10 })),
    ]);
    const result = await audit([userConsoleMfa]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['iam.user-console-mfa']).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails, high, for a user with a console password and no MFA', async () => {
    serveReport(iam, [rootReportRow(), userReportRow('alice'), userReportRow('carol', { mfa_active: 'false', password_last_used: reportTime(daysAgo(1)) })]);
    const result = await audit([userConsoleMfa]);
    expect(result.findings).toEqual([
      {
        checkId: 'iam.user-console-mfa',
        severity: 'high',
        accountId: '123456789012',
        region: 'global',
        resource: { type: 'AWS::IAM::User', id: 'carol', arn: 'arn:aws:iam::123456789012:user/carol' },
        message: 'User carol has a console password but no MFA device (last signed in 2026-11-22).',
        fingerprint: findingFingerprint({ checkId: 'iam.user-console-mfa', accountId: '123456789012', region: 'global', resourceId: 'carol' }),
        details: { userName: 'carol', passwordLastUsedAt: daysAgo(1).toISOString(), passwordLastChangedAt: daysAgo(60).toISOString() },
      },
    ]);
    expect(result.stats.byCheck['iam.user-console-mfa']).toEqual({ passed: 1, failed: 1, errors: 0 });
  });

  it('says so when the user never signed in', async () => {
    serveReport(iam, [rootReportRow(), userReportRow('dave', { mfa_active: 'false', password_last_used: 'no_information' })]);
    const result = await audit([userConsoleMfa]);
    expect(result.findings[0]!.message).toBe('User dave has a console password but no MFA device (never signed in).');
    expect(result.findings[0]!.details).toMatchObject({ passwordLastUsedAt: null });
  });

  it('carries user names raw, as AWS wrote them', async () => {
    serveReport(iam, [rootReportRow(), userReportRow('ops+oncall=1@example.com', { mfa_active: 'false' })]);
    const result = await audit([userConsoleMfa]);
    expect(result.findings[0]!.resource.id).toBe('ops+oncall=1@example.com');
    expect(result.findings[0]!.message).toContain('User ops+oncall=1@example.com has');
  });

  it('judges only password_enabled true (no threshold applies): a user without a password and without MFA is not evaluated', async () => {
    serveReport(iam, [rootReportRow(), userReportRow('erin', { password_enabled: 'false', password_last_used: 'N/A', mfa_active: 'false' })]);
    const result = await audit([userConsoleMfa], { thresholds: { credentialUnusedDays: 1 } });
    expect(result.findings).toEqual([]);
    expect(result.stats.byCheck['iam.user-console-mfa']).toEqual({ passed: 0, failed: 0, errors: 0 });
  });

  it('keeps the fingerprint of a user across scans', async () => {
    serveReport(iam, [rootReportRow(), userReportRow('carol', { mfa_active: 'false', password_last_used: reportTime(daysAgo(1)) })]);
    const before = await audit([userConsoleMfa]);
    iam.reset();
    serveReport(iam, [rootReportRow(), userReportRow('carol', { mfa_active: 'false', password_last_used: reportTime(daysAgo(0)) })]);
    const after = await audit([userConsoleMfa]);
    expect(after.findings[0]!.fingerprint).toBe(before.findings[0]!.fingerprint);
  });

  it('reports an error, not a pass, when the report cannot be read', async () => {
    iam.on(GenerateCredentialReportCommand).rejects(awsError('AccessDenied', 'not authorized to perform iam:GenerateCredentialReport'));
    const result = await audit([userConsoleMfa]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: 'iam.user-console-mfa', region: 'global', code: 'AccessDenied', message: 'not authorized to perform iam:GenerateCredentialReport' },
    ]);
    expect(result.stats.byCheck['iam.user-console-mfa']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
