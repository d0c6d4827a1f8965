import { AccessAnalyzerClient, ListAnalyzersCommand, type AnalyzerSummary } from '@aws-sdk/client-accessanalyzer';
import { EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import enabled from '../../../checks/accessanalyzer/enabled.js';
import { audit, awsError } from '../../helpers/aws.js';
import { serveRegions } from '../ec2/regional-fixtures.js';

const analyzer = mockClient(AccessAnalyzerClient);
const ec2 = mockClient(EC2Client);
const CHECK = 'accessanalyzer.enabled';
const OWNER = '123456789012';

const summary = (name: string, overrides: Partial<AnalyzerSummary> = {}): AnalyzerSummary => ({
  arn: `arn:aws:access-analyzer:us-east-1:${OWNER}:analyzer/${name}`,
  name,
  type: 'ACCOUNT',
  createdAt: new Date('2025-01-10T00:00:00Z'),
  status: 'ACTIVE',
  ...overrides,
});

/** ListAnalyzers, paginated with nextToken. */
function serve(pages: AnalyzerSummary[][] | Error) {
  serveRegions(ec2);
  analyzer.on(ListAnalyzersCommand).callsFake((input: { nextToken?: string }) => {
    if (pages instanceof Error) throw pages;
    const index = input.nextToken ? Number(input.nextToken.slice(1)) : 0;
    return { analyzers: pages[index] ?? [], ...(index + 1 < pages.length ? { nextToken: `n${index + 1}` } : {}) };
  });
}

describe('accessanalyzer.enabled', () => {
  beforeEach(() => {
    analyzer.reset();
    ec2.reset();
  });

  it('declares its references and dataset', () => {
    expect(enabled).toMatchObject({ id: CHECK, service: 'accessanalyzer', scope: 'regional', severity: 'low', references: { cis: '1.19' } });
    expect(enabled.uses).toEqual(['accessanalyzer.analyzers']);
  });

  it('passes an active account or organization analyzer, found on any page', async () => {
    for (const pages of [[[summary('external')]], [[summary('unused', { type: 'ACCOUNT_UNUSED_ACCESS' })], [summary('org', { type: 'ORGANIZATION' })]]]) {
      analyzer.reset();
      serve(pages);
      const result = await audit([enabled]);
      expect(result.findings).toEqual([]);
      expect(result.errors).toEqual([]);
      expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 0, errors: 0 });
    }
  });

  it('fails, low, a region with no external access analyzer, or none active, naming them', async () => {
    serve([[summary('unused', { type: 'ACCOUNT_UNUSED_ACCESS' })]]);
    let result = await audit([enabled]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        severity: 'low',
        region: 'us-east-1',
        resource: { type: 'AWS::AccessAnalyzer::Analyzer', id: 'us-east-1' },
        message: 'IAM Access Analyzer has no external access analyzer in us-east-1: policies there that let other accounts or the public in are not reported.',
        details: { region: 'us-east-1', analyzers: 'unused' },
      }),
    ]);
    analyzer.reset();
    serve([[summary('external', { status: 'DISABLED', statusReason: { code: 'DELEGATED_ADMINISTRATOR_DEREGISTERED' } })]]);
    result = await audit([enabled]);
    expect(result.findings.map((f) => f.message)).toEqual(['IAM Access Analyzer has no active external access analyzer in us-east-1: external (disabled).']);
  });

  it('reports AccessDenied as an error for the region', async () => {
    serve(awsError('AccessDeniedException', 'not authorized to perform: access-analyzer:ListAnalyzers'));
    const result = await audit([enabled]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: CHECK, code: 'AccessDeniedException' })]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
