import type { Trail } from '@aws-sdk/client-cloudtrail';
import type { CheckContext, ResourceRef } from '../audit/types.js';

/**
 * DescribeTrails lists a multi-region trail in every region (a "shadow"
 * outside its home region). A per-trail check judges each trail once: in its
 * home region when that region is audited, otherwise in the first audited
 * region (a multi-region trail whose home is not audited is still seen there).
 */
export function judgedHere(trail: Trail, ctx: Pick<CheckContext, 'region' | 'regions'>): boolean {
  const home = trail.HomeRegion;
  if (home && ctx.regions.includes(home)) return home === ctx.region;
  return ctx.region === ctx.regions[0];
}

/** The account that owns the trail, from its ARN (`arn:aws:cloudtrail:us-east-1:123456789012:trail/name`). */
function trailOwner(trail: Trail): string | undefined {
  return trail.TrailARN?.split(':')[4] || undefined;
}

/**
 * Trails this account can fix: an organization trail created by the
 * management account is listed in member accounts too, but only the
 * management account can change it.
 */
export function isOwnTrail(trail: Trail, accountId: string): boolean {
  const owner = trailOwner(trail);
  return owner === undefined || owner === accountId;
}

export function trailResource(trail: Trail): ResourceRef {
  const id = trail.TrailARN ?? trail.Name ?? 'unnamed trail';
  return { type: 'AWS::CloudTrail::Trail', id, ...(trail.TrailARN ? { arn: trail.TrailARN } : {}) };
}

/** The trails of this region's listing that this check judges here, own trails only. */
export function trailsToJudge(trails: readonly Trail[], ctx: Pick<CheckContext, 'region' | 'regions' | 'account'>): Trail[] {
  return trails.filter((t) => judgedHere(t, ctx) && isOwnTrail(t, ctx.account.accountId));
}
