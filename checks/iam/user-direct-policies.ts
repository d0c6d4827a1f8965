import { defineCheck } from '../../src/audit/check.js';
import { isCompromisedKeyQuarantine } from '../../src/aws/iam-policy.js';

export default defineCheck({
  id: 'iam.user-direct-policies',
  title: 'IAM users get permissions only through groups or roles',
  service: 'iam',
  scope: 'global',
  severity: 'low',
  description:
    'Policies attached to or embedded in single users are hard to review and tend to outlive the need for them; granting through groups and roles keeps permissions in one place that matches job functions.',
  references: { cis: '1.14', securityHub: 'IAM.2' },
  remediation: 'Create a group (or a role) with the policy, add the user to it, then detach the managed policies from the user and delete its inline policies.',
  uses: ['iam.authorizationDetails'],
  async run(ctx) {
    const { users } = await ctx.inventory.get('iam.authorizationDetails');
    return users.map((user) => {
      const name = user.UserName ?? user.UserId ?? '(unnamed user)';
      // AWS's quarantine policy is an alarm, reported by iam.exposed-access-key, not a grant someone chose.
      const managed = (user.AttachedManagedPolicies ?? []).filter((p) => !isCompromisedKeyQuarantine(p)).map((p) => p.PolicyName ?? p.PolicyArn ?? '(unnamed)');
      const inline = (user.UserPolicyList ?? []).map((p) => p.PolicyName ?? '(unnamed)');
      if (managed.length === 0 && inline.length === 0) return ctx.pass(name);
      const parts = [
        ...(managed.length > 0 ? [`${managed.length} managed (${managed.join(', ')})`] : []),
        ...(inline.length > 0 ? [`${inline.length} inline (${inline.join(', ')})`] : []),
      ];
      return ctx.fail({
        resource: { type: 'AWS::IAM::User', id: name, ...(user.Arn ? { arn: user.Arn } : {}) },
        message: `IAM user ${name} has ${managed.length + inline.length} polic${managed.length + inline.length === 1 ? 'y' : 'ies'} of its own: ${parts.join(' and ')}.`,
        details: {
          userName: name,
          managedPolicies: managed.join(', '),
          inlinePolicies: inline.join(', '),
          managedCount: managed.length,
          inlineCount: inline.length,
        },
      });
    });
  },
});
