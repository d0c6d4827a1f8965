import { defineCheck } from '../../src/audit/check.js';
import { isAwsSupportAccess } from '../../src/aws/iam-policy.js';

export default defineCheck({
  id: 'iam.support-role',
  title: 'A user, group or role holds AWSSupportAccess',
  service: 'iam',
  scope: 'global',
  severity: 'low',
  description:
    'During an incident someone must be able to open and follow AWS Support cases without borrowing the root user or an administrator; a role with AWSSupportAccess gives exactly that.',
  references: { cis: '1.16', securityHub: 'IAM.18' },
  remediation:
    'Create a role for the people who handle incidents and attach arn:aws:iam::aws:policy/AWSSupportAccess to it (aws iam attach-role-policy --policy-arn … --role-name …).',
  uses: ['iam.authorizationDetails'],
  async run(ctx) {
    const { users, groups, roles } = await ctx.inventory.get('iam.authorizationDetails');
    const accountId = ctx.account.accountId;
    const holders = [
      ...users.filter((u) => u.AttachedManagedPolicies?.some(isAwsSupportAccess)),
      ...groups.filter((g) => g.AttachedManagedPolicies?.some(isAwsSupportAccess)),
      ...roles.filter((r) => r.AttachedManagedPolicies?.some(isAwsSupportAccess)),
    ];
    if (holders.length > 0) return [ctx.pass(accountId)];
    return [
      ctx.fail({
        resource: { type: 'AWS::::Account', id: accountId },
        message: `None of the account's ${users.length} users, ${groups.length} groups and ${roles.length} roles has the AWSSupportAccess policy attached: no identity is set up to manage AWS Support cases.`,
        details: { users: users.length, groups: groups.length, roles: roles.length },
      }),
    ];
  },
});
