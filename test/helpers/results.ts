/** Findings and audit results written by hand, for the tests of what renders them (terminal formats, exports). */
import type { AuditResult, Finding } from '../../src/audit/types.js';

/** A global IAM-user finding of account 123456789012, its fingerprint made from check and resource. */
export function handFinding(checkId: string, severity: Finding['severity'], id: string, message: string, extra: Partial<Finding> = {}): Finding {
  return {
    checkId,
    severity,
    accountId: '123456789012',
    region: 'global',
    resource: { type: 'AWS::IAM::User', id },
    message,
    fingerprint: `${checkId}-${id}`.padEnd(32, '0').slice(0, 32),
    details: {},
    ...extra,
  };
}

/** An audit of account 123456789012 ("prod") that ran three IAM checks, started 2026-12-03 09:00 UTC. */
export function handResult(findings: Finding[], errors: AuditResult['errors'] = [], regions: string[] = ['global']): AuditResult {
  return {
    account: { alias: 'prod', accountId: '123456789012' },
    startedAt: '2026-12-03T09:00:00.000Z',
    findings,
    errors,
    scope: { checkIds: ['iam.root-mfa', 'iam.user-console-mfa', 'iam.password-policy'], regions, skippedRegions: [] },
    stats: { durationMs: 1, apiCalls: 1, apiCallsByOperation: {}, httpAttempts: 1, retries: 0, checksRun: 3, byCheck: {} },
  };
}
