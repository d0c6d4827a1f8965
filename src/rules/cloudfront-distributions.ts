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
 * lists what is wrong with one (empty: it passes), each with its sub-key, and
 * the parts that could not be judged as errors (an error alone: nothing of it
 * could be judged). Distributions are judged one after another, so a check
 * that reads per distribution keeps its reads in order and bounded.
 */
export async function judgeDistributions(
  ctx: CheckContext,
  problems: (d: DistributionSummary & { Id: string }) => Promise<(DistributionProblem | Error)[] | Error> | (DistributionProblem | Error)[] | Error,
): Promise<Evaluation[]> {
  const distributions = await ctx.inventory.get('cloudfront.distributions');
  const judged = distributions
    .filter((d): d is DistributionSummary & { Id: string } => Boolean(d.Id))
    .map(async (d): Promise<Evaluation[]> => {
      const found = await problems(d);
      const entries = found instanceof Error ? [found] : found;
      if (entries.length === 0) return [ctx.pass(d.Id)];
      return entries.map((entry) =>
        entry instanceof Error
          ? ctx.error(d.Id, entry)
          : ctx.fail({ ...entry, resource: distributionResource(d), details: { ...distributionDetails(d), ...entry.details } }),
      );
    });
  return (await Promise.all(judged)).flat();
}
