import type { Tag } from '@aws-sdk/client-ec2';
import { defineCheck } from '../../src/audit/check.js';
import type { CheckContext, Evaluation, ResourceRef } from '../../src/audit/types.js';
import { ec2Arn, tagValue } from '../../src/rules/ec2-resources.js';
import { loadBalancerLabel, v2Kind } from '../../src/rules/load-balancers.js';
import { clusterResource, instanceResource, liveInstances } from '../../src/rules/rds-databases.js';
import { resourceTags } from '../../src/rules/resource-tags.js';

interface Tagged {
  resource: ResourceRef;
  /** Words for the message: "Instance", "Volume", ... */
  kind: string;
  /** What people call it (Name tag, group name), raw. */
  name: string | null;
  /** How the message names it, when not `<kind> <id> (<name>)`. */
  label?: string;
  tags: readonly Tag[] | undefined;
}

/** Required keys absent or present with an empty (or blank) value: an empty Owner names no one. */
function missingTags(tags: readonly Tag[] | undefined, required: readonly string[]): string[] {
  return required.filter((key) => !tagValue(tags, key)?.trim());
}

export default defineCheck({
  id: 'ec2.required-tags',
  title: 'EC2, RDS and load balancer resources carry the required tags',
  service: 'ec2',
  scope: 'regional',
  severity: 'low',
  description:
    "Tags such as Owner and Environment are how a team finds out whose an instance, disk, database, load balancer or firewall rule is during an incident, and what can be shut down; untagged resources end up nobody's, unpatched and paid for.",
  references: {},
  remediation:
    'Add the missing tags (`aws ec2 create-tags --resources <id> --tags Key=<key>,Value=<value>`; for a database, `aws rds add-tags-to-resource --resource-name <arn> --tags Key=<key>,Value=<value>`; for a load balancer, `aws elbv2 add-tags --resource-arns <arn> --tags Key=<key>,Value=<value>`), set them in the launch templates and infrastructure code that create these resources, and consider an AWS Organizations tag policy to enforce them.',
  // DB instances and clusters come with their tags (TagList) in the listing the rds checks read: no extra call.
  // Application, Network and Gateway load balancers' tags take one DescribeTags call per 20.
  uses: ['ec2.instances', 'ec2.volumes', 'ec2.snapshots', 'ec2.securityGroups', 'rds.instances', 'rds.clusters', 'elb.v2LoadBalancers', 'elb.v2Tags'],
  enabled: (t) => t.requiredTags.length > 0,
  async run(ctx) {
    // One dataset that cannot be read fails the check for the region (the runner
    // reports the error): its earlier findings stay open instead of looking resolved.
    const [instances, volumes, snapshots, groups, dbInstances, dbClusters, loadBalancers, loadBalancerTags] = await Promise.all([
      ctx.inventory.get('ec2.instances'),
      ctx.inventory.get('ec2.volumes'),
      ctx.inventory.get('ec2.snapshots'),
      ctx.inventory.get('ec2.securityGroups'),
      ctx.inventory.get('rds.instances'),
      ctx.inventory.get('rds.clusters'),
      ctx.inventory.get('elb.v2LoadBalancers'),
      ctx.inventory.get('elb.v2Tags'),
    ]);
    const account = ctx.account.accountId;
    const arn = (type: string, id: string, owner = account) => ec2Arn(ctx.region, owner, type, id);
    const resources: Tagged[] = [
      // Terminated (and terminating) instances linger in the listing for an hour: nothing left to tag.
      ...instances
        .filter((i) => i.InstanceId && i.State?.Name !== 'terminated' && i.State?.Name !== 'shutting-down')
        .map((i) => ({
          resource: { type: 'AWS::EC2::Instance', id: i.InstanceId!, arn: arn('instance', i.InstanceId!) },
          kind: 'Instance',
          name: tagValue(i.Tags, 'Name'),
          tags: i.Tags,
        })),
      ...volumes
        .filter((v) => v.VolumeId && v.State !== 'deleting' && v.State !== 'deleted')
        .map((v) => ({
          resource: { type: 'AWS::EC2::Volume', id: v.VolumeId!, arn: arn('volume', v.VolumeId!) },
          kind: 'Volume',
          name: tagValue(v.Tags, 'Name'),
          tags: v.Tags,
        })),
      ...snapshots
        .filter((s) => s.SnapshotId)
        .map((s) => ({
          resource: { type: 'AWS::EC2::Snapshot', id: s.SnapshotId!, arn: arn('snapshot', s.SnapshotId!, '') },
          kind: 'Snapshot',
          name: tagValue(s.Tags, 'Name'),
          tags: s.Tags,
        })),
      // Groups of a VPC shared with this account belong to its owner: not ours to tag.
      ...groups
        .filter((g) => g.GroupId && (!g.OwnerId || g.OwnerId === account))
        .map((g) => ({
          resource: { type: 'AWS::EC2::SecurityGroup', id: g.GroupId!, arn: g.SecurityGroupArn ?? arn('security-group', g.GroupId!) },
          kind: 'Security group',
          name: g.GroupName ?? null,
          tags: g.Tags,
        })),
      // Members of a cluster carry tags of their own: each is tagged (and billed) on its own.
      ...liveInstances(dbInstances).map((i) => ({ resource: instanceResource(i, ctx.region, account), kind: 'DB instance', name: null, tags: i.TagList })),
      ...dbClusters
        .filter((c): c is typeof c & { DBClusterIdentifier: string } => Boolean(c.DBClusterIdentifier) && c.Status !== 'deleting')
        .map((c) => ({ resource: clusterResource(c, ctx.region, account), kind: 'DB cluster', name: null, tags: c.TagList })),
    ];
    const evaluations = resources.map((r) => evaluate(ctx, r));
    for (const lb of loadBalancers) {
      const read = loadBalancerTags.get(lb.LoadBalancerArn);
      // Deleted between the listing and the tag read: nothing left to tag.
      if (!read) continue;
      if (!read.ok) {
        evaluations.push(ctx.error(lb.LoadBalancerArn, read.error));
        continue;
      }
      const resource = { type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', id: lb.LoadBalancerArn, arn: lb.LoadBalancerArn };
      const name = lb.LoadBalancerName ?? null;
      // Named by its name: the ARN is in the resource.
      const label = loadBalancerLabel({ kind: v2Kind(lb), name: name ?? lb.LoadBalancerArn });
      evaluations.push(evaluate(ctx, { resource, kind: 'Load balancer', name, label, tags: read.value }));
    }
    return evaluations;
  },
});

function evaluate(ctx: CheckContext, r: Tagged): Evaluation {
  const required = [...new Set(ctx.thresholds.requiredTags)];
  const missing = missingTags(r.tags, required);
  if (missing.length === 0) return ctx.pass(r.resource.id);
  const empty = missing.filter((key) => tagValue(r.tags, key) !== null);
  return ctx.fail({
    resource: { ...r.resource, ...resourceTags(r.tags) },
    message: `${r.label ?? `${r.kind} ${r.resource.id}${r.name ? ` (${r.name})` : ''}`} is missing ${missing.length} of ${required.length} required tags: ${missing
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
