import { defineCheck } from '../../src/audit/check.js';
import { rootRow } from '../../src/rules/credential-report.js';

export default defineCheck({
  id: 'iam.root-mfa',
  title: 'Root user has MFA',
  service: 'iam',
  scope: 'global',
  severity: 'critical',
  description: 'The root user can do anything in the account, including closing it, and cannot be restricted by IAM policies; a password alone protects it.',
  references: { cis: '1.4', securityHub: 'IAM.9' },
  remediation: 'Sign in as the root user and assign an MFA device (a hardware key for production accounts).',
  uses: ['iam.credentialReport'],
  async run(ctx) {
    const root = rootRow(await ctx.inventory.get('iam.credentialReport'));
    if (root.mfaActive) return [ctx.pass('root')];
    return [
      ctx.fail({
        resource: { type: 'AWS::IAM::Root', id: 'root', arn: root.arn },
        message: 'The root user has no MFA device: its password alone grants full control of the account.',
      }),
    ];
  },
});
