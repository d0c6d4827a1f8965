import { daysBetween, defineCheck, isoDay } from '../../src/audit/check.js';
import type { CredentialReportRow } from '../../src/audit/datasets/iam.js';
import type { CheckContext, Evaluation } from '../../src/audit/types.js';
import {
  accessKeyCreatedAt,
  accessKeyDetails,
  accessKeyResource,
  activeAccessKeys,
  days,
  isoOrNull,
  malformedReport,
  userResource,
} from '../../src/rules/credential-report.js';

export default defineCheck({
  id: 'iam.credentials-unused',
  title: 'No unused console passwords or active access keys',
  service: 'iam',
  scope: 'global',
  severity: 'medium',
  description:
    'A credential nobody uses still works for whoever finds it, and its misuse is less likely to be noticed: an abandoned password or key is pure risk.',
  references: { cis: '1.11', securityHub: 'IAM.22' },
  remediation: 'Deactivate (then delete) access keys that are not used, and remove the console password of users who do not sign in; re-enable on request.',
  // Applies to the access-key findings; a password finding is resolved by removing the login profile.
  fix: 'iam.deactivate-access-key',
  uses: ['iam.credentialReport'],
  async run(ctx) {
    const report = await ctx.inventory.get('iam.credentialReport');
    // The root user is left out, as in CIS: it should go unused for long stretches (see iam.root-recent-use).
    return report.users.flatMap((user) => [...evaluateKeys(ctx, user), ...(user.passwordEnabled ? [evaluatePassword(ctx, user)] : [])]);
  },
});

function evaluateKeys(ctx: CheckContext, user: CredentialReportRow): Evaluation[] {
  const limit = ctx.thresholds.credentialUnusedDays;
  return activeAccessKeys(user).map((key) => {
    const resource = accessKeyResource(user, key);
    const createdAt = accessKeyCreatedAt(user, key);
    // A key never used is judged by how long it has existed unused.
    const unusedDays = daysBetween(key.lastUsed ?? createdAt, ctx.now);
    // "Unused for N days or more" fails at exactly N.
    if (unusedDays < limit) return ctx.pass(resource.id);
    const ageDays = daysBetween(createdAt, ctx.now);
    const message = key.lastUsed
      ? `Access key ${key.slot} of user ${user.user} (created ${isoDay(createdAt)}) was last used ${isoDay(key.lastUsed)}, ${days(unusedDays)} ago (limit ${limit}).`
      : `Access key ${key.slot} of user ${user.user} (created ${isoDay(createdAt)}) has never been used in its ${days(ageDays)} (limit ${limit}).`;
    return ctx.fail({
      resource,
      subKey: createdAt.toISOString(),
      message,
      details: { ...accessKeyDetails(user, key, createdAt, ageDays), unusedDays },
    });
  });
}

function evaluatePassword(ctx: CheckContext, user: CredentialReportRow): Evaluation {
  const limit = ctx.thresholds.credentialUnusedDays;
  const since = user.passwordLastUsed
    ? { at: user.passwordLastUsed, text: 'was last used' }
    : user.passwordLastChanged
      ? { at: user.passwordLastChanged, text: 'has never been used since it was set' }
      : user.userCreationTime
        ? { at: user.userCreationTime, text: 'has never been used since the user was created' }
        : undefined;
  if (!since) {
    throw malformedReport(`the credential report gives no usable date for the console password of user ${user.user}`);
  }
  const unusedDays = daysBetween(since.at, ctx.now);
  if (unusedDays < limit) return ctx.pass(user.user);
  return ctx.fail({
    resource: userResource(user),
    subKey: 'password',
    // Deactivating a key does not remove a password.
    fix: null,
    message: `Console password of user ${user.user} ${since.text} ${isoDay(since.at)}, ${days(unusedDays)} ago (limit ${limit}).`,
    details: {
      userName: user.user,
      passwordLastUsedAt: isoOrNull(user.passwordLastUsed),
      passwordLastChangedAt: isoOrNull(user.passwordLastChanged),
      userCreatedAt: isoOrNull(user.userCreationTime),
      unusedDays,
    },
  });
}
