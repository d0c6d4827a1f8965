import { defineCheck, isoDay } from '../../src/audit/check.js';
import { activeAccessKeys, isoOrNull, rootResource, rootRow } from '../../src/rules/credential-report.js';

export default defineCheck({
  id: 'iam.root-access-keys',
  title: 'Root user has no active access keys',
  service: 'iam',
  scope: 'global',
  severity: 'critical',
  description:
    'A root access key signs API calls with unrestricted power over the account, cannot be limited by any IAM policy, and is long-lived: whoever copies it owns the account.',
  references: { cis: '1.3', securityHub: 'IAM.4' },
  remediation:
    'Sign in as the root user, open Security credentials, and delete the access keys (deactivate first if you must find out what still uses them); give automation an IAM role instead.',
  uses: ['iam.credentialReport'],
  async run(ctx) {
    const root = rootRow(await ctx.inventory.get('iam.credentialReport'));
    const keys = activeAccessKeys(root);
    if (keys.length === 0) return [ctx.pass('root')];
    return keys.map((key) => {
      const created = key.lastRotated ? `created ${isoDay(key.lastRotated)}` : 'creation date unknown';
      const used = key.lastUsed ? `last used ${isoDay(key.lastUsed)}` : 'never used';
      return ctx.fail({
        resource: rootResource(root),
        subKey: `key${key.slot}`,
        message: `The root user has an active access key in slot ${key.slot} (${created}, ${used}): it grants unrestricted API access to the account.`,
        details: {
          keySlot: key.slot,
          keyCreatedAt: isoOrNull(key.lastRotated),
          lastUsedAt: isoOrNull(key.lastUsed),
          lastUsedRegion: key.lastUsedRegion,
          lastUsedService: key.lastUsedService,
        },
      });
    });
  },
});
