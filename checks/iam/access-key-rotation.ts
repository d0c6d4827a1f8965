import { daysBetween, defineCheck, isoDay } from '../../src/audit/check.js';
import { accessKeyCreatedAt, accessKeyDetails, accessKeyResource, activeAccessKeys, days } from '../../src/rules/credential-report.js';

export default defineCheck({
  id: 'iam.access-key-rotation',
  title: 'Active access keys rotated within the age limit',
  service: 'iam',
  scope: 'global',
  severity: 'medium',
  description:
    'The older a long-lived access key, the more places it has been copied to (laptops, CI settings, logs) and the longer a leaked copy keeps working.',
  references: { cis: '1.13', securityHub: 'IAM.3' },
  remediation:
    'Create a second key, move every consumer to it, check the old key is no longer used (IAM shows its last use), then deactivate and delete the old key. Better: replace the key with an IAM role.',
  fix: 'iam.deactivate-access-key',
  uses: ['iam.credentialReport'],
  async run(ctx) {
    const report = await ctx.inventory.get('iam.credentialReport');
    const limit = ctx.thresholds.accessKeyMaxAgeDays;
    return report.users.flatMap((user) =>
      activeAccessKeys(user).map((key) => {
        const resource = accessKeyResource(user, key);
        const createdAt = accessKeyCreatedAt(user, key);
        const ageDays = daysBetween(createdAt, ctx.now);
        // "Rotated every N days or less": a key exactly N days old still complies.
        if (ageDays <= limit) return ctx.pass(resource.id);
        return ctx.fail({
          resource,
          // The creation time identifies the key in the slot: a rotated key is a new finding.
          subKey: createdAt.toISOString(),
          message: `Access key ${key.slot} of user ${user.user} (created ${isoDay(createdAt)}) is ${days(ageDays)} old (limit ${limit}).`,
          details: accessKeyDetails(user, key, createdAt, ageDays),
        });
      }),
    );
  },
});
