import { severityRank, type Finding } from './types.js';

/** Report order: severity (worst first), then check, region, resource, fingerprint. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    a.checkId.localeCompare(b.checkId) ||
    a.region.localeCompare(b.region) ||
    a.resource.id.localeCompare(b.resource.id) ||
    a.fingerprint.localeCompare(b.fingerprint)
  );
}
