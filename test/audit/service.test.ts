import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.js';
import type { RunAuditOptions } from '../../src/audit/runner.js';
import type { AuditResult } from '../../src/audit/types.js';
import { DEFAULT_THRESHOLDS, type AccountConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { AuditService } from '../../src/audit/service.js';
import { fakeSessions } from '../helpers/aws.js';

const us: AccountConfig = { alias: 'prod-us', accountId: '123456789012', roleArn: 'arn:aws:iam::123456789012:role/A', regions: ['us-east-1'] };
const eu: AccountConfig = { ...us, alias: 'prod-eu', regions: ['eu-west-1'] };

function service(onFinished?: (result: AuditResult, account: AccountConfig) => Promise<{ scanId: string } | undefined>) {
  const runs: RunAuditOptions[] = [];
  const audits = new AuditService({
    sessions: fakeSessions(),
    thresholds: DEFAULT_THRESHOLDS,
    concurrency: 2,
    logger: createLogger({ format: 'json', level: 'silent' }),
    ...(onFinished ? { onFinished } : {}),
    run: async (options) => {
      runs.push(options);
      await new Promise((r) => setTimeout(r, 20));
      return {
        account: options.account,
        startedAt: '2026-11-23T12:00:00.000Z',
        findings: [],
        errors: [],
        scope: { checkIds: [], regions: [], skippedRegions: [] },
        stats: { durationMs: 1, apiCalls: 1, apiCallsByOperation: {}, httpAttempts: 0, retries: 0, checksRun: 1, byCheck: {} },
      } as AuditResult;
    },
  });
  return { audits, runs };
}

describe('AuditService', () => {
  it('shares a run for the same alias and checks, not for two aliases of one account id', async () => {
    const { audits, runs } = service();
    const a = audits.start(us, ALL_CHECKS, 'U1');
    const b = audits.start(us, ALL_CHECKS, 'U2');
    const c = audits.start(eu, ALL_CHECKS, 'U3');
    const d = audits.start(
      us,
      ALL_CHECKS.filter((x) => x.service === 's3'),
      'U4',
    );
    expect([a.joined, b.joined, c.joined, d.joined]).toEqual([false, true, false, false]);
    expect(b.run).toBe(a.run);
    expect(a.run.requesters).toEqual(['U1', 'U2']);
    await Promise.all([a.run.result, c.run.result, d.run.result]);
    expect(runs.map((r) => [r.account.alias, r.account.regions])).toEqual([
      ['prod-us', ['us-east-1']],
      ['prod-eu', ['eu-west-1']],
      ['prod-us', ['us-east-1']],
    ]);
    expect(audits.list()).toEqual([]);
  });

  it('names the AssumeRole session after the requester, or digest for the scheduled scan', async () => {
    const { audits, runs } = service();
    await audits.start(us, ALL_CHECKS, 'U0ALICE01').run.result;
    await audits.start(eu, ALL_CHECKS, 'digest').run.result;
    expect(runs.map((r) => r.sessionName)).toEqual(['aws-audit-bot@slack-U0ALICE01', 'aws-audit-bot@digest']);
  });

  it('lets the history record a finished audit before anyone sees it; a failed record fails the audit', async () => {
    const recorded: string[] = [];
    const ok = service(async (_result, account) => {
      recorded.push(account.alias);
      return { scanId: `scan-${recorded.length}` };
    });
    const { run } = ok.audits.start(us, ALL_CHECKS, 'U1');
    const result = await run.result;
    expect(result.account.alias).toBe('prod-us');
    expect(recorded).toEqual(['prod-us']);
    // The scan id is there by the time the result is.
    expect(run.scanId).toBe('scan-1');
    const broken = service(async () => {
      throw new Error('disk full');
    });
    await expect(broken.audits.start(us, ALL_CHECKS, 'U1').run.result).rejects.toThrow('disk full');
    expect(broken.audits.list()).toEqual([]);
  });
});
