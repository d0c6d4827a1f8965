import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import type { AwsClients } from './clients.js';

const OPTED_IN = new Set(['opt-in-not-required', 'opted-in']);

/**
 * Every region the account's partition has, and those the account has
 * enabled (opt-in regions count once opted in), from DescribeRegions in the
 * home region. Throws what the call threw.
 */
export async function listRegions(clients: AwsClients): Promise<{ known: Set<string>; enabled: Set<string> }> {
  const response = await clients.ec2(clients.homeRegion).send(new DescribeRegionsCommand({ AllRegions: true }));
  const known = new Set<string>();
  const enabled = new Set<string>();
  for (const r of response.Regions ?? []) {
    if (!r.RegionName) continue;
    known.add(r.RegionName);
    if (!r.OptInStatus || OPTED_IN.has(r.OptInStatus)) enabled.add(r.RegionName);
  }
  return { known, enabled };
}
