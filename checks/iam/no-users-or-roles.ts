import { defineCheck } from '../../src/audit/check.js';

const SERVICE_LINKED_PATH = '/aws-service-role/';

export default defineCheck({
  id: 'iam.no-users-or-roles',
  title: 'The account has IAM users or roles for daily work',
  service: 'iam',
  scope: 'global',
  severity: 'medium',
  description:
    'An account with no IAM users and no roles besides the service-linked ones AWS creates can only be operated as the root user, whose power cannot be limited and whose use cannot be attributed to a person.',
  references: {},
  remediation:
    'Give people access through IAM Identity Center (or roles assumed from your identity provider), keep the root user for the few tasks that need it, and lock its credentials away.',
  uses: ['iam.authorizationDetails'],
  async run(ctx) {
    const { users, roles } = await ctx.inventory.get('iam.authorizationDetails');
    const accountId = ctx.account.accountId;
    const serviceLinked = roles.filter((role) => role.Path?.startsWith(SERVICE_LINKED_PATH)).length;
    const otherRoles = roles.length - serviceLinked;
    if (users.length > 0 || otherRoles > 0) return [ctx.pass(accountId)];
    return [
      ctx.fail({
        resource: { type: 'AWS::::Account', id: accountId },
        message: `The account has 0 IAM users and 0 roles besides ${serviceLinked} service-linked one${serviceLinked === 1 ? '' : 's'}: all work happens as the root user.`,
        details: { users: 0, roles: otherRoles, serviceLinkedRoles: serviceLinked },
      }),
    ];
  },
});
