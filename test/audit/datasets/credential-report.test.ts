import { GenerateCredentialReportCommand, GetCredentialReportCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import accessKeyRotation from '../../../checks/iam/access-key-rotation.js';
import credentialsUnused from '../../../checks/iam/credentials-unused.js';
import multipleActiveKeys from '../../../checks/iam/multiple-active-keys.js';
import rootAccessKeys from '../../../checks/iam/root-access-keys.js';
import rootMfa from '../../../checks/iam/root-mfa.js';
import rootRecentUse from '../../../checks/iam/root-recent-use.js';
import userConsoleMfa from '../../../checks/iam/user-console-mfa.js';
import { parseCredentialReport } from '../../../src/audit/datasets/iam.js';
import { audit, awsError, credentialReportCsv, daysAgo, NOW, rootReportRow, userReportRow } from '../../helpers/aws.js';
import { accessKey, keyUserRow, quotedCredentialReportCsv, reportTime, serveReport } from '../../helpers/credential-report.js';

const iam = mockClient(IAMClient);
const CREDENTIAL_REPORT_CHECKS = [rootMfa, rootAccessKeys, rootRecentUse, userConsoleMfa, accessKeyRotation, credentialsUnused, multipleActiveKeys];
const REPORT = { Content: credentialReportCsv([rootReportRow(), userReportRow('alice')]), GeneratedTime: NOW, ReportFormat: 'text/csv' as const };

/** A sleep that records what it was asked to wait, and waits for nothing. */
function recordingSleep(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

function expectGrowing(delays: number[]): void {
  for (let i = 1; i < delays.length; i++) expect(delays[i]!, `delay ${i}`).toBeGreaterThanOrEqual(delays[i - 1]!);
  expect(delays[delays.length - 1]!).toBeGreaterThan(delays[0]!);
}

describe('the iam.credentialReport dataset', () => {
  beforeEach(() => iam.reset());

  describe('waiting for the report', () => {
    it('polls GenerateCredentialReport with growing backoff until COMPLETE, then reads the report', async () => {
      iam
        .on(GenerateCredentialReportCommand)
        .resolvesOnce({ State: 'STARTED' })
        .resolvesOnce({ State: 'INPROGRESS' })
        .resolvesOnce({ State: 'INPROGRESS' })
        .resolves({ State: 'COMPLETE' });
      iam.on(GetCredentialReportCommand).resolves(REPORT);
      const { delays, sleep } = recordingSleep();
      const result = await audit([rootMfa], { extra: { sleep } });
      expect(result.errors).toEqual([]);
      expect(result.stats.byCheck['iam.root-mfa']).toEqual({ passed: 1, failed: 0, errors: 0 });
      expect(iam.commandCalls(GenerateCredentialReportCommand)).toHaveLength(4);
      expect(iam.commandCalls(GetCredentialReportCommand)).toHaveLength(1);
      expect(delays).toHaveLength(3);
      expect(delays[0]).toBeGreaterThan(0);
      expectGrowing(delays);
    });

    it('does not wait when the report is already COMPLETE', async () => {
      serveReport(iam, [rootReportRow()]);
      const { delays, sleep } = recordingSleep();
      await audit([rootMfa], { extra: { sleep } });
      expect(delays).toEqual([]);
    });

    it('retries GetCredentialReport after CredentialReportNotReadyException, with growing backoff', async () => {
      iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
      iam
        .on(GetCredentialReportCommand)
        .rejectsOnce(awsError('CredentialReportNotReadyException', 'Credential report not ready'))
        .rejectsOnce(awsError('CredentialReportNotReadyException', 'Credential report not ready'))
        .resolves(REPORT);
      const { delays, sleep } = recordingSleep();
      const result = await audit([rootMfa], { extra: { sleep } });
      expect(result.errors).toEqual([]);
      expect(result.stats.byCheck['iam.root-mfa']).toEqual({ passed: 1, failed: 0, errors: 0 });
      expect(iam.commandCalls(GetCredentialReportCommand)).toHaveLength(3);
      expect(delays).toHaveLength(2);
      expectGrowing(delays);
    });

    it('gives up with ReportInProgress, not a hang and not a pass, when the report never completes', async () => {
      iam.on(GenerateCredentialReportCommand).resolves({ State: 'INPROGRESS' });
      const { delays, sleep } = recordingSleep();
      const result = await audit([rootMfa, userConsoleMfa], { extra: { sleep } });
      expect(result.findings).toEqual([]);
      expect(result.errors.map((e) => [e.checkId, e.code])).toEqual([
        ['iam.root-mfa', 'ReportInProgress'],
        ['iam.user-console-mfa', 'ReportInProgress'],
      ]);
      expect(result.errors[0]!.message).toMatch(/still being generated/);
      expect(result.stats.byCheck['iam.root-mfa']).toEqual({ passed: 0, failed: 0, errors: 1 });
      expect(iam.commandCalls(GetCredentialReportCommand)).toHaveLength(0);
      // Bounded: the backoff grows, is capped, and the total wait stays within the two-minute budget.
      expectGrowing(delays);
      expect(Math.max(...delays)).toBeLessThanOrEqual(5_000);
      const waited = delays.reduce((a, b) => a + b, 0);
      expect(waited).toBeLessThanOrEqual(120_000);
      expect(waited).toBeGreaterThan(100_000);
      expect(iam.commandCalls(GenerateCredentialReportCommand)).toHaveLength(delays.length + 1);
    });

    it('gives up with ReportInProgress when GetCredentialReport is never ready', async () => {
      iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
      iam.on(GetCredentialReportCommand).rejects(awsError('CredentialReportNotReadyException', 'Credential report not ready'));
      const { delays, sleep } = recordingSleep();
      const result = await audit([rootMfa], { extra: { sleep } });
      expect(result.findings).toEqual([]);
      expect(result.errors).toEqual([expect.objectContaining({ checkId: 'iam.root-mfa', code: 'ReportInProgress' })]);
      expect(delays.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(120_000);
    });

    it('does not retry other GetCredentialReport errors', async () => {
      iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
      iam.on(GetCredentialReportCommand).rejects(awsError('CredentialReportExpiredException', 'The credential report has expired'));
      const result = await audit([rootMfa]);
      expect(result.errors).toEqual([
        { checkId: 'iam.root-mfa', region: 'global', code: 'CredentialReportExpiredException', message: 'The credential report has expired' },
      ]);
      expect(iam.commandCalls(GetCredentialReportCommand)).toHaveLength(1);
    });
  });

  describe('sharing', () => {
    it('generates and reads the report once for every check that uses it', async () => {
      serveReport(iam, [rootReportRow(), userReportRow('alice'), keyUserRow('deploy-bot', accessKey(1, { createdDaysAgo: 10, lastUsedDaysAgo: 1 }))]);
      const result = await audit(CREDENTIAL_REPORT_CHECKS);
      expect(result.errors).toEqual([]);
      expect(result.findings).toEqual([]);
      expect(iam.commandCalls(GenerateCredentialReportCommand)).toHaveLength(1);
      expect(iam.commandCalls(GetCredentialReportCommand)).toHaveLength(1);
      expect(result.stats.apiCallsByOperation).toMatchObject({ 'iam:GenerateCredentialReport': 1, 'iam:GetCredentialReport': 1 });
    });

    it('polls once for all checks while the report is being generated', async () => {
      iam.on(GenerateCredentialReportCommand).resolvesOnce({ State: 'STARTED' }).resolves({ State: 'COMPLETE' });
      iam.on(GetCredentialReportCommand).resolves(REPORT);
      const { delays, sleep } = recordingSleep();
      const result = await audit(CREDENTIAL_REPORT_CHECKS, { extra: { sleep } });
      expect(result.errors).toEqual([]);
      expect(iam.commandCalls(GenerateCredentialReportCommand)).toHaveLength(2);
      expect(iam.commandCalls(GetCredentialReportCommand)).toHaveLength(1);
      expect(delays).toHaveLength(1);
    });

    it('shares a failure too: one call, an error entry for each check', async () => {
      iam.on(GenerateCredentialReportCommand).rejects(awsError('AccessDenied', 'not authorized to perform iam:GenerateCredentialReport'));
      const result = await audit(CREDENTIAL_REPORT_CHECKS);
      expect(iam.commandCalls(GenerateCredentialReportCommand)).toHaveLength(1);
      expect(result.findings).toEqual([]);
      expect(result.errors.map((e) => e.checkId)).toEqual(CREDENTIAL_REPORT_CHECKS.map((c) => c.id).sort());
      expect(result.errors.every((e) => e.code === 'AccessDenied')).toBe(true);
      for (const check of CREDENTIAL_REPORT_CHECKS) expect(result.stats.byCheck[check.id]).toEqual({ passed: 0, failed: 0, errors: 1 });
    });
  });

  describe('parsing', () => {
    const rows = [
      rootReportRow({
        password_enabled: 'not_supported',
        password_last_used: 'no_information',
        password_last_changed: 'not_supported',
        mfa_active: 'true',
        ...accessKey(1, { active: false, createdDaysAgo: 900, lastUsedDaysAgo: 800 }),
      }),
      userReportRow('ops,admin', {
        mfa_active: 'false',
        password_last_used: 'no_information',
        password_last_changed: reportTime(daysAgo(60)),
        ...accessKey(1, { createdDaysAgo: 30 }),
        access_key_2_last_rotated: 'N/A',
      }),
    ];

    it('reads N/A, no_information and not_supported as "no value", and a quoted user name with a comma', () => {
      const csv = quotedCredentialReportCsv(rows);
      expect(new TextDecoder().decode(csv)).toContain('\n"ops,admin","arn:aws:iam::123456789012:user/ops,admin",');
      const report = parseCredentialReport(csv, NOW);
      expect(report.generatedAt).toEqual(NOW);
      expect(report.root).toMatchObject({
        user: '<root_account>',
        arn: 'arn:aws:iam::123456789012:root',
        passwordEnabled: false,
        passwordLastUsed: null,
        passwordLastChanged: null,
        mfaActive: true,
      });
      expect(report.root!.accessKeys[0]).toEqual({
        slot: 1,
        active: false,
        lastRotated: daysAgo(900),
        lastUsed: daysAgo(800),
        lastUsedRegion: 'us-east-1',
        lastUsedService: 's3',
      });
      expect(report.users).toHaveLength(1);
      const [user] = report.users;
      expect(user).toMatchObject({
        user: 'ops,admin',
        arn: 'arn:aws:iam::123456789012:user/ops,admin',
        userCreationTime: daysAgo(500),
        passwordEnabled: true,
        passwordLastUsed: null,
        passwordLastChanged: daysAgo(60),
        mfaActive: false,
      });
      expect(user!.accessKeys).toEqual([
        { slot: 1, active: true, lastRotated: daysAgo(30), lastUsed: null, lastUsedRegion: null, lastUsedService: null },
        { slot: 2, active: false, lastRotated: null, lastUsed: null, lastUsedRegion: null, lastUsedService: null },
      ]);
    });

    it('carries the quoted user name through an audit as the resource id', async () => {
      iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
      iam.on(GetCredentialReportCommand).resolves({ Content: quotedCredentialReportCsv(rows), GeneratedTime: NOW, ReportFormat: 'text/csv' });
      const result = await audit([userConsoleMfa, credentialsUnused]);
      expect(result.errors).toEqual([]);
      expect(result.findings.map((f) => [f.checkId, f.resource.id])).toEqual([
        ['iam.user-console-mfa', 'ops,admin'],
        ['iam.credentials-unused', 'ops,admin'],
      ]);
      expect(result.findings[0]!.resource.arn).toBe('arn:aws:iam::123456789012:user/ops,admin');
      expect(result.findings[1]!.message).toBe('Console password of user ops,admin has never been used since it was set 2026-09-24, 60 days ago (limit 45).');
    });

    it('rejects a report that lacks required columns', () => {
      const csv = 'user,arn,password_enabled\n<root_account>,arn:aws:iam::123456789012:root,not_supported';
      expect(() => parseCredentialReport(csv, NOW)).toThrow(expect.objectContaining({ name: 'MalformedCredentialReport' }));
    });

    it('rejects a report without a last-used column, instead of reading every credential as never used', () => {
      const full = new TextDecoder().decode(credentialReportCsv([rootReportRow()]));
      const withoutLastUsed = full.replace('password_last_used,', 'password_last_usedX,');
      expect(() => parseCredentialReport(withoutLastUsed, NOW)).toThrow(/lacks the columns password_last_used/);
    });

    it('rejects rows shorter than the header', () => {
      const full = new TextDecoder().decode(credentialReportCsv([rootReportRow()]));
      const truncated = full
        .split('\n')
        .map((line, i) => (i === 1 ? line.split(',').slice(0, 8).join(',') : line))
        .join('\n');
      expect(() => parseCredentialReport(truncated, NOW)).toThrow(expect.objectContaining({ name: 'MalformedCredentialReport' }));
    });

    it('turns an empty GetCredentialReport answer into an error entry', async () => {
      iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
      iam.on(GetCredentialReportCommand).resolves({});
      const result = await audit([rootMfa]);
      expect(result.findings).toEqual([]);
      expect(result.errors).toEqual([expect.objectContaining({ checkId: 'iam.root-mfa', code: 'MalformedCredentialReport' })]);
    });
  });
});
