import {
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  type Instance,
  type SecurityGroup,
  type Snapshot,
  type Volume,
} from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand, DescribeTagsCommand, ElasticLoadBalancingV2Client, type LoadBalancer } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient, type DBCluster, type DBInstance } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import requiredTags from '../../../checks/ec2/required-tags.js';
import { DEFAULT_THRESHOLDS } from '../../../src/config.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError } from '../../helpers/aws.js';
import { alb } from '../elb/elb-fixtures.js';
import { auroraMember, dbCluster, dbInstance } from '../rds/rds-fixtures.js';
import { instance, OWNER, reservations, serveRegions, servePaged, snapshot, tags, TWO_REGIONS, UNAUTHORIZED, volume, type Pages } from './regional-fixtures.js';

const ec2 = mockClient(EC2Client);
const rds = mockClient(RDSClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const CHECK = 'ec2.required-tags';
const REQUIRED = { requiredTags: ['Owner', 'Environment'] };
const OK = { Owner: 'team-data', Environment: 'prod' };

function securityGroup(id: string, name: string, overrides: Partial<SecurityGroup> = {}): SecurityGroup {
  return {
    GroupId: id,
    GroupName: name,
    Description: `${name} group`,
    OwnerId: OWNER,
    VpcId: 'vpc-0a1b2c3d4e5f60718',
    SecurityGroupArn: `arn:aws:ec2:us-east-1:${OWNER}:security-group/${id}`,
    IpPermissions: [],
    IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }],
    ...overrides,
  };
}

interface RegionResources {
  instances?: Pages<Instance>;
  volumes?: Pages<Volume>;
  snapshots?: Pages<Snapshot>;
  groups?: Pages<SecurityGroup>;
  dbInstances?: DBInstance[];
  dbClusters?: DBCluster[];
  loadBalancers?: LoadBalancer[];
  /** Tags by load balancer ARN; an ARN missing here is one deleted since the listing. */
  loadBalancerTags?: Record<string, ReturnType<typeof tags>>;
  /** DescribeTags fails with this when asked about the ARN. */
  tagErrors?: Record<string, Error>;
}

function serveResources(byRegion: Record<string, RegionResources>) {
  const pick = <K extends keyof RegionResources>(key: K) =>
    Object.fromEntries(Object.entries(byRegion).map(([region, r]) => [region, r[key] ?? []])) as Record<string, NonNullable<RegionResources[K]>>;
  serveRegions(ec2);
  servePaged(ec2, DescribeInstancesCommand, 'Reservations', pick('instances'), reservations);
  servePaged(ec2, DescribeVolumesCommand, 'Volumes', pick('volumes'));
  servePaged(ec2, DescribeSnapshotsCommand, 'Snapshots', pick('snapshots'));
  servePaged(ec2, DescribeSecurityGroupsCommand, 'SecurityGroups', pick('groups'));
  const perRegion =
    <T>(key: 'dbInstances' | 'dbClusters', list: string) =>
    async (_input: object, getClient: () => { config: { region: () => Promise<string> } }) => ({
      [list]: (byRegion[await getClient().config.region()]?.[key] ?? []) as T[],
    });
  rds.on(DescribeDBInstancesCommand).callsFake(perRegion('dbInstances', 'DBInstances'));
  rds.on(DescribeDBClustersCommand).callsFake(perRegion('dbClusters', 'DBClusters'));
  const regionOf = async (getClient: () => { config: { region: () => Promise<string> } }) => byRegion[await getClient().config.region()] ?? {};
  elbv2.on(DescribeLoadBalancersCommand).callsFake(async (_input: object, getClient: () => { config: { region: () => Promise<string> } }) => ({
    LoadBalancers: (await regionOf(getClient)).loadBalancers ?? [],
  }));
  elbv2.on(DescribeTagsCommand).callsFake(async (input: { ResourceArns: string[] }, getClient: () => { config: { region: () => Promise<string> } }) => {
    const world = await regionOf(getClient);
    if (input.ResourceArns.length > 20) throw awsError('ValidationError', 'at most 20 resource ARNs');
    for (const arn of input.ResourceArns) {
      const error = world.tagErrors?.[arn];
      if (error) throw error;
      if (!world.loadBalancerTags?.[arn]) throw awsError('LoadBalancerNotFound', `Load balancers '[${arn}]' not found`);
    }
    return {
      TagDescriptions: input.ResourceArns.map((arn) => ({
        ResourceArn: arn,
        Tags: world.loadBalancerTags![arn]!.map((t) => ({ Key: t.Key!, Value: t.Value })),
      })),
    };
  });
}

/** `count` load balancers named lb-00…, their tags OK unless `tagged` says otherwise. */
function loadBalancers(count: number, tagged: Record<string, ReturnType<typeof tags>> = {}, type: (i: number) => LoadBalancer['Type'] = () => 'application') {
  const lbs = Array.from({ length: count }, (_, i) =>
    alb(`lb-${String(i).padStart(2, '0')}`, {
      Type: type(i),
      LoadBalancerArn: `arn:aws:elasticloadbalancing:us-east-1:${OWNER}:loadbalancer/app/lb-${String(i).padStart(2, '0')}/${String(i).padStart(16, '0')}`,
    }),
  );
  return { lbs, tags: Object.fromEntries(lbs.map((lb) => [lb.LoadBalancerArn!, tagged[lb.LoadBalancerName!] ?? tags(OK)])) };
}

const READS = [DescribeInstancesCommand, DescribeVolumesCommand, DescribeSnapshotsCommand, DescribeSecurityGroupsCommand];

describe('ec2.required-tags', () => {
  beforeEach(() => {
    ec2.reset();
    rds.reset();
    elbv2.reset();
  });

  it('declares its datasets and is off without required tags', () => {
    expect(requiredTags).toMatchObject({ id: CHECK, service: 'ec2', scope: 'regional', severity: 'low' });
    expect(requiredTags.uses).toEqual([
      'ec2.instances',
      'ec2.volumes',
      'ec2.snapshots',
      'ec2.securityGroups',
      'rds.instances',
      'rds.clusters',
      'elb.v2LoadBalancers',
      'elb.v2Tags',
    ]);
    expect(requiredTags.enabled?.(DEFAULT_THRESHOLDS)).toBe(false);
    expect(requiredTags.enabled?.({ ...DEFAULT_THRESHOLDS, ...REQUIRED })).toBe(true);
  });

  it('reads nothing and reports nothing when no tags are required', async () => {
    serveResources({ 'us-east-1': { instances: [instance('i-0000000000000a001', { Tags: [] })], volumes: [volume('vol-0000000000000a001')] } });
    const result = await audit([requiredTags], { thresholds: { requiredTags: [] } });
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 0 });
    for (const command of READS) expect(ec2.commandCalls(command)).toHaveLength(0);
    expect(Object.keys(result.stats.apiCallsByOperation).filter((op) => op !== 'ec2:DescribeRegions' && op !== 'sts:AssumeRole')).toEqual([]);
  });

  it('passes resources that carry every required tag with a value', async () => {
    serveResources({
      'us-east-1': {
        instances: [instance('i-0000000000000a001', { Tags: tags({ Name: 'web', ...OK }) })],
        volumes: [volume('vol-0000000000000a001', { Tags: tags(OK) })],
        snapshots: [snapshot('snap-0000000000000a001', { Tags: tags({ ...OK, extra: '' }) })],
        groups: [securityGroup('sg-0000000000000a001', 'web', { Tags: tags(OK) })],
      },
    });
    const result = await audit([requiredTags], { thresholds: REQUIRED });
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 4, failed: 0, errors: 0 });
  });

  it('fails every resource type missing a tag; keys match case-sensitively and an empty value counts as missing', async () => {
    serveResources({
      'us-east-1': {
        instances: [instance('i-0123456789abcdef0', { Tags: tags({ Name: 'web <1>', Owner: 'team-web', environment: 'prod' }) })],
        volumes: [volume('vol-0123456789abcdef0', { Tags: tags({ Owner: '', Environment: 'prod' }) })],
        snapshots: [snapshot('snap-0123456789abcdef0')],
        groups: [securityGroup('sg-0123456789abcdef0', 'default', { Tags: tags({ Owner: ' ', Environment: 'prod' }) })],
      },
    });
    const result = await audit([requiredTags], { thresholds: REQUIRED });
    expect(result.errors).toEqual([]);
    const byId = new Map(result.findings.map((f) => [f.resource.id, f]));
    expect([...byId.keys()].sort()).toEqual(['i-0123456789abcdef0', 'sg-0123456789abcdef0', 'snap-0123456789abcdef0', 'vol-0123456789abcdef0']);
    expect(byId.get('i-0123456789abcdef0')).toEqual({
      checkId: CHECK,
      severity: 'low',
      accountId: '123456789012',
      region: 'us-east-1',
      resource: {
        type: 'AWS::EC2::Instance',
        id: 'i-0123456789abcdef0',
        arn: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0',
        // The resource's own tags, key case as AWS has it: what a config mute's tags match.
        tags: { Name: 'web <1>', Owner: 'team-web', environment: 'prod' },
      },
      message: 'Instance i-0123456789abcdef0 (web <1>) is missing 1 of 2 required tags: Environment.',
      fingerprint: findingFingerprint({ checkId: CHECK, accountId: '123456789012', region: 'us-east-1', resourceId: 'i-0123456789abcdef0' }),
      details: {
        resourceType: 'AWS::EC2::Instance',
        resourceId: 'i-0123456789abcdef0',
        name: 'web <1>',
        missingTags: 'Environment',
        emptyTags: '',
        missingCount: 1,
        requiredTags: 'Owner, Environment',
      },
    });
    expect(byId.get('vol-0123456789abcdef0')).toMatchObject({
      resource: { type: 'AWS::EC2::Volume', arn: 'arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0' },
      message: 'Volume vol-0123456789abcdef0 is missing 1 of 2 required tags: Owner (empty value).',
      details: { missingTags: 'Owner', emptyTags: 'Owner', name: null },
    });
    expect(byId.get('snap-0123456789abcdef0')).toMatchObject({
      resource: { type: 'AWS::EC2::Snapshot', arn: 'arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0' },
      message: 'Snapshot snap-0123456789abcdef0 is missing 2 of 2 required tags: Owner, Environment.',
      details: { missingTags: 'Owner, Environment', missingCount: 2 },
    });
    expect(byId.get('sg-0123456789abcdef0')).toMatchObject({
      resource: { type: 'AWS::EC2::SecurityGroup', arn: 'arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0' },
      message: 'Security group sg-0123456789abcdef0 (default) is missing 1 of 2 required tags: Owner (empty value).',
      details: { name: 'default', emptyTags: 'Owner' },
    });
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 4, errors: 0 });
  });

  it('skips terminated instances, deleted volumes and groups owned by another account', async () => {
    serveResources({
      'us-east-1': {
        instances: [
          instance('i-0000000000000b001', { Tags: [], State: { Code: 48, Name: 'terminated' } }),
          instance('i-0000000000000b002', { Tags: [], State: { Code: 32, Name: 'shutting-down' } }),
          instance('i-0000000000000b003', { Tags: [], State: { Code: 80, Name: 'stopped' } }),
        ],
        volumes: [volume('vol-0000000000000b001', { State: 'deleting' }), volume('vol-0000000000000b002', { State: 'available' })],
        groups: [securityGroup('sg-0000000000000b001', 'shared-vpc-web', { OwnerId: '210987654321' })],
      },
    });
    const result = await audit([requiredTags], { thresholds: REQUIRED });
    expect(result.findings.map((f) => f.resource.id).sort()).toEqual(['i-0000000000000b003', 'vol-0000000000000b002']);
  });

  it('errors for the region, without findings or passes, when one resource type cannot be read', async () => {
    serveResources({ 'us-east-1': { instances: [instance('i-0000000000000c001', { Tags: [] })] } });
    ec2.on(DescribeVolumesCommand).rejects(awsError('UnauthorizedOperation', `${UNAUTHORIZED}DescribeVolumes`));
    const result = await audit([requiredTags], { thresholds: REQUIRED });
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([{ checkId: CHECK, region: 'us-east-1', code: 'UnauthorizedOperation', message: `${UNAUTHORIZED}DescribeVolumes` }]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 1 });
  });

  it('covers DB instances (Aurora members each on their own tags) and clusters from the listings rds reads', async () => {
    serveResources({
      'us-east-1': {
        dbInstances: [
          dbInstance('orders', { TagList: tags(OK) }),
          auroraMember('payments-1', 'payments', { TagList: tags({ Owner: 'team-pay' }) }),
          dbInstance('old', { DBInstanceStatus: 'deleting' }),
        ],
        dbClusters: [dbCluster('payments', ['payments-1'], { TagList: tags({ Environment: 'prod', Owner: ' ' }) })],
      },
    });
    const result = await audit([requiredTags], { thresholds: REQUIRED });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.resource.type, f.resource.id, f.resource.arn, f.message])).toEqual([
      [
        'AWS::RDS::DBCluster',
        'payments',
        `arn:aws:rds:us-east-1:${OWNER}:cluster:payments`,
        'DB cluster payments is missing 1 of 2 required tags: Owner (empty value).',
      ],
      [
        'AWS::RDS::DBInstance',
        'payments-1',
        `arn:aws:rds:us-east-1:${OWNER}:db:payments-1`,
        'DB instance payments-1 is missing 1 of 2 required tags: Environment.',
      ],
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 2, errors: 0 });
    // The tags come with the listings: no per-database tag read.
    expect(Object.keys(result.stats.apiCallsByOperation).filter((op) => op.startsWith('rds:'))).toEqual(['rds:DescribeDBClusters', 'rds:DescribeDBInstances']);
  });

  it('errors for the region when the databases cannot be listed (an audit role without rds permissions)', async () => {
    serveResources({ 'us-east-1': { instances: [instance('i-0000000000000c001', { Tags: [] })] } });
    rds.on(DescribeDBInstancesCommand).rejects(awsError('AccessDenied', 'not authorized to perform: rds:DescribeDBInstances'));
    const result = await audit([requiredTags], { thresholds: REQUIRED });
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: CHECK, region: 'us-east-1', code: 'AccessDenied', message: 'not authorized to perform: rds:DescribeDBInstances' },
    ]);
  });

  it('covers Application, Network and Gateway load balancers, with one DescribeTags call per 20', async () => {
    const { lbs, tags: lbTags } = loadBalancers(45, { 'lb-03': tags({ Environment: 'prod' }), 'lb-40': tags({ Owner: 'team-edge', Environment: '' }) }, (i) =>
      i % 3 === 1 ? 'network' : i % 3 === 2 ? 'gateway' : 'application',
    );
    serveResources({ 'us-east-1': { loadBalancers: lbs, loadBalancerTags: lbTags } });
    const result = await audit([requiredTags], { thresholds: REQUIRED });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.resource.type, f.resource.id, f.message])).toEqual([
      ['AWS::ElasticLoadBalancingV2::LoadBalancer', lbs[3]!.LoadBalancerArn, 'Application load balancer lb-03 is missing 1 of 2 required tags: Owner.'],
      [
        'AWS::ElasticLoadBalancingV2::LoadBalancer',
        lbs[40]!.LoadBalancerArn,
        'Network load balancer lb-40 is missing 1 of 2 required tags: Environment (empty value).',
      ],
    ]);
    expect(result.findings[0]!.details).toMatchObject({ resourceType: 'AWS::ElasticLoadBalancingV2::LoadBalancer', name: 'lb-03' });
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 43, failed: 2, errors: 0 });
    expect(
      elbv2
        .commandCalls(DescribeTagsCommand)
        .map((c) => c.args[0].input.ResourceArns!.length)
        .sort((a, b) => a - b),
    ).toEqual([5, 20, 20]);
  });

  it('leaves out a load balancer deleted since the listing, and errors per load balancer whose tags cannot be read', async () => {
    const { lbs, tags: lbTags } = loadBalancers(25);
    delete lbTags[lbs[7]!.LoadBalancerArn!];
    const denied = awsError('AccessDenied', 'not authorized to perform: elasticloadbalancing:DescribeTags');
    serveResources({ 'us-east-1': { loadBalancers: lbs, loadBalancerTags: lbTags, tagErrors: { [lbs[22]!.LoadBalancerArn!]: denied } } });
    const result = await audit([requiredTags], { thresholds: REQUIRED });
    expect(result.findings).toEqual([]);
    // The second batch (lb-20…lb-24) failed as a whole: one error for each of its load balancers.
    expect(result.errors.map((e) => [e.resource, e.code])).toEqual(lbs.slice(20).map((lb) => [lb.LoadBalancerArn, 'AccessDenied']));
    // The first batch met the deleted one, was asked again one by one, and lb-07 is left out.
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 19, failed: 0, errors: 5 });
    expect(elbv2.commandCalls(DescribeTagsCommand)).toHaveLength(2 + 20);
  });

  it('errors for the region when the load balancers cannot be listed', async () => {
    serveResources({ 'us-east-1': { instances: [instance('i-0000000000000c001', { Tags: [] })] } });
    elbv2.on(DescribeLoadBalancersCommand).rejects(awsError('AccessDenied', 'not authorized to perform: elasticloadbalancing:DescribeLoadBalancers'));
    const result = await audit([requiredTags], { thresholds: REQUIRED });
    expect(result.findings).toEqual([]);
    expect(result.errors.map((e) => [e.region, e.code, e.resource])).toEqual([['us-east-1', 'AccessDenied', undefined]]);
  });

  it('reads every page of every resource type', async () => {
    serveResources({
      'us-east-1': {
        instances: [[instance('i-0000000000000d001', { Tags: tags(OK) })], [instance('i-0000000000000d002', { Tags: [] })]],
        volumes: [[volume('vol-0000000000000d001', { Tags: tags(OK) })], [volume('vol-0000000000000d002')]],
        snapshots: [[snapshot('snap-0000000000000d001', { Tags: tags(OK) })], [snapshot('snap-0000000000000d002')]],
        groups: [[securityGroup('sg-0000000000000d001', 'a', { Tags: tags(OK) })], [securityGroup('sg-0000000000000d002', 'b')]],
      },
    });
    const result = await audit([requiredTags], { thresholds: REQUIRED });
    expect(result.findings.map((f) => f.resource.id).sort()).toEqual([
      'i-0000000000000d002',
      'sg-0000000000000d002',
      'snap-0000000000000d002',
      'vol-0000000000000d002',
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 4, failed: 4, errors: 0 });
    for (const command of READS) expect(ec2.commandCalls(command)).toHaveLength(2);
  });

  it('has nothing to say about an empty region', async () => {
    serveResources({});
    const result = await audit([requiredTags], { thresholds: REQUIRED });
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 0 });
  });

  it('reports each resource in its own region', async () => {
    serveResources({
      'us-east-1': { volumes: [volume('vol-0000000000000e001', { Tags: tags(OK) })] },
      'eu-west-1': { volumes: [volume('vol-0000000000000e002', { AvailabilityZone: 'eu-west-1a', Tags: tags({ Owner: 'ops' }) })] },
    });
    const result = await audit([requiredTags], { thresholds: REQUIRED, account: { regions: TWO_REGIONS } });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.region, f.resource.id, f.resource.arn])).toEqual([
      ['eu-west-1', 'vol-0000000000000e002', 'arn:aws:ec2:eu-west-1:123456789012:volume/vol-0000000000000e002'],
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 1, errors: 0 });
  });
});
