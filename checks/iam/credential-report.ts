import type { CredentialReport, CredentialReportRow } from '../../src/audit/datasets/iam.js';

/** The root row; a report without one is malformed, and a check must not pass on it. */
export function rootRow(report: CredentialReport): CredentialReportRow {
  if (!report.root) throw Object.assign(new Error('the credential report has no <root_account> row'), { name: 'MalformedCredentialReport' });
  return report.root;
}
