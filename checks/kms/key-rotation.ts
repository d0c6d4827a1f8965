import type { KeyMetadata } from '@aws-sdk/client-kms';
import { defineCheck } from '../../src/audit/check.js';
import type { CheckContext, Evaluation } from '../../src/audit/types.js';
import type { KmsKey } from '../../src/audit/datasets/kms.js';
import { rotatesAutomatically } from '../../src/rules/kms-keys.js';

/**
 * A multi-Region replica shares its primary's rotation, which is set on the
 * primary: judged there when the primary's region is audited, else here.
 */
function judgedOnPrimary(meta: KeyMetadata, audited: readonly string[]): boolean {
  const config = meta.MultiRegionConfiguration;
  if (config?.MultiRegionKeyType !== 'REPLICA') return false;
  const primaryRegion = config.PrimaryKey?.Region;
  return primaryRegion !== undefined && audited.includes(primaryRegion);
}

export default defineCheck({
  id: 'kms.key-rotation',
  title: 'Customer-managed KMS keys rotate automatically',
  service: 'kms',
  scope: 'regional',
  severity: 'medium',
  description:
    'Automatic rotation gives a key new key material every year (or the period set), so that data encrypted from then on does not depend on material that may have leaked; old material stays available to decrypt, so rotation breaks nothing. AWS-managed keys already rotate; customer-managed ones only when asked to.',
  references: { cis: '3.6', securityHub: 'KMS.4' },
  remediation:
    "Turn rotation on: `aws kms enable-key-rotation --key-id <id>` (optionally `--rotation-period-in-days 90` to `2560`). For a multi-Region replica key, turn it on for its primary key, in the primary's region: the replicas follow.",
  uses: ['kms.keys'],
  async run(ctx) {
    const keys = await ctx.inventory.get('kms.keys');
    return keys.flatMap((key) => judge(ctx, key));
  },
});

function judge(ctx: CheckContext, key: KmsKey): Evaluation[] {
  // A key policy that does not let the audit role describe the key: that key, not the region, is unknown.
  if (!key.metadata.ok) return [ctx.error(key.keyId, key.metadata.error)];
  const meta = key.metadata.value;
  // AWS-managed, disabled, pending deletion, asymmetric, HMAC, imported or custom key store: nothing to rotate here.
  if (!rotatesAutomatically(meta) || key.rotation === null) return [];
  if (judgedOnPrimary(meta, ctx.regions)) return [];
  if (!key.rotation.ok) return [ctx.error(key.keyId, key.rotation.error)];
  if (key.rotation.value.enabled) return [ctx.pass(key.keyId)];
  const replica = meta.MultiRegionConfiguration?.MultiRegionKeyType === 'REPLICA';
  const aliases = key.aliases.length > 0 ? ` (${key.aliases.join(', ')})` : '';
  return [
    ctx.fail({
      resource: { type: 'AWS::KMS::Key', id: key.keyId, ...((meta.Arn ?? key.arn) ? { arn: meta.Arn ?? key.arn } : {}) },
      message:
        `KMS key ${key.keyId}${aliases} does not rotate its key material automatically: everything it encrypts depends on the same material for as long as the key lives.` +
        (replica ? ` It is a replica: rotation is set on its primary in ${meta.MultiRegionConfiguration?.PrimaryKey?.Region ?? 'another region'}.` : ''),
      details: {
        keyId: key.keyId,
        aliases: key.aliases.length > 0 ? key.aliases.join(', ') : null,
        description: meta.Description || null,
        createdAt: meta.CreationDate ? meta.CreationDate.toISOString() : null,
        multiRegion: meta.MultiRegion === true,
        keyState: meta.KeyState ?? null,
      },
    }),
  ];
}
