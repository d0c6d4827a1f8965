import { ListAnalyzersCommand, type AnalyzerSummary } from '@aws-sdk/client-accessanalyzer';
import { DescribeHubCommand } from '@aws-sdk/client-securityhub';
import { collectPages } from '../../aws/paginate.js';
import { awsErrorCode } from '../../errors.js';
import type { DatasetDef, LoadContext } from './types.js';

/** The region's IAM Access Analyzer analyzers, of every type (external and unused access, account and organization). */
async function loadAnalyzers(ctx: LoadContext): Promise<AnalyzerSummary[]> {
  const analyzer = ctx.clients.accessanalyzer(ctx.region);
  return collectPages(async (nextToken) => {
    const page = await analyzer.send(new ListAnalyzersCommand({ maxResults: 100, nextToken }));
    return { items: page.analyzers, next: page.nextToken };
  });
}

export interface SecurityHubState {
  enabled: boolean;
  hubArn?: string;
  subscribedAt?: string;
}

/**
 * Whether Security Hub is on in the region. DescribeHub answers
 * InvalidAccessException ("not subscribed to AWS Security Hub") when it is
 * off; AccessDenied stays an error.
 */
async function loadSecurityHub(ctx: LoadContext): Promise<SecurityHubState> {
  try {
    const hub = await ctx.clients.securityhub(ctx.region).send(new DescribeHubCommand({}));
    return { enabled: true, ...(hub.HubArn ? { hubArn: hub.HubArn } : {}), ...(hub.SubscribedAt ? { subscribedAt: hub.SubscribedAt } : {}) };
  } catch (error) {
    if (awsErrorCode(error) === 'InvalidAccessException' && /not subscribed/i.test(String((error as Error).message))) return { enabled: false };
    throw error;
  }
}

export const securityServiceDatasets = {
  'accessanalyzer.analyzers': { scope: 'regional', actions: ['access-analyzer:ListAnalyzers'], load: loadAnalyzers } satisfies DatasetDef<AnalyzerSummary[]>,
  'securityhub.hub': { scope: 'regional', actions: ['securityhub:DescribeHub'], load: loadSecurityHub } satisfies DatasetDef<SecurityHubState>,
};
