import { DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand, type GetEventSelectorsResponse, type Trail } from '@aws-sdk/client-cloudtrail';
import { attempt, type DatasetDef, type LoadContext, type Read } from './types.js';

/**
 * The trails DescribeTrails lists in a region: the region's own, every
 * multi-region trail (a "shadow" outside its home region) and organization
 * trails. One entry per ARN.
 */
async function loadTrails(ctx: LoadContext): Promise<Trail[]> {
  const answer = await ctx.clients.cloudtrail(ctx.region).send(new DescribeTrailsCommand({ includeShadowTrails: true }));
  const byArn = new Map<string, Trail>();
  for (const trail of answer.trailList ?? []) {
    const key = trail.TrailARN ?? `${trail.HomeRegion ?? ctx.region}/${trail.Name ?? ''}`;
    if (!byArn.has(key)) byArn.set(key, trail);
  }
  return [...byArn.values()];
}

export interface MultiRegionTrail {
  trail: Trail;
  /** GetTrailStatus and GetEventSelectors, asked in the trail's home region; either may fail on its own. */
  state: Read<{ isLogging: boolean; selectors: GetEventSelectorsResponse }>;
}

/**
 * Multi-region trails (DescribeTrails in the home region lists them all,
 * wherever their home is) with whether each is logging and what it records.
 */
async function loadMultiRegionTrails(ctx: LoadContext): Promise<MultiRegionTrail[]> {
  // The home region's listing, shared with the regional trail checks there (one DescribeTrails, not two).
  const trails = ((await ctx.dataset('cloudtrail.trails')) as Trail[]).filter((t) => t.IsMultiRegionTrail === true);
  return Promise.all(
    trails.map(async (trail): Promise<MultiRegionTrail> => {
      const client = ctx.clients.cloudtrail(trail.HomeRegion || ctx.region);
      const name = trail.TrailARN ?? trail.Name;
      const state = await attempt(async () => {
        const [status, selectors] = await Promise.all([
          client.send(new GetTrailStatusCommand({ Name: name })),
          client.send(new GetEventSelectorsCommand({ TrailName: name })),
        ]);
        return { isLogging: status.IsLogging === true, selectors };
      });
      return { trail, state };
    }),
  );
}

export const cloudtrailDatasets = {
  'cloudtrail.trails': { scope: 'regional', actions: ['cloudtrail:DescribeTrails'], load: loadTrails } satisfies DatasetDef<Trail[]>,
  'cloudtrail.multiRegionTrails': {
    scope: 'global',
    actions: ['cloudtrail:DescribeTrails', 'cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors'],
    load: loadMultiRegionTrails,
  } satisfies DatasetDef<MultiRegionTrail[]>,
};
