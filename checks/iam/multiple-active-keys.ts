import { defineCheck, isoDay } from '../../src/audit/check.js';
import type { AccessKeySlot } from '../../src/audit/datasets/iam.js';
import { activeAccessKeys, isoOrNull, userResource } from '../../src/rules/credential-report.js';

export default defineCheck({
  id: 'iam.multiple-active-keys',
  title: 'IAM users have at most one active access key',
  service: 'iam',
  scope: 'global',
  severity: 'medium',
  description:
    'A second active key doubles what can leak, and usually is a rotation left half done: the old key was never deactivated and keeps working wherever it was copied.',
  references: { cis: '1.12' },
  remediation:
    "Find out which key is still in use (IAM shows each key's last use), move its consumers to the newer key, then deactivate and delete the other one.",
  uses: ['iam.credentialReport'],
  async run(ctx) {
    const report = await ctx.inventory.get('iam.credentialReport');
    return report.users.flatMap((user) => {
      const keys = activeAccessKeys(user);
      if (keys.length === 0) return [];
      if (keys.length === 1) return [ctx.pass(user.user)];
      const [key1, key2] = user.accessKeys;
      const describe = (key: AccessKeySlot) =>
        `key ${key.slot} created ${key.lastRotated ? isoDay(key.lastRotated) : 'on an unknown date'}, ${key.lastUsed ? `last used ${isoDay(key.lastUsed)}` : 'never used'}`;
      return [
        ctx.fail({
          resource: userResource(user),
          message: `User ${user.user} has 2 active access keys (${describe(key1)}; ${describe(key2)}).`,
          details: {
            userName: user.user,
            activeKeys: keys.length,
            key1CreatedAt: isoOrNull(key1.lastRotated),
            key1LastUsedAt: isoOrNull(key1.lastUsed),
            key2CreatedAt: isoOrNull(key2.lastRotated),
            key2LastUsedAt: isoOrNull(key2.lastUsed),
          },
        }),
      ];
    });
  },
});
