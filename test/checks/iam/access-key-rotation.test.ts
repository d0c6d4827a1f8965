import { GenerateCredentialReportCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import accessKeyRotation from '../../../checks/iam/access-key-rotation.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError, daysAgo, NOW, rootReportRow } from '../../helpers/aws.js';
import { accessKey, keyUserRow, serveReport } from '../../helpers/credential-report.js';

const iam = mockClient(IAMClient);
const DAY_MS = 86_400_000;

describe('iam.access-key-rotation', () => {
  beforeEach(() => iam.reset());

  it('declares the deactivate-access-key fix', () => {
    expect(accessKeyRotation.fix).toBe('iam.deactivate-access-key');
  });

  it('passes every active key younger than the limit; inactive keys are not evaluated', async () => {
    serveReport(iam, [
      rootReportRow({ ...accessKey(1, { createdDaysAgo: 900 }) }),
      keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 30, lastUsedDaysAgo: 1 }), accessKey(2, { createdDaysAgo: 2 })),
      keyUserRow('old-bot', accessKey(1, { active: false, createdDaysAgo: 800, lastUsedDaysAgo: 700 })),
    ]);
    const result = await audit([accessKeyRotation]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck['iam.access-key-rotation']).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails, medium, for an active key older than the limit, naming slot, user, creation day and age', async () => {
    serveReport(iam, [
      rootReportRow(),
      keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 412, lastUsedDaysAgo: 2 }), accessKey(2, { createdDaysAgo: 10 })),
    ]);
    const result = await audit([accessKeyRotation]);
    const createdAt = daysAgo(412).toISOString();
    expect(result.findings).toEqual([
      {
        checkId: 'iam.access-key-rotation',
        severity: 'medium',
        accountId: '123456789012',
        region: 'global',
        resource: { type: 'AWS::IAM::AccessKey', id: 'deploy-bot/access-key-1', arn: 'arn:aws:iam::123456789012:user/deploy-bot' },
        message: 'Access key 1 of user deploy-bot (created 2025-10-07) is 412 days old (limit 90).',
        fix: 'iam.deactivate-access-key',
        fingerprint: findingFingerprint({
          checkId: 'iam.access-key-rotation',
          accountId: '123456789012',
          region: 'global',
          resourceId: 'deploy-bot/access-key-1',
          subKey: createdAt,
        }),
        details: { userName: 'deploy-bot', keySlot: 1, keyCreatedAt: createdAt, ageDays: 412, lastUsedAt: daysAgo(2).toISOString() },
      },
    ]);
    expect(result.stats.byCheck['iam.access-key-rotation']).toEqual({ passed: 1, failed: 1, errors: 0 });
  });

  it('reports a never-used old key with lastUsedAt null', async () => {
    serveReport(iam, [rootReportRow(), keyUserRow('ci', accessKey(2, { createdDaysAgo: 100 }))]);
    const result = await audit([accessKeyRotation]);
    expect(result.findings[0]!.resource.id).toBe('ci/access-key-2');
    expect(result.findings[0]!.details).toMatchObject({ keySlot: 2, ageDays: 100, lastUsedAt: null });
  });

  it('passes a key exactly accessKeyMaxAgeDays old and fails it one day later', async () => {
    serveReport(iam, [rootReportRow(), keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 90 }))]);
    expect((await audit([accessKeyRotation])).findings).toEqual([]);
    iam.reset();
    serveReport(iam, [rootReportRow(), keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 91 }))]);
    const result = await audit([accessKeyRotation]);
    expect(result.findings[0]!.message).toBe('Access key 1 of user deploy-bot (created 2026-08-24) is 91 days old (limit 90).');
  });

  it('uses thresholds.accessKeyMaxAgeDays', async () => {
    serveReport(iam, [rootReportRow(), keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 31 }))]);
    expect((await audit([accessKeyRotation])).findings).toEqual([]);
    const strict = await audit([accessKeyRotation], { thresholds: { accessKeyMaxAgeDays: 30 } });
    expect(strict.findings[0]!.message).toBe('Access key 1 of user deploy-bot (created 2026-10-23) is 31 days old (limit 30).');
    const lenient = await audit([accessKeyRotation], { thresholds: { accessKeyMaxAgeDays: 31 } });
    expect(lenient.findings).toEqual([]);
  });

  it('keeps the fingerprint of the same key on a later day, and gives a rotated key a new one', async () => {
    serveReport(iam, [rootReportRow(), keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 200 }))]);
    const first = (await audit([accessKeyRotation])).findings[0]!;

    // Same key ten days later: older, same creation time.
    const later = new Date(NOW.getTime() + 10 * DAY_MS);
    iam.reset();
    serveReport(iam, [rootReportRow(), keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 210, from: later }))]);
    const sameKey = (await audit([accessKeyRotation], { now: later })).findings[0]!;
    expect(sameKey.details).toMatchObject({ ageDays: 210, keyCreatedAt: first.details!.keyCreatedAt });
    expect(sameKey.fingerprint).toBe(first.fingerprint);

    // Rotated in the same slot, and the new key has grown old too: a new problem.
    iam.reset();
    serveReport(iam, [rootReportRow(), keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 100, from: later }))]);
    const rotated = (await audit([accessKeyRotation], { now: later })).findings[0]!;
    expect(rotated.resource.id).toBe(first.resource.id);
    expect(rotated.fingerprint).not.toBe(first.fingerprint);
  });

  it('gives each slot of a user its own finding', async () => {
    serveReport(iam, [rootReportRow(), keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 300 }), accessKey(2, { createdDaysAgo: 300 }))]);
    const result = await audit([accessKeyRotation]);
    expect(result.findings.map((f) => f.resource.id).sort()).toEqual(['deploy-bot/access-key-1', 'deploy-bot/access-key-2']);
    expect(new Set(result.findings.map((f) => f.fingerprint)).size).toBe(2);
  });

  it('reports an error, not a pass, when an active key has no creation date', async () => {
    serveReport(iam, [rootReportRow(), keyUserRow('deploy-bot', { access_key_1_active: 'true', access_key_1_last_rotated: 'N/A' })]);
    const result = await audit([accessKeyRotation]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      {
        checkId: 'iam.access-key-rotation',
        region: 'global',
        code: 'MalformedCredentialReport',
        message: 'the credential report gives no creation date for access key 1 of user deploy-bot',
      },
    ]);
    expect(result.stats.byCheck['iam.access-key-rotation']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });

  it('reports an error, not a pass, when the report cannot be read', async () => {
    iam.on(GenerateCredentialReportCommand).rejects(awsError('AccessDenied', 'not authorized to perform iam:GenerateCredentialReport'));
    const result = await audit([accessKeyRotation]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: 'iam.access-key-rotation', region: 'global', code: 'AccessDenied', message: 'not authorized to perform iam:GenerateCredentialReport' },
    ]);
    expect(result.stats.byCheck['iam.access-key-rotation']).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
