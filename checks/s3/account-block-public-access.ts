import { defineCheck } from '../../src/audit/check.js';
import { bpaSettingsOff } from '../../src/rules/s3-exposure.js';

export default defineCheck({
  id: 's3.account-block-public-access',
  title: 'Block Public Access fully on at the account level',
  service: 's3',
  scope: 'global',
  severity: 'high',
  description:
    "The account-level Block Public Access settings apply to every bucket, existing and future, whatever the bucket's own settings say: with all four on, no ACL or policy mistake can make a bucket of this account public.",
  references: { cis: '2.1.4', securityHub: 'S3.1' },
  remediation:
    'S3 console > Block Public Access settings for this account > turn on all four settings (or `aws s3control put-public-access-block --account-id <id> --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true`). First move any bucket that must stay public behind CloudFront.',
  uses: ['s3.accountPublicAccessBlock'],
  async run(ctx) {
    // A failed read throws: the runner reports it, never a pass.
    const config = await ctx.inventory.get('s3.accountPublicAccessBlock');
    const id = ctx.account.accountId;
    const off = bpaSettingsOff(config);
    if (off.length === 0) return [ctx.pass(id)];
    const resource = { type: 'AWS::S3::AccountPublicAccessBlock', id };
    const message =
      config === null
        ? `Block Public Access was never configured for account ${id}: all 4 settings are off, so each bucket's own settings are its only protection.`
        : `Account ${id} has ${off.length} of 4 Block Public Access settings off: ${off.join(', ')}.`;
    return [ctx.fail({ resource, message, details: { settingsOff: off.join(', '), configured: config !== null } })];
  },
});
