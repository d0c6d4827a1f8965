import { defineCheck } from '../../src/audit/check.js';

export default defineCheck({
  id: 'securityhub.enabled',
  title: 'Security Hub is enabled in every region',
  service: 'securityhub',
  scope: 'regional',
  severity: 'low',
  description:
    'Security Hub gathers the findings of GuardDuty, Inspector, Macie, Config and IAM Access Analyzer and checks the account against the AWS Foundational and CIS standards continuously; without it, a region has no single place where its security findings meet.',
  references: { cis: '4.16' },
  remediation:
    'Enable it in the region: `aws securityhub enable-security-hub --enable-default-standards`, or from the Security Hub delegated administrator account with central configuration for every account and region of the organization.',
  uses: ['securityhub.hub'],
  async run(ctx) {
    const hub = await ctx.inventory.get('securityhub.hub');
    if (hub.enabled) return [ctx.pass(ctx.region)];
    return [
      ctx.fail({
        resource: { type: 'AWS::SecurityHub::Hub', id: ctx.region },
        message: `Security Hub is not enabled in ${ctx.region}.`,
        details: { region: ctx.region },
      }),
    ];
  },
});
