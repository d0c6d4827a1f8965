import { daysBetween, defineCheck, isoDay } from '../../src/audit/check.js';
import { days, isoOrNull, rootResource, rootRow } from '../../src/rules/credential-report.js';

export default defineCheck({
  id: 'iam.root-recent-use',
  title: 'Root user not used recently',
  service: 'iam',
  scope: 'global',
  severity: 'high',
  description:
    'The root user bypasses every IAM policy and leaves no trail of who acted; recent use means it serves for daily work, or that someone else has its password or keys.',
  references: { cis: '1.6' },
  remediation:
    'Find out who used the root user and why (CloudTrail: userIdentity.type = Root). If it was not one of the few tasks that need root, change the root password, delete any root access keys, and do that work with an IAM role.',
  uses: ['iam.credentialReport'],
  async run(ctx) {
    const root = rootRow(await ctx.inventory.get('iam.credentialReport'));
    const limit = ctx.thresholds.rootRecentUseDays;
    const uses = [
      { credential: 'password', at: root.passwordLastUsed },
      ...root.accessKeys.map((key) => ({ credential: `access key ${key.slot}`, at: key.lastUsed })),
    ];
    // "Within the last N days": fewer than N whole days ago, the complement of "unused for N days or more".
    const recent = uses
      .filter((use): use is { credential: string; at: Date } => use.at !== null && daysBetween(use.at, ctx.now) < limit)
      .sort((a, b) => b.at.getTime() - a.at.getTime());
    if (recent.length === 0) return [ctx.pass('root')];
    const latest = recent[0]!;
    const listed = recent.map((use) => `${use.credential} on ${isoDay(use.at)} (${days(daysBetween(use.at, ctx.now))} ago)`).join(', ');
    return [
      ctx.fail({
        resource: rootResource(root),
        message: `The root user was used within the last ${days(limit)}: ${listed}.`,
        details: {
          credentials: recent.map((use) => use.credential).join(', '),
          lastUsedAt: latest.at.toISOString(),
          daysSinceLastUse: daysBetween(latest.at, ctx.now),
          passwordLastUsedAt: isoOrNull(root.passwordLastUsed),
          accessKey1LastUsedAt: isoOrNull(root.accessKeys[0].lastUsed),
          accessKey2LastUsedAt: isoOrNull(root.accessKeys[1].lastUsed),
          limitDays: limit,
        },
      }),
    ];
  },
});
