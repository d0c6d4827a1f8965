import {
  DescribeNetworkInterfacesCommand,
  DescribeRegionsCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  type IpPermission,
  type NetworkInterface,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/** Shapes as DescribeSecurityGroups / DescribeNetworkInterfaces return them (us-east-1, account 123456789012). */

export const OWNER = '123456789012';
export const VPC = 'vpc-0f1e2d3c4b5a69788';

type Ec2Mock = AwsClientStub<EC2Client>;

export function sgArn(groupId: string, region = 'us-east-1'): string {
  return `arn:aws:ec2:${region}:${OWNER}:security-group/${groupId}`;
}

/** The outbound rule AWS gives every new group. */
export const ALLOW_ALL_EGRESS: IpPermission = {
  IpProtocol: '-1',
  IpRanges: [{ CidrIp: '0.0.0.0/0' }],
  Ipv6Ranges: [],
  PrefixListIds: [],
  UserIdGroupPairs: [],
};

export function securityGroup(groupId: string, groupName: string, ingress: IpPermission[], overrides: Partial<SecurityGroup> = {}): SecurityGroup {
  return {
    GroupId: groupId,
    GroupName: groupName,
    Description: `${groupName} security group`,
    OwnerId: OWNER,
    VpcId: VPC,
    SecurityGroupArn: sgArn(groupId),
    IpPermissions: ingress,
    IpPermissionsEgress: [ALLOW_ALL_EGRESS],
    Tags: [],
    ...overrides,
  };
}

interface Sources {
  v4?: (string | { cidr: string; description: string })[];
  v6?: (string | { cidr: string; description: string })[];
  prefixLists?: string[];
  groups?: string[];
}

/** One IpPermission; ports omitted for protocol -1 (and other portless protocols), as AWS returns them. */
export function permission(protocol: string, fromPort: number | undefined, toPort: number | undefined, sources: Sources): IpPermission {
  const range = (r: string | { cidr: string; description: string }) => (typeof r === 'string' ? { cidr: r } : r);
  return {
    IpProtocol: protocol,
    ...(fromPort !== undefined ? { FromPort: fromPort } : {}),
    ...(toPort !== undefined ? { ToPort: toPort } : {}),
    IpRanges: (sources.v4 ?? []).map(range).map((r) => ({ CidrIp: r.cidr, ...('description' in r ? { Description: r.description } : {}) })),
    Ipv6Ranges: (sources.v6 ?? []).map(range).map((r) => ({ CidrIpv6: r.cidr, ...('description' in r ? { Description: r.description } : {}) })),
    PrefixListIds: (sources.prefixLists ?? []).map((id) => ({ PrefixListId: id })),
    UserIdGroupPairs: (sources.groups ?? []).map((id) => ({ GroupId: id, UserId: OWNER })),
  };
}

export const tcp = (from: number, to: number, sources: Sources) => permission('tcp', from, to, sources);

let eniCounter = 0;

/** A network interface (an instance's primary ENI) with these security groups. */
export function networkInterface(...groupIds: string[]): NetworkInterface {
  eniCounter++;
  const id = `eni-0${eniCounter.toString(16).padStart(16, 'a')}`;
  return {
    NetworkInterfaceId: id,
    InterfaceType: 'interface',
    Status: 'in-use',
    AvailabilityZone: 'us-east-1a',
    OwnerId: OWNER,
    VpcId: VPC,
    SubnetId: 'subnet-0123456789abcdef0',
    PrivateIpAddress: `10.0.1.${eniCounter % 250}`,
    Groups: groupIds.map((GroupId) => ({ GroupId, GroupName: GroupId })),
  };
}

/**
 * Mocks the region list and the two EC2 reads. `groups` as several arrays
 * serves them as pages chained by NextToken.
 */
export function serveEc2(ec2: Ec2Mock, groups: SecurityGroup[] | SecurityGroup[][], interfaces: NetworkInterface[] = []): void {
  ec2
    .on(DescribeRegionsCommand)
    .resolves({ Regions: [{ RegionName: 'us-east-1', Endpoint: 'ec2.us-east-1.amazonaws.com', OptInStatus: 'opt-in-not-required' }] });
  const pages = Array.isArray(groups[0]) ? (groups as SecurityGroup[][]) : [groups as SecurityGroup[]];
  pages.forEach((page, i) => {
    const next = i + 1 < pages.length ? { NextToken: `page-${i + 2}-token` } : {};
    const input = i === 0 ? { NextToken: undefined } : { NextToken: `page-${i + 1}-token` };
    ec2.on(DescribeSecurityGroupsCommand, input).resolves({ SecurityGroups: page, ...next });
  });
  ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: interfaces });
}
