import { createHash } from 'node:crypto';

export interface FingerprintParts {
  checkId: string;
  accountId: string;
  region: string;
  resourceId: string;
  subKey?: string | undefined;
}

/**
 * Identifies "the same problem" across scans: nothing volatile (no message,
 * no day counts, no severity) goes in, so new and resolved mean something.
 */
export function findingFingerprint(parts: FingerprintParts): string {
  const material = JSON.stringify([parts.checkId, parts.accountId, parts.region, parts.resourceId, parts.subKey ?? '']);
  return createHash('sha256').update(material).digest('hex').slice(0, 32);
}
