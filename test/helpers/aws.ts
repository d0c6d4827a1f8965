import { CREDENTIAL_REPORT_COLUMNS } from '../../src/audit/datasets/iam.js';
import { RoleSessions } from '../../src/aws/session.js';
import { runAudit, type RunAuditOptions } from '../../src/audit/runner.js';
import { DEFAULT_THRESHOLDS, type AccountConfig, type Thresholds } from '../../src/config.js';
import type { AuditResult, Check } from '../../src/audit/types.js';

export const ACCOUNT: AccountConfig = {
  alias: 'sandbox',
  accountId: '123456789012',
  roleArn: 'arn:aws:iam::123456789012:role/AuditReadOnly',
  regions: ['us-east-1'],
};

export const NOW = new Date('2026-11-23T12:00:00Z');

export function daysAgo(days: number, from: Date = NOW): Date {
  return new Date(from.getTime() - days * 86_400_000);
}

/** An SDK v3 service exception as the clients throw it. */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

/** Role sessions whose STS answers with fixed credentials (and counts calls). */
export function fakeSessions(): RoleSessions {
  return new RoleSessions(
    () =>
      ({
        send: async () => ({
          Credentials: {
            AccessKeyId: 'ASIAFAKEFAKEFAKEFAKE',
            SecretAccessKey: 'secret',
            SessionToken: 'token',
            Expiration: new Date(Date.now() + 3_600_000),
          },
        }),
      }) as never,
  );
}

export interface AuditOptions {
  thresholds?: Partial<Thresholds>;
  account?: Partial<AccountConfig>;
  now?: Date;
  concurrency?: number;
  onlyRegions?: string[];
  extra?: Partial<RunAuditOptions>;
}

/**
 * Runs checks through the real runner, inventory and SDK clients; the test
 * mocks the SDK clients with aws-sdk-client-mock. Sleeps are instant.
 */
export function audit(checks: readonly Check[], options: AuditOptions = {}): Promise<AuditResult> {
  return runAudit({
    account: { ...ACCOUNT, ...options.account },
    checks,
    thresholds: { ...DEFAULT_THRESHOLDS, ...options.thresholds },
    concurrency: options.concurrency ?? 8,
    sessions: fakeSessions(),
    sessionName: 'aws-audit-bot-test',
    now: () => options.now ?? NOW,
    sleep: async () => undefined,
    ...(options.onlyRegions ? { onlyRegions: options.onlyRegions } : {}),
    ...options.extra,
  });
}

export const REPORT_COLUMNS = CREDENTIAL_REPORT_COLUMNS;

export type ReportRow = Partial<Record<(typeof REPORT_COLUMNS)[number], string>>;

/** A root row as AWS writes it for a root with MFA, no keys, password used long ago. */
export function rootReportRow(overrides: ReportRow = {}): ReportRow {
  return {
    user: '<root_account>',
    arn: 'arn:aws:iam::123456789012:root',
    user_creation_time: '2019-01-01T00:00:00+00:00',
    password_enabled: 'not_supported',
    password_last_used: daysAgo(400).toISOString(),
    password_last_changed: 'not_supported',
    password_next_rotation: 'not_supported',
    mfa_active: 'true',
    access_key_1_active: 'false',
    access_key_2_active: 'false',
    ...overrides,
  };
}

/** A user row: console password used yesterday with MFA, no keys, unless overridden. */
export function userReportRow(user: string, overrides: ReportRow = {}): ReportRow {
  return {
    user,
    arn: `arn:aws:iam::123456789012:user/${user}`,
    user_creation_time: daysAgo(500).toISOString(),
    password_enabled: 'true',
    password_last_used: daysAgo(1).toISOString(),
    password_last_changed: daysAgo(60).toISOString(),
    password_next_rotation: 'N/A',
    mfa_active: 'true',
    access_key_1_active: 'false',
    access_key_2_active: 'false',
    ...overrides,
  };
}

/** The CSV bytes GetCredentialReport returns; missing cells are N/A as in the real report. */
export function credentialReportCsv(rows: ReportRow[]): Uint8Array {
  const lines = [REPORT_COLUMNS.join(','), ...rows.map((row) => REPORT_COLUMNS.map((c) => row[c] ?? 'N/A').join(','))];
  return new TextEncoder().encode(lines.join('\n'));
}
