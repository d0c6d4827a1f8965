import {
  DescribeFlowLogsCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  GetEbsEncryptionByDefaultCommand,
  GetSnapshotBlockPublicAccessStateCommand,
  type FlowLog,
  type Instance,
  type NetworkAcl,
  type SecurityGroup,
  type Snapshot,
  type Volume,
  type Vpc,
} from '@aws-sdk/client-ec2';
import { collectPages } from '../../aws/paginate.js';
import { malformedResponse } from '../../errors.js';
import type { DatasetDef, LoadContext } from './types.js';

async function loadSecurityGroups(ctx: LoadContext): Promise<SecurityGroup[]> {
  const ec2 = ctx.clients.ec2(ctx.region);
  return collectPages(async (NextToken) => {
    const page = await ec2.send(new DescribeSecurityGroupsCommand({ MaxResults: 1000, NextToken }));
    return { items: page.SecurityGroups, next: page.NextToken };
  });
}

/**
 * Security group id -> network interfaces it is attached to. A group attached
 * to nothing is unused: its rules let nothing in (yet).
 */
async function loadSecurityGroupUse(ctx: LoadContext): Promise<ReadonlyMap<string, number>> {
  const ec2 = ctx.clients.ec2(ctx.region);
  const interfaces = await collectPages(async (NextToken) => {
    const page = await ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 1000, NextToken }));
    return { items: page.NetworkInterfaces, next: page.NextToken };
  });
  const use = new Map<string, number>();
  for (const eni of interfaces) {
    for (const group of eni.Groups ?? []) if (group.GroupId) use.set(group.GroupId, (use.get(group.GroupId) ?? 0) + 1);
  }
  return use;
}

async function loadNetworkAcls(ctx: LoadContext): Promise<NetworkAcl[]> {
  const ec2 = ctx.clients.ec2(ctx.region);
  return collectPages(async (NextToken) => {
    const page = await ec2.send(new DescribeNetworkAclsCommand({ MaxResults: 100, NextToken }));
    return { items: page.NetworkAcls, next: page.NextToken };
  });
}

/** The account's own snapshots only: AMI snapshots shared by others are not its problem. */
async function loadSnapshots(ctx: LoadContext): Promise<Snapshot[]> {
  const ec2 = ctx.clients.ec2(ctx.region);
  return collectPages(async (NextToken) => {
    const page = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: 1000, NextToken }));
    return { items: page.Snapshots, next: page.NextToken };
  });
}

/**
 * Ids of the account's snapshots whose createVolumePermission includes group
 * `all`: DescribeSnapshots with RestorableByUserIds `all` returns exactly the
 * public ones, in one paginated call instead of one attribute read per snapshot.
 */
async function loadPublicSnapshotIds(ctx: LoadContext): Promise<ReadonlySet<string>> {
  // No snapshot of its own (most regions), none public: the second listing is not asked for.
  const own = (await ctx.dataset('ec2.snapshots')) as Snapshot[];
  if (own.length === 0) return new Set();
  const ec2 = ctx.clients.ec2(ctx.region);
  const snapshots = await collectPages(async (NextToken) => {
    const page = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], RestorableByUserIds: ['all'], MaxResults: 1000, NextToken }));
    return { items: page.Snapshots, next: page.NextToken };
  });
  // Only our own, whatever the service answered.
  return new Set(snapshots.filter((s) => s.SnapshotId && (!s.OwnerId || s.OwnerId === ctx.accountId)).map((s) => s.SnapshotId!));
}

async function loadEbsEncryptionByDefault(ctx: LoadContext): Promise<boolean> {
  const answer = await ctx.clients.ec2(ctx.region).send(new GetEbsEncryptionByDefaultCommand({}));
  if (typeof answer.EbsEncryptionByDefault !== 'boolean') {
    throw malformedResponse('GetEbsEncryptionByDefault returned no EbsEncryptionByDefault value');
  }
  return answer.EbsEncryptionByDefault;
}

/**
 * The region's EBS snapshot Block Public Access: `block-all-sharing` makes
 * S3-style "public" snapshots private again (their permission stays, AWS
 * refuses it); `block-new-sharing` only stops new public sharing.
 */
async function loadSnapshotBlockPublicAccess(ctx: LoadContext): Promise<string> {
  const answer = await ctx.clients.ec2(ctx.region).send(new GetSnapshotBlockPublicAccessStateCommand({}));
  if (typeof answer.State !== 'string') {
    throw malformedResponse('GetSnapshotBlockPublicAccessState returned no State');
  }
  return answer.State;
}

/** Every instance of the region, flattened out of its reservations (terminated ones included). */
async function loadInstances(ctx: LoadContext): Promise<Instance[]> {
  const ec2 = ctx.clients.ec2(ctx.region);
  const reservations = await collectPages(async (NextToken) => {
    const page = await ec2.send(new DescribeInstancesCommand({ MaxResults: 1000, NextToken }));
    return { items: page.Reservations, next: page.NextToken };
  });
  return reservations.flatMap((r) => r.Instances ?? []);
}

async function loadVolumes(ctx: LoadContext): Promise<Volume[]> {
  const ec2 = ctx.clients.ec2(ctx.region);
  return collectPages(async (NextToken) => {
    const page = await ec2.send(new DescribeVolumesCommand({ MaxResults: 500, NextToken }));
    return { items: page.Volumes, next: page.NextToken };
  });
}

async function loadVpcs(ctx: LoadContext): Promise<Vpc[]> {
  const ec2 = ctx.clients.ec2(ctx.region);
  return collectPages(async (NextToken) => {
    const page = await ec2.send(new DescribeVpcsCommand({ MaxResults: 1000, NextToken }));
    return { items: page.Vpcs, next: page.NextToken };
  });
}

async function loadFlowLogs(ctx: LoadContext): Promise<FlowLog[]> {
  const ec2 = ctx.clients.ec2(ctx.region);
  return collectPages(async (NextToken) => {
    const page = await ec2.send(new DescribeFlowLogsCommand({ MaxResults: 1000, NextToken }));
    return { items: page.FlowLogs, next: page.NextToken };
  });
}

export const ec2Datasets = {
  'ec2.securityGroups': { scope: 'regional', actions: ['ec2:DescribeSecurityGroups'], load: loadSecurityGroups } satisfies DatasetDef<SecurityGroup[]>,
  'ec2.securityGroupUse': {
    scope: 'regional',
    actions: ['ec2:DescribeNetworkInterfaces'],
    load: loadSecurityGroupUse,
  } satisfies DatasetDef<ReadonlyMap<string, number>>,
  'ec2.networkAcls': { scope: 'regional', actions: ['ec2:DescribeNetworkAcls'], load: loadNetworkAcls } satisfies DatasetDef<NetworkAcl[]>,
  'ec2.snapshots': { scope: 'regional', actions: ['ec2:DescribeSnapshots'], load: loadSnapshots } satisfies DatasetDef<Snapshot[]>,
  'ec2.publicSnapshotIds': {
    scope: 'regional',
    actions: ['ec2:DescribeSnapshots'],
    load: loadPublicSnapshotIds,
  } satisfies DatasetDef<ReadonlySet<string>>,
  'ec2.snapshotBlockPublicAccess': {
    scope: 'regional',
    actions: ['ec2:GetSnapshotBlockPublicAccessState'],
    load: loadSnapshotBlockPublicAccess,
  } satisfies DatasetDef<string>,
  'ec2.ebsEncryptionByDefault': {
    scope: 'regional',
    actions: ['ec2:GetEbsEncryptionByDefault'],
    load: loadEbsEncryptionByDefault,
  } satisfies DatasetDef<boolean>,
  'ec2.instances': { scope: 'regional', actions: ['ec2:DescribeInstances'], load: loadInstances } satisfies DatasetDef<Instance[]>,
  'ec2.volumes': { scope: 'regional', actions: ['ec2:DescribeVolumes'], load: loadVolumes } satisfies DatasetDef<Volume[]>,
  'ec2.vpcs': { scope: 'regional', actions: ['ec2:DescribeVpcs'], load: loadVpcs } satisfies DatasetDef<Vpc[]>,
  'ec2.flowLogs': { scope: 'regional', actions: ['ec2:DescribeFlowLogs'], load: loadFlowLogs } satisfies DatasetDef<FlowLog[]>,
};
