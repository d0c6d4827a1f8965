import { defineCheck } from '../../src/audit/check.js';
import { isCompromisedKeyQuarantine } from '../../src/aws/iam-policy.js';

export default defineCheck({
  id: 'iam.exposed-access-key',
  title: "No user carries AWS's compromised-key quarantine policy",
  service: 'iam',
  scope: 'global',
  severity: 'critical',
  description:
    "AWS attaches an AWSCompromisedKeyQuarantine policy to a user when it finds one of the user's access keys in public (a repository, a paste); the quarantine only denies some actions, and whoever found the key can still use the rest.",
  references: {},
  remediation:
    'Deactivate and delete the exposed access key, create a new one for the workloads that need it, review CloudTrail for what the key did, then detach the quarantine policy.',
  fix: 'iam.deactivate-access-key',
  uses: ['iam.authorizationDetails'],
  async run(ctx) {
    const { users } = await ctx.inventory.get('iam.authorizationDetails');
    return users.map((user) => {
      const name = user.UserName ?? user.UserId ?? '(unnamed user)';
      const quarantine = (user.AttachedManagedPolicies ?? []).filter(isCompromisedKeyQuarantine).map((p) => p.PolicyName ?? '');
      if (quarantine.length === 0) return ctx.pass(name);
      return ctx.fail({
        resource: { type: 'AWS::IAM::User', id: name, ...(user.Arn ? { arn: user.Arn } : {}) },
        message: `AWS found an access key of IAM user ${name} in public and attached ${quarantine.join(', ')}; until the key is deactivated it works for every action the quarantine does not deny.`,
        details: { userName: name, quarantinePolicies: quarantine.join(', ') },
      });
    });
  },
});
