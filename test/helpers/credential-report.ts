import { GenerateCredentialReportCommand, GetCredentialReportCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { AuditResult, Finding } from '../../src/audit/types.js';
import { credentialReportCsv, daysAgo, NOW, REPORT_COLUMNS, userReportRow, type ReportRow } from './aws.js';

/** A time as the credential report writes it: `2026-11-20T12:00:00+00:00`. */
export function reportTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** Answers GenerateCredentialReport with COMPLETE and GetCredentialReport with these rows. */
export function serveReport(iam: AwsClientStub<IAMClient>, rows: ReportRow[]): void {
  iam.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });
  iam.on(GetCredentialReportCommand).resolves({ Content: credentialReportCsv(rows), GeneratedTime: NOW, ReportFormat: 'text/csv' });
}

export interface KeyOptions {
  active?: boolean;
  createdDaysAgo: number;
  /** Days since last use; null (default) = never used. */
  lastUsedDaysAgo?: number | null;
  /** The clock the days count back from (default NOW). */
  from?: Date;
}

/** The report columns of one access key slot. */
export function accessKey(slot: 1 | 2, options: KeyOptions): ReportRow {
  const from = options.from ?? NOW;
  const used = options.lastUsedDaysAgo ?? null;
  return {
    [`access_key_${slot}_active`]: options.active === false ? 'false' : 'true',
    [`access_key_${slot}_last_rotated`]: reportTime(daysAgo(options.createdDaysAgo, from)),
    [`access_key_${slot}_last_used_date`]: used === null ? 'N/A' : reportTime(daysAgo(used, from)),
    [`access_key_${slot}_last_used_region`]: used === null ? 'N/A' : 'us-east-1',
    [`access_key_${slot}_last_used_service`]: used === null ? 'N/A' : 's3',
  };
}

/** A user without a console password (programmatic access only), with these key columns. */
export function keyUserRow(user: string, ...keys: ReportRow[]): ReportRow {
  return userReportRow(user, {
    password_enabled: 'false',
    password_last_used: 'N/A',
    password_last_changed: 'N/A',
    mfa_active: 'false',
    ...Object.assign({}, ...keys),
  });
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The CSV bytes with RFC 4180 quoting where a cell needs it (IAM user names may contain commas). */
export function quotedCredentialReportCsv(rows: ReportRow[]): Uint8Array {
  const lines = [REPORT_COLUMNS.join(','), ...rows.map((row) => REPORT_COLUMNS.map((c) => csvCell(row[c] ?? 'N/A')).join(','))];
  return new TextEncoder().encode(lines.join('\n'));
}

/** The findings of one check, for audits that run several. */
export function findingsOf(result: AuditResult, checkId: string): Finding[] {
  return result.findings.filter((f) => f.checkId === checkId);
}
