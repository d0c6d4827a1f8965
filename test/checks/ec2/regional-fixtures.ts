import {
  DescribeRegionsCommand,
  type EC2ClientResolvedConfig,
  type FlowLog,
  type Instance,
  type NetworkAcl,
  type NetworkAclEntry,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  type Snapshot,
  type Tag,
  type Volume,
  type Vpc,
} from '@aws-sdk/client-ec2';
import type { AwsStub } from 'aws-sdk-client-mock';

/**
 * Fixtures for the regional EC2/VPC checks: responses shaped as DescribeX
 * returns them for account 123456789012, answered per region of the client
 * that asks, paginated with NextToken.
 */

export type Ec2Mock = AwsStub<ServiceInputTypes, ServiceOutputTypes, EC2ClientResolvedConfig>;

export const OWNER = '123456789012';
export const TWO_REGIONS = ['us-east-1', 'eu-west-1'];
export const UNAUTHORIZED =
  'You are not authorized to perform this operation. User: arn:aws:sts::123456789012:assumed-role/AuditReadOnly/aws-audit-bot-test is not authorized to perform: ec2:';

/** DescribeRegions as an account sees it: the two audited regions enabled, one opt-in region not. */
export function serveRegions(ec2: Ec2Mock): void {
  ec2.on(DescribeRegionsCommand).resolves({
    Regions: [
      { RegionName: 'af-south-1', Endpoint: 'ec2.af-south-1.amazonaws.com', OptInStatus: 'not-opted-in' },
      { RegionName: 'eu-west-1', Endpoint: 'ec2.eu-west-1.amazonaws.com', OptInStatus: 'opt-in-not-required' },
      { RegionName: 'us-east-1', Endpoint: 'ec2.us-east-1.amazonaws.com', OptInStatus: 'opt-in-not-required' },
    ],
  });
}

/** Pages of one region: a flat array is one page. */
export type Pages<T> = T[] | T[][];

function asPages<T>(pages: Pages<T> | undefined): T[][] {
  if (!pages || pages.length === 0) return [[]];
  return Array.isArray(pages[0]) ? (pages as T[][]) : [pages as T[]];
}

/**
 * Answers a paginated Describe call with the pages listed for the region of
 * the calling client (no entry: an empty region). Records every request.
 */
export function servePaged<T>(
  ec2: Ec2Mock,
  // biome-ignore lint/suspicious/noExplicitAny: any EC2 command class; its pages are typed by T.
  command: new (input: any) => any,
  listKey: string,
  byRegion: Record<string, Pages<T>>,
  wrap: (items: T[]) => unknown = (items) => items,
): void {
  ec2.on(command).callsFake(async (input: { NextToken?: string }, getClient) => {
    const region = await getClient().config.region();
    const pages = asPages(byRegion[region]);
    const index = input.NextToken ? Number(/-p(\d+)$/.exec(input.NextToken)?.[1]) : 0;
    const page = pages[index];
    if (!page) throw Object.assign(new Error('The pagination token is invalid.'), { name: 'InvalidPaginationToken', $metadata: {} });
    return {
      [listKey]: wrap(page),
      ...(index + 1 < pages.length ? { NextToken: `AAEAAb${region}-p${index + 1}` } : {}),
    };
  });
}

export const tags = (entries: Record<string, string>): Tag[] => Object.entries(entries).map(([Key, Value]) => ({ Key, Value }));

const hex = (n: number) => n.toString(16).padStart(17, '0');

/** A running t3.micro named app-<last 4 of id>, with IMDSv2 required and an instance profile, unless overridden. */
export function instance(id: string, overrides: Partial<Instance> = {}): Instance {
  return {
    InstanceId: id,
    ImageId: 'ami-0c02fb55956c7d316',
    InstanceType: 't3.micro',
    KeyName: 'ops',
    LaunchTime: new Date('2026-03-02T09:15:00Z'),
    Placement: { AvailabilityZone: 'us-east-1a', Tenancy: 'default' },
    PrivateIpAddress: `10.0.1.${parseInt(id.slice(-2), 16) % 250}`,
    State: { Code: 16, Name: 'running' },
    SubnetId: 'subnet-0a1b2c3d4e5f60718',
    VpcId: 'vpc-0a1b2c3d4e5f60718',
    Architecture: 'x86_64',
    RootDeviceName: '/dev/xvda',
    RootDeviceType: 'ebs',
    IamInstanceProfile: { Arn: `arn:aws:iam::${OWNER}:instance-profile/app-server`, Id: 'AIPAEXAMPLEPROFILE123' },
    SecurityGroups: [{ GroupId: 'sg-0a1b2c3d4e5f60718', GroupName: 'app' }],
    MetadataOptions: {
      State: 'applied',
      HttpTokens: 'required',
      HttpPutResponseHopLimit: 2,
      HttpEndpoint: 'enabled',
      HttpProtocolIpv6: 'disabled',
      InstanceMetadataTags: 'disabled',
    },
    Tags: tags({ Name: `app-${id.slice(-4)}` }),
    ...overrides,
  };
}

/** DescribeInstances groups instances in reservations (one per launch request). */
export function reservations(instances: Instance[]) {
  return instances.map((i, n) => ({ ReservationId: `r-${hex(n + 1)}`, OwnerId: OWNER, Groups: [], Instances: [i] }));
}

export function volume(id: string, overrides: Partial<Volume> = {}): Volume {
  return {
    VolumeId: id,
    Size: 8,
    AvailabilityZone: 'us-east-1a',
    State: 'in-use',
    CreateTime: new Date('2026-03-02T09:15:01Z'),
    Encrypted: true,
    KmsKeyId: `arn:aws:kms:us-east-1:${OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    VolumeType: 'gp3',
    Iops: 3000,
    Throughput: 125,
    MultiAttachEnabled: false,
    Attachments: [],
    ...overrides,
  };
}

export function snapshot(id: string, overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    SnapshotId: id,
    OwnerId: OWNER,
    VolumeId: 'vol-0a1b2c3d4e5f60718',
    VolumeSize: 8,
    State: 'completed',
    Progress: '100%',
    StartTime: new Date('2026-10-01T02:00:00Z'),
    Encrypted: true,
    Description: 'nightly backup',
    StorageTier: 'standard',
    ...overrides,
  };
}

export function vpc(id: string, overrides: Partial<Vpc> = {}): Vpc {
  return {
    VpcId: id,
    OwnerId: OWNER,
    CidrBlock: '10.0.0.0/16',
    CidrBlockAssociationSet: [{ AssociationId: `vpc-cidr-assoc-${id.slice(4)}`, CidrBlock: '10.0.0.0/16', CidrBlockState: { State: 'associated' } }],
    DhcpOptionsId: 'dopt-0a1b2c3d4e5f60718',
    InstanceTenancy: 'default',
    IsDefault: false,
    State: 'available',
    ...overrides,
  };
}

export function flowLog(id: string, resourceId: string, overrides: Partial<FlowLog> = {}): FlowLog {
  return {
    FlowLogId: id,
    ResourceId: resourceId,
    CreationTime: new Date('2025-06-01T00:00:00Z'),
    DeliverLogsStatus: 'SUCCESS',
    DeliverLogsPermissionArn: `arn:aws:iam::${OWNER}:role/vpc-flow-logs`,
    FlowLogStatus: 'ACTIVE',
    LogDestinationType: 'cloud-watch-logs',
    LogGroupName: `/vpc/${resourceId}`,
    TrafficType: 'ALL',
    MaxAggregationInterval: 600,
    LogFormat:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the flow log format is literally ${field} names.
      '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}',
    ...overrides,
  };
}

/** An inbound NACL entry (IPv4 unless `cidr` contains a colon). Ports only for TCP/UDP, as AWS returns them. */
export function inbound(rule: number, action: 'allow' | 'deny', protocol: string, cidr: string, ports?: [number, number]): NetworkAclEntry {
  return {
    RuleNumber: rule,
    RuleAction: action,
    Protocol: protocol,
    Egress: false,
    ...(cidr.includes(':') ? { Ipv6CidrBlock: cidr } : { CidrBlock: cidr }),
    ...(ports ? { PortRange: { From: ports[0], To: ports[1] } } : {}),
  };
}

function outbound(rule: number, action: 'allow' | 'deny', cidr: string): NetworkAclEntry {
  return { ...inbound(rule, action, '-1', cidr), Egress: true };
}

/** The entries AWS gives a VPC's default ACL (IPv6 ones when the VPC has an IPv6 block). */
export function defaultEntries(ipv6 = false): NetworkAclEntry[] {
  return [
    outbound(100, 'allow', '0.0.0.0/0'),
    ...(ipv6 ? [outbound(101, 'allow', '::/0')] : []),
    outbound(32767, 'deny', '0.0.0.0/0'),
    ...(ipv6 ? [outbound(32768, 'deny', '::/0')] : []),
    inbound(100, 'allow', '-1', '0.0.0.0/0'),
    ...(ipv6 ? [inbound(101, 'allow', '-1', '::/0')] : []),
    inbound(32767, 'deny', '-1', '0.0.0.0/0'),
    ...(ipv6 ? [inbound(32768, 'deny', '-1', '::/0')] : []),
  ];
}

/** A network ACL associated with `subnets` subnets; the final `*` deny rules are added as AWS lists them. */
export function networkAcl(id: string, entries: NetworkAclEntry[], overrides: Partial<NetworkAcl> & { subnets?: number } = {}): NetworkAcl {
  const { subnets = 1, ...rest } = overrides;
  const hasFinal = entries.some((e) => e.RuleNumber === 32767 && !e.Egress);
  return {
    NetworkAclId: id,
    VpcId: 'vpc-0a1b2c3d4e5f60718',
    OwnerId: OWNER,
    IsDefault: false,
    Associations: Array.from({ length: subnets }, (_, n) => ({
      NetworkAclAssociationId: `aclassoc-${hex(n + 1)}`,
      NetworkAclId: id,
      SubnetId: `subnet-${hex(n + 0x100)}`,
    })),
    Entries: hasFinal ? entries : [...entries, outbound(32767, 'deny', '0.0.0.0/0'), inbound(32767, 'deny', '-1', '0.0.0.0/0')],
    Tags: [],
    ...rest,
  };
}
