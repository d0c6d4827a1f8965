import type { AwsClients } from '../aws/clients.js';
import { listRegions } from '../aws/regions.js';
import { awsErrorCode, errorMessage, type OwnErrorCode } from '../errors.js';
import { GLOBAL_REGION, type CheckError } from './types.js';

/** Error entries that concern the audit itself rather than one check. */
export const REGION_DISCOVERY = 'audit.region-discovery';

interface ResolvedRegions {
  regions: string[];
  skipped: { region: string; reason: string }[];
  error?: CheckError;
}

/**
 * The account's configured regions, or every region it has enabled; regions
 * that are not opted in are skipped (noted), never errors.
 */
export async function resolveRegions(
  clients: AwsClients,
  configured: readonly string[] | undefined,
  only: readonly string[] | undefined,
): Promise<ResolvedRegions> {
  const skipped: { region: string; reason: string }[] = [];
  let enabled: Set<string> | undefined;
  let known: Set<string> | undefined;
  let error: CheckError | undefined;
  try {
    ({ known, enabled } = await listRegions(clients));
  } catch (e) {
    const fallback = configured?.length ? ' Auditing the configured regions as they are.' : ' No regional check could run.';
    error = {
      checkId: REGION_DISCOVERY,
      region: GLOBAL_REGION,
      code: awsErrorCode(e) ?? ('RegionDiscoveryFailed' satisfies OwnErrorCode),
      message: `Could not list the account's enabled regions (ec2:DescribeRegions): ${errorMessage(e).split('\n')[0]}.${fallback}`,
    };
  }
  let wanted = configured?.length ? [...configured] : enabled ? [...enabled].sort() : [];
  if (only?.length) wanted = configured?.length ? only.filter((r) => configured.includes(r)) : [...only];
  const regions = wanted.filter((region) => {
    if (!enabled || enabled.has(region)) return true;
    skipped.push({ region, reason: known?.has(region) ? 'not enabled (opt-in region) for this account' : 'not a region this account knows' });
    return false;
  });
  return { regions, skipped, ...(error ? { error } : {}) };
}
