import { defineCheck, isoDay } from '../../src/audit/check.js';
import { isoOrNull, userResource } from '../../src/rules/credential-report.js';

export default defineCheck({
  id: 'iam.user-console-mfa',
  title: 'IAM users with a console password have MFA',
  service: 'iam',
  scope: 'global',
  severity: 'high',
  description: "Without MFA a phished, reused or guessed password is enough to sign in to the console with all of the user's permissions.",
  references: { cis: '1.9', securityHub: 'IAM.5' },
  remediation:
    'Have the user assign an MFA device (a passkey or security key where possible), or remove the console password if the user does not need the console; enforce it with a policy that denies actions without aws:MultiFactorAuthPresent.',
  uses: ['iam.credentialReport'],
  async run(ctx) {
    const report = await ctx.inventory.get('iam.credentialReport');
    return report.users
      .filter((user) => user.passwordEnabled)
      .map((user) => {
        if (user.mfaActive) return ctx.pass(user.user);
        const used = user.passwordLastUsed ? `last signed in ${isoDay(user.passwordLastUsed)}` : 'never signed in';
        return ctx.fail({
          resource: userResource(user),
          message: `User ${user.user} has a console password but no MFA device (${used}).`,
          details: {
            userName: user.user,
            passwordLastUsedAt: isoOrNull(user.passwordLastUsed),
            passwordLastChangedAt: isoOrNull(user.passwordLastChanged),
          },
        });
      });
  },
});
