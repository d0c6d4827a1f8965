import type { Snapshot } from '@aws-sdk/client-ec2';
import { defineCheck } from '../../src/audit/check.js';
import type { CheckContext, Evaluation } from '../../src/audit/types.js';
import { ec2Arn } from '../../src/rules/ec2-resources.js';
import { resourceTags } from '../../src/rules/resource-tags.js';

/** The error entry's resource when the region's snapshot Block Public Access state cannot be read. */
const BLOCK_STATE_RESOURCE = 'snapshot-block-public-access';

export default defineCheck({
  id: 'ec2.public-snapshot',
  title: 'EBS snapshots are not public',
  service: 'ec2',
  scope: 'regional',
  severity: 'critical',
  description:
    'A public EBS snapshot can be copied into any AWS account and mounted as a disk: everything on the volume it was taken from (databases, keys, configuration) is readable by anyone who finds its id, and public snapshots are routinely scanned for secrets.',
  references: { securityHub: 'EC2.1' },
  remediation:
    'Remove the public permission: `aws ec2 modify-snapshot-attribute --snapshot-id <id> --attribute createVolumePermission --operation-type remove --group-names all`, share with specific account ids instead if someone needs it, and turn on EBS snapshot Block Public Access in the region (`aws ec2 enable-snapshot-block-public-access --state block-all-sharing`), which makes AWS refuse every public permission at once; this check then passes. Treat secrets that were on the volume as exposed.',
  uses: ['ec2.snapshots', 'ec2.publicSnapshotIds', 'ec2.snapshotBlockPublicAccess'],
  async run(ctx) {
    const snapshots = await ctx.inventory.get('ec2.snapshots');
    const publicIds = await ctx.inventory.get('ec2.publicSnapshotIds');
    // Needed only for public snapshots; its failure must not cost the verdicts on private ones.
    const blockState = await ctx.inventory.get('ec2.snapshotBlockPublicAccess').then(
      (state) => ({ ok: true as const, state }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    let publicSeen = false;
    const judgePublic = (id: string, snapshot: Snapshot | undefined): Evaluation => {
      publicSeen = true;
      // The permission is there: without the block state, the snapshot is public unless proven blocked.
      if (!blockState.ok) return failSnapshot(ctx, id, snapshot, 'unknown');
      // Block all sharing: the permission is still there, but AWS refuses it.
      if (blockState.state === 'block-all-sharing') return ctx.pass(id);
      return failSnapshot(ctx, id, snapshot, blockState.state);
    };
    const out: Evaluation[] = [];
    const seen = new Set<string>();
    for (const snapshot of snapshots) {
      if (!snapshot.SnapshotId) continue;
      seen.add(snapshot.SnapshotId);
      out.push(publicIds.has(snapshot.SnapshotId) ? judgePublic(snapshot.SnapshotId, snapshot) : ctx.pass(snapshot.SnapshotId));
    }
    // The two listings are separate calls: a snapshot made public in between is still reported.
    for (const id of publicIds) if (!seen.has(id)) out.push(judgePublic(id, undefined));
    // What could not be read is said once, beside the findings it left uncertain.
    if (publicSeen && !blockState.ok) out.push(ctx.error(BLOCK_STATE_RESOURCE, blockState.error));
    return out;
  },
});

function failSnapshot(ctx: CheckContext, id: string, snapshot: Snapshot | undefined, blockPublicAccess: string): Evaluation {
  const facts = [
    snapshot?.VolumeId ? `of ${snapshot.VolumeId}` : null,
    snapshot?.VolumeSize !== undefined ? `${snapshot.VolumeSize} GiB` : null,
    snapshot?.Encrypted === false ? 'unencrypted' : null,
  ]
    .filter(Boolean)
    .join(', ');
  return ctx.fail({
    // Snapshot ARNs carry no account id.
    resource: { type: 'AWS::EC2::Snapshot', id, arn: ec2Arn(ctx.region, '', 'snapshot', id), ...resourceTags(snapshot?.Tags) },
    message:
      `EBS snapshot ${id}${facts ? ` (${facts})` : ''} is public: any AWS account can create a volume from it and read its data.` +
      (blockPublicAccess === 'unknown'
        ? " (The region's snapshot Block Public Access state could not be read; unless it blocks all sharing, this holds.)"
        : ''),
    details: {
      snapshotId: id,
      volumeId: snapshot?.VolumeId ?? null,
      volumeSize: snapshot?.VolumeSize ?? null,
      encrypted: snapshot?.Encrypted ?? null,
      description: snapshot?.Description ?? null,
      startTime: snapshot?.StartTime ? snapshot.StartTime.toISOString() : null,
      snapshotBlockPublicAccess: blockPublicAccess,
    },
  });
}
