import type { DBSnapshotAttribute } from '@aws-sdk/client-rds';
import { awsErrorCode, malformedResponse } from '../errors.js';

/**
 * What RDS says of a snapshot's `restore` attribute, for the audit's reads
 * and the fix's prechecks alike.
 */

/** The error codes of a snapshot that no longer exists (the query code, or the SDK's exception name). */
const SNAPSHOT_GONE = new Set(['DBSnapshotNotFound', 'DBSnapshotNotFoundFault', 'DBClusterSnapshotNotFoundFault']);

export function isSnapshotGone(error: unknown): boolean {
  return SNAPSHOT_GONE.has(awsErrorCode(error) ?? '');
}

/**
 * The `restore` values (account ids, `all` when public) of an attribute
 * answer. An answer without the attribute is not "shared with nobody": it is
 * not trusted.
 */
export function restoreValues(attributes: readonly DBSnapshotAttribute[] | undefined, what: string): string[] {
  const restore = attributes?.find((a) => a.AttributeName === 'restore');
  if (!restore) throw malformedResponse(`${what} returned no restore attribute`);
  return restore.AttributeValues ?? [];
}
