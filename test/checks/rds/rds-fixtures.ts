import { DescribeSecurityGroupsCommand, type EC2Client, type SecurityGroup } from '@aws-sdk/client-ec2';
import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotAttributesCommand,
  DescribeDBSnapshotsCommand,
  type RDSClient,
  type DBCluster,
  type DBClusterSnapshot,
  type DBInstance,
  type DBSnapshot,
} from '@aws-sdk/client-rds';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { serveRegions, type Pages } from '../ec2/regional-fixtures.js';

/**
 * Fixtures for the rds.* checks: DescribeDBInstances / DescribeDBClusters /
 * snapshot answers shaped as RDS returns them for account 123456789012,
 * paginated with Marker, answered per region of the asking client.
 */

export const OWNER = '123456789012';
type RdsMock = AwsClientStub<RDSClient>;
type Ec2Mock = AwsClientStub<EC2Client>;

const arn = (region: string, type: string, id: string) => `arn:aws:rds:${region}:${OWNER}:${type}:${id}`;

/** A standalone PostgreSQL instance that passes every rds check, unless overridden. */
export function dbInstance(id: string, overrides: Partial<DBInstance> = {}, region = 'us-east-1'): DBInstance {
  return {
    DBInstanceIdentifier: id,
    DBInstanceArn: arn(region, 'db', id),
    DBInstanceClass: 'db.t4g.medium',
    Engine: 'postgres',
    EngineVersion: '16.3',
    DBInstanceStatus: 'available',
    MasterUsername: 'app',
    Endpoint: { Address: `${id}.c1a2b3c4d5e6.${region}.rds.amazonaws.com`, Port: 5432, HostedZoneId: 'Z2R2ITUGPM61AM' },
    AllocatedStorage: 100,
    InstanceCreateTime: new Date('2025-04-01T10:00:00Z'),
    BackupRetentionPeriod: 7,
    VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0db0000000000001a', Status: 'active' }],
    DBSubnetGroup: { DBSubnetGroupName: 'private', VpcId: 'vpc-0f1e2d3c4b5a69788', SubnetGroupStatus: 'Complete' },
    MultiAZ: false,
    AutoMinorVersionUpgrade: true,
    PubliclyAccessible: false,
    StorageType: 'gp3',
    StorageEncrypted: true,
    KmsKeyId: `arn:aws:kms:${region}:${OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    DbiResourceId: `db-${id.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
    DeletionProtection: true,
    TagList: [],
    ...overrides,
  };
}

/** A member instance of an Aurora cluster: cluster-level settings mirrored, its own public access and upgrades. */
export function auroraMember(id: string, cluster: string, overrides: Partial<DBInstance> = {}): DBInstance {
  return dbInstance(id, {
    Engine: 'aurora-postgresql',
    EngineVersion: '15.4',
    DBInstanceClass: 'db.r6g.large',
    DBClusterIdentifier: cluster,
    AllocatedStorage: 1,
    BackupRetentionPeriod: 1,
    DeletionProtection: false,
    StorageEncrypted: false,
    ...overrides,
  });
}

/** An Aurora PostgreSQL cluster that passes every rds check, unless overridden. */
export function dbCluster(id: string, members: string[], overrides: Partial<DBCluster> = {}, region = 'us-east-1'): DBCluster {
  return {
    DBClusterIdentifier: id,
    DBClusterArn: arn(region, 'cluster', id),
    Engine: 'aurora-postgresql',
    EngineVersion: '15.4',
    EngineMode: 'provisioned',
    Status: 'available',
    Endpoint: `${id}.cluster-c1a2b3c4d5e6.${region}.rds.amazonaws.com`,
    Port: 5432,
    BackupRetentionPeriod: 14,
    StorageEncrypted: true,
    DeletionProtection: true,
    MultiAZ: true,
    DBClusterMembers: members.map((m, n) => ({ DBInstanceIdentifier: m, IsClusterWriter: n === 0, PromotionTier: 1 })),
    VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0db0000000000001a', Status: 'active' }],
    TagList: [],
    ...overrides,
  };
}

export function dbSnapshot(id: string, overrides: Partial<DBSnapshot> = {}, region = 'us-east-1'): DBSnapshot {
  return {
    DBSnapshotIdentifier: id,
    DBSnapshotArn: arn(region, 'snapshot', id),
    DBInstanceIdentifier: 'orders',
    SnapshotCreateTime: new Date('2026-10-01T02:00:00Z'),
    Engine: 'postgres',
    Status: 'available',
    SnapshotType: 'manual',
    Encrypted: false,
    ...overrides,
  };
}

export function clusterSnapshot(id: string, overrides: Partial<DBClusterSnapshot> = {}, region = 'us-east-1'): DBClusterSnapshot {
  return {
    DBClusterSnapshotIdentifier: id,
    DBClusterSnapshotArn: arn(region, 'cluster-snapshot', id),
    DBClusterIdentifier: 'payments',
    SnapshotCreateTime: new Date('2026-10-02T02:00:00Z'),
    Engine: 'aurora-postgresql',
    Status: 'available',
    SnapshotType: 'manual',
    StorageEncrypted: false,
    ...overrides,
  };
}

function pageOf<T>(pages: Pages<T> | undefined, marker: string | undefined): { items: T[]; next?: string } {
  const all: T[][] = !pages || pages.length === 0 ? [[]] : Array.isArray(pages[0]) ? (pages as T[][]) : [pages as T[]];
  const index = marker ? Number(marker.split(':').pop()) : 0;
  const items = all[index];
  if (!items) throw Object.assign(new Error('The marker is invalid.'), { name: 'InvalidParameterValue', $metadata: {} });
  return { items, ...(index + 1 < all.length ? { next: `marker:${index + 1}` } : {}) };
}

export interface RdsRegion {
  instances?: Pages<DBInstance> | Error;
  clusters?: Pages<DBCluster> | Error;
  dbSnapshots?: Pages<DBSnapshot> | Error;
  clusterSnapshots?: Pages<DBClusterSnapshot> | Error;
  /** `restore` values (or the read's error) by snapshot id; absent: shared with nobody. */
  restore?: Record<string, string[] | Error>;
  securityGroups?: SecurityGroup[] | Error;
}

/** Answers every RDS listing and snapshot-attribute read, and DescribeSecurityGroups, for the region of the asking client. */
export function serveRds(rds: RdsMock, ec2: Ec2Mock, byRegion: Record<string, RdsRegion>): void {
  serveRegions(ec2);
  type AskingClient = () => { config: { region: () => Promise<string> } };
  const paged =
    <T>(key: string, pick: (r: RdsRegion) => Pages<T> | Error | undefined) =>
    async (input: { Marker?: string }, getClient: AskingClient) => {
      const answer = pick(byRegion[await getClient().config.region()] ?? {});
      if (answer instanceof Error) throw answer;
      const { items, next } = pageOf(answer, input.Marker);
      return { [key]: items, ...(next ? { Marker: next } : {}) };
    };
  rds.on(DescribeDBInstancesCommand).callsFake(paged('DBInstances', (r) => r.instances));
  rds.on(DescribeDBClustersCommand).callsFake(paged('DBClusters', (r) => r.clusters));
  rds.on(DescribeDBSnapshotsCommand).callsFake(paged('DBSnapshots', (r) => r.dbSnapshots));
  rds.on(DescribeDBClusterSnapshotsCommand).callsFake(paged('DBClusterSnapshots', (r) => r.clusterSnapshots));
  const restoreOf = async (id: string, getClient: AskingClient) => {
    const values = byRegion[await getClient().config.region()]?.restore?.[id] ?? [];
    if (values instanceof Error) throw values;
    return [{ AttributeName: 'restore', AttributeValues: values }];
  };
  rds.on(DescribeDBSnapshotAttributesCommand).callsFake(async (input: { DBSnapshotIdentifier: string }, getClient) => ({
    DBSnapshotAttributesResult: {
      DBSnapshotIdentifier: input.DBSnapshotIdentifier,
      DBSnapshotAttributes: await restoreOf(input.DBSnapshotIdentifier, getClient),
    },
  }));
  rds.on(DescribeDBClusterSnapshotAttributesCommand).callsFake(async (input: { DBClusterSnapshotIdentifier: string }, getClient) => ({
    DBClusterSnapshotAttributesResult: {
      DBClusterSnapshotIdentifier: input.DBClusterSnapshotIdentifier,
      DBClusterSnapshotAttributes: await restoreOf(input.DBClusterSnapshotIdentifier, getClient),
    },
  }));
  ec2.on(DescribeSecurityGroupsCommand).callsFake(async (_input, getClient) => {
    const groups = byRegion[await getClient().config.region()]?.securityGroups ?? [];
    if (groups instanceof Error) throw groups;
    return { SecurityGroups: groups };
  });
}

export { securityGroup, permission } from '../ec2/sg-fixtures.js';
