import { ListDistributionsCommand, type DistributionSummary } from '@aws-sdk/client-cloudfront';
import { collectPages } from '../../aws/paginate.js';
import type { DatasetDef, LoadContext } from './types.js';

/** Every CloudFront distribution of the account (a global service, asked in the partition's home region). */
async function loadDistributions(ctx: LoadContext): Promise<DistributionSummary[]> {
  const cloudfront = ctx.clients.cloudfront();
  return collectPages(async (Marker) => {
    const page = (await cloudfront.send(new ListDistributionsCommand({ MaxItems: 100, Marker }))).DistributionList;
    return { items: page?.Items, next: page?.IsTruncated ? page.NextMarker : undefined };
  });
}

export const cloudfrontDatasets = {
  'cloudfront.distributions': { scope: 'global', actions: ['cloudfront:ListDistributions'], load: loadDistributions } satisfies DatasetDef<
    DistributionSummary[]
  >,
};
