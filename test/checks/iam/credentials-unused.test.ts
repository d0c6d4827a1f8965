import { GenerateCredentialReportCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import credentialsUnused from '../../../checks/iam/credentials-unused.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError, daysAgo, NOW, rootReportRow, userReportRow } from '../../helpers/aws.js';
import { accessKey, keyUserRow, reportTime, serveReport } from '../../helpers/credential-report.js';

const iam = mockClient(IAMClient);
const DAY_MS = 86_400_000;
const fingerprint = (resourceId: string, subKey: string) =>
  findingFingerprint({ checkId: 'iam.credentials-unused', accountId: '123456789012', region: 'global', resourceId, subKey });

describe('iam.credentials-unused', () => {
  beforeEach(() => iam.reset());

  it('declares the deactivate-access-key fix', () => {
    expect(credentialsUnused.fix).toBe('iam.deactivate-access-key');
  });

  it('passes recently used passwords and keys, and young never-used keys; the root user is left out', async () => {
    serveReport(iam, [
      rootReportRow({ password_last_used: reportTime(daysAgo(400)), ...accessKey(1, { createdDaysAgo: 900 }) }),
      userReportRow('alice', { ...accessKey(1, { createdDaysAgo: 300, lastUsedDaysAgo: 1 }) }),
      keyUserRow('fresh-bot', accessKey(2, { createdDaysAgo: 10 })),
      keyUserRow('retired-bot', accessKey(1, { active: false, createdDaysAgo: 900, lastUsedDaysAgo: 800 })),
    ]);
    const result = await audit([credentialsUnused]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    // alice's password and key, fresh-bot's key.
    expect(result.stats.byCheck['iam.credentials-unused']).toEqual({ passed: 3, failed: 0, errors: 0 });
  });

  it('fails, medium, for an active key last used too long ago', async () => {
    serveReport(iam, [rootReportRow(), keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 412, lastUsedDaysAgo: 100 }))]);
    const result = await audit([credentialsUnused]);
    const createdAt = daysAgo(412).toISOString();
    expect(result.findings).toEqual([
      {
        checkId: 'iam.credentials-unused',
        severity: 'medium',
        accountId: '123456789012',
        region: 'global',
        resource: { type: 'AWS::IAM::AccessKey', id: 'deploy-bot/access-key-1', arn: 'arn:aws:iam::123456789012:user/deploy-bot' },
        message: 'Access key 1 of user deploy-bot (created 2025-10-07) was last used 2026-08-15, 100 days ago (limit 45).',
        fix: 'iam.deactivate-access-key',
        fingerprint: fingerprint('deploy-bot/access-key-1', createdAt),
        details: {
          userName: 'deploy-bot',
          keySlot: 1,
          keyCreatedAt: createdAt,
          ageDays: 412,
          lastUsedAt: daysAgo(100).toISOString(),
          unusedDays: 100,
        },
      },
    ]);
  });

  it('ages a never-used key from its creation', async () => {
    serveReport(iam, [rootReportRow(), keyUserRow('ci', accessKey(2, { createdDaysAgo: 60 }))]);
    const result = await audit([credentialsUnused]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      resource: { type: 'AWS::IAM::AccessKey', id: 'ci/access-key-2' },
      message: 'Access key 2 of user ci (created 2026-09-24) has never been used in its 60 days (limit 45).',
      details: { keySlot: 2, ageDays: 60, unusedDays: 60, lastUsedAt: null },
    });
  });

  it('fails for a console password last used too long ago, with sub-key password', async () => {
    serveReport(iam, [rootReportRow(), userReportRow('alice', { password_last_used: reportTime(daysAgo(50)) })]);
    const result = await audit([credentialsUnused]);
    expect(result.findings).toEqual([
      {
        checkId: 'iam.credentials-unused',
        severity: 'medium',
        accountId: '123456789012',
        region: 'global',
        resource: { type: 'AWS::IAM::User', id: 'alice', arn: 'arn:aws:iam::123456789012:user/alice' },
        message: 'Console password of user alice was last used 2026-10-04, 50 days ago (limit 45).',
        fingerprint: fingerprint('alice', 'password'),
        details: {
          userName: 'alice',
          passwordLastUsedAt: daysAgo(50).toISOString(),
          passwordLastChangedAt: daysAgo(60).toISOString(),
          userCreatedAt: daysAgo(500).toISOString(),
          unusedDays: 50,
        },
      },
    ]);
    // Deactivating an access key does not remove a password: no fix is offered.
    expect(result.findings[0]!.fix).toBeUndefined();
  });

  it('ages a never-used password from when it was set, else from the user creation', async () => {
    serveReport(iam, [
      rootReportRow(),
      userReportRow('bob', { password_last_used: 'no_information', password_last_changed: reportTime(daysAgo(70)) }),
      userReportRow('carol', { password_last_used: 'no_information', password_last_changed: 'N/A', user_creation_time: reportTime(daysAgo(100)) }),
      userReportRow('dave', { password_last_used: 'no_information', password_last_changed: reportTime(daysAgo(3)) }),
    ]);
    const result = await audit([credentialsUnused]);
    expect(result.findings.map((f) => f.message)).toEqual([
      'Console password of user bob has never been used since it was set 2026-09-14, 70 days ago (limit 45).',
      'Console password of user carol has never been used since the user was created 2026-08-15, 100 days ago (limit 45).',
    ]);
    expect(result.stats.byCheck['iam.credentials-unused']).toEqual({ passed: 1, failed: 2, errors: 0 });
  });

  it('reports the password and each key of one user as separate findings', async () => {
    serveReport(iam, [
      rootReportRow(),
      userReportRow('erin', {
        password_last_used: reportTime(daysAgo(90)),
        ...accessKey(1, { createdDaysAgo: 200, lastUsedDaysAgo: 80 }),
        ...accessKey(2, { createdDaysAgo: 200 }),
      }),
    ]);
    const result = await audit([credentialsUnused]);
    expect(result.findings.map((f) => f.resource.id).sort()).toEqual(['erin', 'erin/access-key-1', 'erin/access-key-2']);
    expect(new Set(result.findings.map((f) => f.fingerprint)).size).toBe(3);
  });

  it('fails a credential unused exactly credentialUnusedDays, passes one a day fresher', async () => {
    serveReport(iam, [
      rootReportRow(),
      userReportRow('alice', { password_last_used: reportTime(daysAgo(45)), ...accessKey(1, { createdDaysAgo: 300, lastUsedDaysAgo: 44 }) }),
      keyUserRow('ci', accessKey(1, { createdDaysAgo: 45 })),
      keyUserRow('cd', accessKey(1, { createdDaysAgo: 44 })),
    ]);
    const result = await audit([credentialsUnused]);
    expect(result.findings.map((f) => f.resource.id).sort()).toEqual(['alice', 'ci/access-key-1']);
    expect(result.stats.byCheck['iam.credentials-unused']).toEqual({ passed: 2, failed: 2, errors: 0 });
  });

  it('uses thresholds.credentialUnusedDays', async () => {
    serveReport(iam, [rootReportRow(), userReportRow('alice', { password_last_used: reportTime(daysAgo(50)) })]);
    expect((await audit([credentialsUnused], { thresholds: { credentialUnusedDays: 90 } })).findings).toEqual([]);
    const strict = await audit([credentialsUnused], { thresholds: { credentialUnusedDays: 10 } });
    expect(strict.findings[0]!.message).toBe('Console password of user alice was last used 2026-10-04, 50 days ago (limit 10).');
  });

  it('keeps the fingerprint of the same key on a later day, and gives a rotated key a new one', async () => {
    serveReport(iam, [rootReportRow(), keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 200, lastUsedDaysAgo: 60 }))]);
    const first = (await audit([credentialsUnused])).findings[0]!;
    const later = new Date(NOW.getTime() + 10 * DAY_MS);
    iam.reset();
    serveReport(iam, [rootReportRow(), keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 210, lastUsedDaysAgo: 70, from: later }))]);
    const sameKey = (await audit([credentialsUnused], { now: later })).findings[0]!;
    expect(sameKey.details).toMatchObject({ unusedDays: 70 });
    expect(sameKey.fingerprint).toBe(first.fingerprint);
    iam.reset();
    serveReport(iam, [rootReportRow(), keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 50, from: later }))]);
    const rotated = (await audit([credentialsUnused], { now: later })).findings[0]!;
    expect(rotated.resource.id).toBe(first.resource.id);
    expect(rotated.fingerprint).not.toBe(first.fingerprint);
  });

  it('reports an error, not a pass, when an active key has no creation date', async () => {
    serveReport(iam, [rootReportRow(), keyUserRow('deploy-bot', { access_key_2_active: 'true', access_key_2_last_rotated: 'N/A' })]);
    const result = await audit([credentialsUnused]);
    expect(result.findings).toEqual([]);
    expect(result.errors[0]).toMatchObject({ checkId: 'iam.credentials-unused', code: 'MalformedCredentialReport' });
    expect(result.stats.byCheck['iam.credentials-unused']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });

  it('reports an error, not a pass, when the report cannot be read', async () => {
    iam.on(GenerateCredentialReportCommand).rejects(awsError('AccessDenied', 'not authorized to perform iam:GenerateCredentialReport'));
    const result = await audit([credentialsUnused]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: 'iam.credentials-unused', region: 'global', code: 'AccessDenied', message: 'not authorized to perform iam:GenerateCredentialReport' },
    ]);
    expect(result.stats.byCheck['iam.credentials-unused']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
