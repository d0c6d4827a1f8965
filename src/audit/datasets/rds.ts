import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotAttributesCommand,
  DescribeDBSnapshotsCommand,
  type DBCluster,
  type DBInstance,
  type Tag,
} from '@aws-sdk/client-rds';
import { collectPages } from '../../aws/paginate.js';
import { isSnapshotGone, restoreValues } from '../../aws/rds-snapshots.js';
import { attempt, type DatasetDef, type LoadContext, type Read } from './types.js';

/**
 * RDS as DescribeDBInstances and DescribeDBClusters list it. Both also list
 * Aurora, Neptune and DocumentDB (same API), Multi-AZ DB clusters and their
 * member instances; the checks decide what is judged where.
 */

async function loadInstances(ctx: LoadContext): Promise<DBInstance[]> {
  const rds = ctx.clients.rds(ctx.region);
  return collectPages(async (Marker) => {
    const page = await rds.send(new DescribeDBInstancesCommand({ MaxRecords: 100, Marker }));
    return { items: page.DBInstances, next: page.Marker };
  });
}

async function loadClusters(ctx: LoadContext): Promise<DBCluster[]> {
  const rds = ctx.clients.rds(ctx.region);
  return collectPages(async (Marker) => {
    const page = await rds.send(new DescribeDBClustersCommand({ MaxRecords: 100, Marker }));
    return { items: page.DBClusters, next: page.Marker };
  });
}

/** A manual snapshot of a DB instance (`db`) or of a DB cluster (`cluster`), with who may restore it. */
export interface RdsSnapshot {
  kind: 'db' | 'cluster';
  /** DBSnapshotIdentifier / DBClusterSnapshotIdentifier. */
  id: string;
  arn?: string;
  /** The instance or cluster it was taken from. */
  sourceId?: string;
  engine?: string;
  encrypted?: boolean;
  createdAt?: Date;
  tags?: Tag[];
  /**
   * The `restore` attribute's values: account ids it is shared with, `all`
   * when public. `gone` when the snapshot was deleted between the listing and
   * the read; a failed read (AccessDenied) is an error for this snapshot only.
   * `encrypted`: not read, since RDS refuses to make an encrypted snapshot
   * public (it can only be shared with named accounts).
   */
  restore: Read<string[] | 'gone' | 'encrypted'>;
}

async function readRestore(read: () => Promise<string[]>): Promise<Read<string[] | 'gone' | 'encrypted'>> {
  return attempt(async () => {
    try {
      return await read();
    } catch (error) {
      if (isSnapshotGone(error)) return 'gone' as const;
      throw error;
    }
  });
}

type Listed = Omit<RdsSnapshot, 'restore'>;

/**
 * Manual snapshots (listed page by page) and the `restore` attribute of each
 * unencrypted one, read one by one at bulk priority (the client's queue bounds how many at
 * once). Automated snapshots cannot be shared, so they are not listed;
 * neither are snapshots other accounts share with this one.
 */
async function manualSnapshots(
  ctx: LoadContext,
  list: (rds: RdsClient, marker: string | undefined) => Promise<{ items: Listed[]; next: string | undefined }>,
  restoreOf: (rds: RdsClient, id: string) => Promise<string[]>,
): Promise<RdsSnapshot[]> {
  const listed = await collectPages((marker) => list(ctx.clients.rds(ctx.region), marker));
  const bulk = ctx.clients.rds(ctx.region, { bulk: true });
  return Promise.all(
    listed.map(
      async (s): Promise<RdsSnapshot> => ({
        ...s,
        // Most snapshots are encrypted (those of encrypted databases are): one read saved per snapshot.
        restore: s.encrypted === true ? { ok: true, value: 'encrypted' } : await readRestore(() => restoreOf(bulk, s.id)),
      }),
    ),
  );
}

type RdsClient = ReturnType<LoadContext['clients']['rds']>;

/** The optional facts of a listed snapshot, left out when AWS did not give them. */
function facts(arn?: string, sourceId?: string, engine?: string, encrypted?: boolean, createdAt?: Date, tags?: Tag[]): Omit<Listed, 'kind' | 'id'> {
  return {
    ...(arn ? { arn } : {}),
    ...(sourceId ? { sourceId } : {}),
    ...(engine ? { engine } : {}),
    ...(typeof encrypted === 'boolean' ? { encrypted } : {}),
    ...(createdAt ? { createdAt } : {}),
    ...(tags ? { tags } : {}),
  };
}

/** Manual snapshots of DB instances. */
function loadDbSnapshots(ctx: LoadContext): Promise<RdsSnapshot[]> {
  return manualSnapshots(
    ctx,
    async (rds, Marker) => {
      const page = await rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: 'manual', MaxRecords: 100, Marker }));
      const items = (page.DBSnapshots ?? [])
        .filter((s) => s.DBSnapshotIdentifier)
        .map(
          (s): Listed => ({
            kind: 'db',
            id: s.DBSnapshotIdentifier!,
            ...facts(s.DBSnapshotArn, s.DBInstanceIdentifier, s.Engine, s.Encrypted, s.SnapshotCreateTime, s.TagList),
          }),
        );
      return { items, next: page.Marker };
    },
    async (rds, DBSnapshotIdentifier) => {
      const answer = await rds.send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier }));
      return restoreValues(answer.DBSnapshotAttributesResult?.DBSnapshotAttributes, 'DescribeDBSnapshotAttributes');
    },
  );
}

/** Manual snapshots of DB clusters (Aurora, Multi-AZ clusters, Neptune, DocumentDB). */
function loadClusterSnapshots(ctx: LoadContext): Promise<RdsSnapshot[]> {
  return manualSnapshots(
    ctx,
    async (rds, Marker) => {
      const page = await rds.send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual', MaxRecords: 100, Marker }));
      const items = (page.DBClusterSnapshots ?? [])
        .filter((s) => s.DBClusterSnapshotIdentifier)
        .map(
          (s): Listed => ({
            kind: 'cluster',
            id: s.DBClusterSnapshotIdentifier!,
            ...facts(s.DBClusterSnapshotArn, s.DBClusterIdentifier, s.Engine, s.StorageEncrypted, s.SnapshotCreateTime, s.TagList),
          }),
        );
      return { items, next: page.Marker };
    },
    async (rds, DBClusterSnapshotIdentifier) => {
      const answer = await rds.send(new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier }));
      return restoreValues(answer.DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes, 'DescribeDBClusterSnapshotAttributes');
    },
  );
}

export const rdsDatasets = {
  'rds.instances': { scope: 'regional', actions: ['rds:DescribeDBInstances'], load: loadInstances } satisfies DatasetDef<DBInstance[]>,
  'rds.clusters': { scope: 'regional', actions: ['rds:DescribeDBClusters'], load: loadClusters } satisfies DatasetDef<DBCluster[]>,
  'rds.dbSnapshots': {
    scope: 'regional',
    actions: ['rds:DescribeDBSnapshots', 'rds:DescribeDBSnapshotAttributes'],
    load: loadDbSnapshots,
  } satisfies DatasetDef<RdsSnapshot[]>,
  'rds.clusterSnapshots': {
    scope: 'regional',
    actions: ['rds:DescribeDBClusterSnapshots', 'rds:DescribeDBClusterSnapshotAttributes'],
    load: loadClusterSnapshots,
  } satisfies DatasetDef<RdsSnapshot[]>,
};
