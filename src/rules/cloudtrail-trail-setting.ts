import type { Trail } from '@aws-sdk/client-cloudtrail';
import type { CheckContext, DetailValue, Evaluation } from '../audit/types.js';
import { trailResource, trailsToJudge } from './cloudtrail-trails.js';

/** The facts every per-trail finding carries (AWS strings, raw). */
export function trailDetails(trail: Trail): Record<string, DetailValue> {
  return {
    trailName: trail.Name ?? null,
    trailArn: trail.TrailARN ?? null,
    homeRegion: trail.HomeRegion ?? null,
    isMultiRegion: trail.IsMultiRegionTrail === true,
    isOrganizationTrail: trail.IsOrganizationTrail === true,
    s3BucketName: trail.S3BucketName ?? null,
  };
}

/**
 * A trail's findings belong to its home region wherever it was judged, so
 * that an audit of other regions gives the same finding and fingerprint.
 */
export function trailRegion(trail: Trail): { region?: string } {
  return trail.HomeRegion ? { region: trail.HomeRegion } : {};
}

/** `trail audit-logs (multi-region, home us-east-1)`: how a finding names a trail. */
export function describeTrail(trail: Trail): string {
  const scope = trail.IsMultiRegionTrail ? 'multi-region, ' : '';
  return `trail ${trail.Name ?? trail.TrailARN ?? 'unnamed'} (${scope}home ${trail.HomeRegion ?? 'unknown'})`;
}

/**
 * Judges one setting of each trail this region's listing holds and this
 * account owns, once per trail across the audited regions: `problem` returns
 * the finding's message, or undefined when the trail complies.
 */
export async function judgeTrailSetting(ctx: CheckContext, problem: (trail: Trail) => string | undefined): Promise<Evaluation[]> {
  const trails = await ctx.inventory.get('cloudtrail.trails');
  return trailsToJudge(trails, ctx).map((trail) => {
    const resource = trailResource(trail);
    const message = problem(trail);
    if (message === undefined) return ctx.pass(resource.id);
    return ctx.fail({ resource, message, details: trailDetails(trail), ...trailRegion(trail) });
  });
}
