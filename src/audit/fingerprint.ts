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

/**
 * Identifies "this check could not check this there" across scans, the way
 * a fingerprint identifies a finding (for outputs that list what could not
 * be checked beside the findings: OCSF, Security Hub). Never equal to a
 * finding's fingerprint.
 */
export function errorFingerprint(error: { checkId: string; region: string; resource?: string | undefined }, accountId: string): string {
  return findingFingerprint({ checkId: error.checkId, accountId, region: error.region, resourceId: error.resource ?? '', subKey: 'could-not-check' });
}
