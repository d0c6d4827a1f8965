import type { DistributionSummary } from '@aws-sdk/client-cloudfront';
import type { CheckContext, DetailValue, Evaluation, FailInput, ResourceRef } from '../audit/types.js';

/** Shared by the cloudfront.* checks. Not a check (no default export). */

export function distributionResource(d: DistributionSummary & { Id: string }): ResourceRef {
  return { type: 'AWS::CloudFront::Distribution', id: d.Id, ...(d.ARN ? { arn: d.ARN } : {}) };
}

/** `E1ABCDEF (shop.example.com)`: the id, and the first alternate domain name (or its cloudfront.net name). */
export function distributionLabel(d: DistributionSummary & { Id: string }): string {
  const name = d.Aliases?.Items?.[0] ?? d.DomainName;
  return name ? `${d.Id} (${name})` : d.Id;
}

export function distributionDetails(d: DistributionSummary & { Id: string }): Record<string, DetailValue> {
  return { distributionId: d.Id, domainName: d.DomainName ?? null, aliases: (d.Aliases?.Items ?? []).join(', ') || null, comment: d.Comment || null };
}

/** One thing wrong with a distribution: a finding on it, told apart from its others by the sub-key. */
export type DistributionProblem = Omit<FailInput, 'resource'> & { subKey: string };

/**
 * The loop the cloudfront.* checks share: every distribution; `problems`
 * lists what is wrong with one (empty: it passes), each with its sub-key.
 */
export async function judgeDistributions(
  ctx: CheckContext,
  problems: (d: DistributionSummary & { Id: string }) => DistributionProblem[] | Error,
): Promise<Evaluation[]> {
  const distributions = await ctx.inventory.get('cloudfront.distributions');
  return distributions
    .filter((d): d is DistributionSummary & { Id: string } => Boolean(d.Id))
    .flatMap((d) => {
      const found = problems(d);
      if (found instanceof Error) return [ctx.error(d.Id, found)];
      if (found.length === 0) return [ctx.pass(d.Id)];
      return found.map((p) => ctx.fail({ ...p, resource: distributionResource(d), details: { ...distributionDetails(d), ...p.details } }));
    });
}
