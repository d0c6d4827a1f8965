import { defineCheck } from '../../src/audit/check.js';

/** External access analyzers: the ones CIS 1.19 asks for (unused-access analyzers find something else). */
const EXTERNAL = new Set(['ACCOUNT', 'ORGANIZATION']);

export default defineCheck({
  id: 'accessanalyzer.enabled',
  title: 'IAM Access Analyzer watches for external access in every region',
  service: 'accessanalyzer',
  scope: 'regional',
  severity: 'low',
  description:
    'An active external access analyzer reports every bucket, key, role, queue or snapshot whose policy lets another account or the public in, as soon as the policy changes; without one in a region, such grants there go unnoticed until an audit.',
  references: { cis: '1.19' },
  remediation:
    'Create an analyzer in the region: `aws accessanalyzer create-analyzer --analyzer-name external-access --type ACCOUNT` (or `--type ORGANIZATION` from the management or a delegated administrator account, which covers every member account).',
  uses: ['accessanalyzer.analyzers'],
  async run(ctx) {
    const analyzers = await ctx.inventory.get('accessanalyzer.analyzers');
    const external = analyzers.filter((a) => a.type !== undefined && EXTERNAL.has(a.type));
    if (external.some((a) => a.status === 'ACTIVE')) return [ctx.pass(ctx.region)];
    const inactive = external.map((a) => `${a.name ?? a.arn ?? 'unnamed'} (${(a.status ?? 'unknown status').toLowerCase()})`);
    return [
      ctx.fail({
        resource: { type: 'AWS::AccessAnalyzer::Analyzer', id: ctx.region },
        message:
          inactive.length === 0
            ? `IAM Access Analyzer has no external access analyzer in ${ctx.region}: policies there that let other accounts or the public in are not reported.`
            : `IAM Access Analyzer has no active external access analyzer in ${ctx.region}: ${inactive.join(', ')}.`,
        details: { region: ctx.region, analyzers: analyzers.map((a) => a.name ?? '').join(', ') },
      }),
    ];
  },
});
