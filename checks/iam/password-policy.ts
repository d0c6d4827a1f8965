import { defineCheck } from '../../src/audit/check.js';

const CIS_MIN_LENGTH = 14;
const CIS_REUSE_PREVENTION = 24;

const RESOURCE = { type: 'AWS::IAM::AccountPasswordPolicy', id: 'password-policy' };

export default defineCheck({
  id: 'iam.password-policy',
  title: 'Account password policy is strong',
  service: 'iam',
  scope: 'global',
  severity: 'medium',
  description:
    'IAM users with console passwords are only as safe as the passwords the account allows: short, simple or recycled passwords fall to guessing and credential stuffing.',
  references: { cis: '1.7, 1.8', securityHub: 'IAM.7, IAM.15, IAM.16' },
  remediation:
    'Set the account password policy (IAM > Account settings, or aws iam update-account-password-policy) to a minimum length of 14 or more, remembering 24 passwords, and requiring uppercase, lowercase, numbers and symbols.',
  uses: ['iam.passwordPolicy'],
  async run(ctx) {
    const policy = await ctx.inventory.get('iam.passwordPolicy');
    const { passwordMinLength, passwordReusePrevention } = ctx.thresholds;
    if (!policy) {
      return [
        ctx.fail({
          resource: RESOURCE,
          message: `The account has no IAM password policy: nothing requires ${passwordMinLength}+ characters, character classes or remembering ${passwordReusePrevention} passwords.`,
          details: { policyExists: false, weaknesses: 'no password policy', cis: '1.7, 1.8' },
        }),
      ];
    }

    const weaknesses: string[] = [];
    const length = policy.MinimumPasswordLength;
    if (length === undefined) weaknesses.push(`no minimum length (want ${passwordMinLength}+)`);
    else if (length < passwordMinLength) weaknesses.push(`minimum length ${length} (want ${passwordMinLength}+)`);
    const reuse = policy.PasswordReusePrevention;
    if (reuse === undefined || reuse === 0) weaknesses.push(`no password reuse prevention (want ${passwordReusePrevention})`);
    else if (reuse < passwordReusePrevention) weaknesses.push(`remembers ${reuse} passwords (want ${passwordReusePrevention})`);
    // The CIS v5.0 controls it breaks, by CIS's own figures (whatever the thresholds): 1.7 a length under 14,
    // 1.8 remembering fewer than 24 passwords. Character classes are no CIS control.
    const cis = [(length ?? 0) < CIS_MIN_LENGTH && '1.7', (reuse ?? 0) < CIS_REUSE_PREVENTION && '1.8'].filter(Boolean).join(', ') || 'none';
    if (!policy.RequireUppercaseCharacters) weaknesses.push('uppercase not required');
    if (!policy.RequireLowercaseCharacters) weaknesses.push('lowercase not required');
    if (!policy.RequireNumbers) weaknesses.push('numbers not required');
    if (!policy.RequireSymbols) weaknesses.push('symbols not required');

    if (weaknesses.length === 0) return [ctx.pass(RESOURCE.id)];
    return [
      ctx.fail({
        resource: RESOURCE,
        message: `The account password policy has ${weaknesses.length} weakness${weaknesses.length === 1 ? '' : 'es'}: ${weaknesses.join('; ')}.`,
        details: {
          policyExists: true,
          weaknesses: weaknesses.join('; '),
          minimumPasswordLength: length ?? null,
          passwordReusePrevention: reuse ?? null,
          cis,
          requireUppercase: policy.RequireUppercaseCharacters ?? false,
          requireLowercase: policy.RequireLowercaseCharacters ?? false,
          requireNumbers: policy.RequireNumbers ?? false,
          requireSymbols: policy.RequireSymbols ?? false,
        },
      }),
    ];
  },
});
