import type { Tag } from '@aws-sdk/client-ec2';
import { defineCheck } from '../../src/audit/check.js';
import type { CheckContext, Evaluation, ResourceRef } from '../../src/audit/types.js';
import { ec2Arn, tagValue } from '../../src/rules/ec2-resources.js';

interface Tagged {
  resource: ResourceRef;
  /** Words for the message: "Instance", "Volume", ... */
  kind: string;
  /** What people call it (Name tag, group name), raw. */
  name: string | null;
  tags: readonly Tag[] | undefined;
}

/** Required keys absent or present with an empty (or blank) value: an empty Owner names no one. */
function missingTags(tags: readonly Tag[] | undefined, required: readonly string[]): string[] {
  return required.filter((key) => !tagValue(tags, key)?.trim());
}

export default defineCheck({
  id: 'ec2.required-tags',
  title: 'EC2 resources carry the required tags',
  service: 'ec2',
  scope: 'regional',
  severity: 'low',
  description:
    'Tags such as Owner and Environment are how a team finds out whose an instance, disk or firewall rule is during an incident, and what can be shut down; untagged resources end up nobody\'s, unpatched and paid for.',
  references: {},
  remediation:
    'Add the missing tags (`aws ec2 create-tags --resources <id> --tags Key=<key>,Value=<value>`), set them in the launch templates and infrastructure code that create these resources, and consider an AWS Organizations tag policy to enforce them.',
  uses: ['ec2.instances', 'ec2.volumes', 'ec2.snapshots', 'ec2.securityGroups'],
  enabled: (t) => t.requiredTags.length > 0,
  async run(ctx) {
    // One dataset that cannot be read fails the check for the region (the runner
    // reports the error): its earlier findings stay open instead of looking resolved.
    const [instances, volumes, snapshots, groups] = await Promise.all([
      ctx.inventory.get('ec2.instances'),
      ctx.inventory.get('ec2.volumes'),
      ctx.inventory.get('ec2.snapshots'),
      ctx.inventory.get('ec2.securityGroups'),
    ]);
    const account = ctx.account.accountId;
    const arn = (type: string, id: string, owner = account) => ec2Arn(ctx.region, owner, type, id);
    const resources: Tagged[] = [
      // Terminated (and terminating) instances linger in the listing for an hour: nothing left to tag.
      ...instances
        .filter((i) => i.InstanceId && i.State?.Name !== 'terminated' && i.State?.Name !== 'shutting-down')
        .map((i) => ({ resource: { type: 'AWS::EC2::Instance', id: i.InstanceId!, arn: arn('instance', i.InstanceId!) }, kind: 'Instance', name: tagValue(i.Tags, 'Name'), tags: i.Tags })),
      ...volumes
        .filter((v) => v.VolumeId && v.State !== 'deleting' && v.State !== 'deleted')
        .map((v) => ({ resource: { type: 'AWS::EC2::Volume', id: v.VolumeId!, arn: arn('volume', v.VolumeId!) }, kind: 'Volume', name: tagValue(v.Tags, 'Name'), tags: v.Tags })),
      ...snapshots
        .filter((s) => s.SnapshotId)
        .map((s) => ({ resource: { type: 'AWS::EC2::Snapshot', id: s.SnapshotId!, arn: arn('snapshot', s.SnapshotId!, '') }, kind: 'Snapshot', name: tagValue(s.Tags, 'Name'), tags: s.Tags })),
      // Groups of a VPC shared with this account belong to its owner: not ours to tag.
      ...groups
        .filter((g) => g.GroupId && (!g.OwnerId || g.OwnerId === account))
        .map((g) => ({
          resource: { type: 'AWS::EC2::SecurityGroup', id: g.GroupId!, arn: g.SecurityGroupArn ?? arn('security-group', g.GroupId!) },
          kind: 'Security group',
          name: g.GroupName ?? null,
          tags: g.Tags,
        })),
    ];
    return resources.map((r) => evaluate(ctx, r));
  },
});

function evaluate(ctx: CheckContext, r: Tagged): Evaluation {
  const required = [...new Set(ctx.thresholds.requiredTags)];
  const missing = missingTags(r.tags, required);
  if (missing.length === 0) return ctx.pass(r.resource.id);
  const empty = missing.filter((key) => tagValue(r.tags, key) !== null);
  return ctx.fail({
    resource: r.resource,
    message: `${r.kind} ${r.resource.id}${r.name ? ` (${r.name})` : ''} is missing ${missing.length} of ${required.length} required tags: ${missing
      .map((key) => (empty.includes(key) ? `${key} (empty value)` : key))
      .join(', ')}.`,
    details: {
      resourceType: r.resource.type,
      resourceId: r.resource.id,
      name: r.name,
      missingTags: missing.join(', '),
      emptyTags: empty.join(', '),
      missingCount: missing.length,
      requiredTags: required.join(', '),
    },
  });
}
