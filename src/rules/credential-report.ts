import type { AccessKeySlot, CredentialReport, CredentialReportRow } from '../audit/datasets/iam.js';
import { namedError } from '../errors.js';
import type { DetailValue, ResourceRef } from '../audit/types.js';

/** The error for a report AWS would not write: the runner reports it, no check passes on it. */
export function malformedReport(message: string): Error {
  return namedError('MalformedCredentialReport', message);
}

/** The root row; a report without one is malformed, and a check must not pass on it. */
export function rootRow(report: CredentialReport): CredentialReportRow {
  if (!report.root) throw malformedReport('the credential report has no <root_account> row');
  return report.root;
}

/** The row's active access keys, slot 1 first. */
export function activeAccessKeys(row: CredentialReportRow): AccessKeySlot[] {
  return row.accessKeys.filter((key) => key.active);
}

/**
 * When the key in this slot was created. AWS always writes it for a key that
 * exists; without it no age can be judged, and guessing would be a silent pass.
 */
export function accessKeyCreatedAt(row: CredentialReportRow, key: AccessKeySlot): Date {
  if (!key.lastRotated) throw malformedReport(`the credential report gives no creation date for access key ${key.slot} of user ${row.user}`);
  return key.lastRotated;
}

/** One access key slot of a user; the report carries no key ids, so the slot names it. */
export function accessKeyResource(row: CredentialReportRow, key: AccessKeySlot): ResourceRef {
  return { type: 'AWS::IAM::AccessKey', id: `${row.user}/access-key-${key.slot}`, arn: row.arn };
}

export function userResource(row: CredentialReportRow): ResourceRef {
  return { type: 'AWS::IAM::User', id: row.user, arn: row.arn };
}

export function rootResource(row: CredentialReportRow): ResourceRef {
  return { type: 'AWS::IAM::Root', id: 'root', arn: row.arn };
}

export function isoOrNull(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

/** `1 day`, `12 days`: figures for one-line messages. */
export function days(count: number): string {
  return `${count} ${count === 1 ? 'day' : 'days'}`;
}

/** The facts an access-key finding carries; the remediation action finds the key by user and creation time. */
export function accessKeyDetails(row: CredentialReportRow, key: AccessKeySlot, createdAt: Date, ageDays: number): Record<string, DetailValue> {
  return {
    userName: row.user,
    keySlot: key.slot,
    keyCreatedAt: createdAt.toISOString(),
    ageDays,
    lastUsedAt: isoOrNull(key.lastUsed),
  };
}
