import type { SecurityGroup } from '@aws-sdk/client-ec2';
import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import type { CheckContext, DetailValue, Evaluation, ResourceRef } from '../audit/types.js';
import { partitionOfRegion } from '../aws/partition.js';
import { malformedResponse } from '../errors.js';
import { coversAllPorts, openIngress, portsCovered, reachesPorts, type OpenIngress } from './security-group-ingress.js';
import { resourceTags } from './resource-tags.js';

/**
 * Shared by the rds.* checks: what is judged where. Storage encryption,
 * backups and deletion protection of an Aurora (or Multi-AZ DB) cluster are
 * the cluster's; its member instances only mirror them, so a member is judged
 * on its cluster and never a second time. Not a check (no default export).
 */

/** A database as the cluster-level checks see it: a cluster, or an instance that belongs to none. */
export type Database =
  | { kind: 'cluster'; id: string; resource: ResourceRef; cluster: DBCluster; members: DBInstance[] }
  | { kind: 'instance'; id: string; resource: ResourceRef; instance: DBInstance };

const rdsArn = (region: string, accountId: string, type: 'db' | 'cluster', id: string): string =>
  `arn:${partitionOfRegion(region)}:rds:${region}:${accountId}:${type}:${id}`;

export function instanceResource(instance: DBInstance & { DBInstanceIdentifier: string }, region: string, accountId: string): ResourceRef {
  return {
    type: 'AWS::RDS::DBInstance',
    id: instance.DBInstanceIdentifier,
    arn: instance.DBInstanceArn ?? rdsArn(region, accountId, 'db', instance.DBInstanceIdentifier),
    ...resourceTags(instance.TagList),
  };
}

export function clusterResource(cluster: DBCluster & { DBClusterIdentifier: string }, region: string, accountId: string): ResourceRef {
  return {
    type: 'AWS::RDS::DBCluster',
    id: cluster.DBClusterIdentifier,
    arn: cluster.DBClusterArn ?? rdsArn(region, accountId, 'cluster', cluster.DBClusterIdentifier),
    ...resourceTags(cluster.TagList),
  };
}

/** Instances being deleted are gone in minutes: nothing left to fix. */
export function liveInstances(instances: readonly DBInstance[]): (DBInstance & { DBInstanceIdentifier: string })[] {
  return instances.filter((i): i is DBInstance & { DBInstanceIdentifier: string } => Boolean(i.DBInstanceIdentifier) && i.DBInstanceStatus !== 'deleting');
}

function liveClusters(clusters: readonly DBCluster[]): (DBCluster & { DBClusterIdentifier: string })[] {
  return clusters.filter((c): c is DBCluster & { DBClusterIdentifier: string } => Boolean(c.DBClusterIdentifier) && c.Status !== 'deleting');
}

/**
 * Clusters with their member instances, and instances of no cluster. A
 * member whose cluster is not in the listing (listed between the two calls)
 * is judged on its own: its fields mirror the cluster's.
 */
export function databases(instances: readonly DBInstance[], clusters: readonly DBCluster[], region: string, accountId: string): Database[] {
  const listed = liveClusters(clusters);
  const clusterIds = new Set(listed.map((c) => c.DBClusterIdentifier));
  const live = liveInstances(instances);
  return [
    ...listed.map(
      (cluster): Database => ({
        kind: 'cluster',
        id: cluster.DBClusterIdentifier,
        resource: clusterResource(cluster, region, accountId),
        cluster,
        members: live.filter((i) => i.DBClusterIdentifier === cluster.DBClusterIdentifier),
      }),
    ),
    ...live.filter((i) => !i.DBClusterIdentifier || !clusterIds.has(i.DBClusterIdentifier)).map((instance) => instanceDatabase(instance, region, accountId)),
  ];
}

/** One instance as a database of its own (the instance-level checks judge members too). */
export function instanceDatabase(instance: DBInstance & { DBInstanceIdentifier: string }, region: string, accountId: string): Database {
  return { kind: 'instance', id: instance.DBInstanceIdentifier, resource: instanceResource(instance, region, accountId), instance };
}

/** `DB instance orders (postgres 16.3)`, `DB cluster payments (aurora-postgresql 15.4)`: identifiers are the owner's words, raw. */
export function databaseLabel(db: Database): string {
  const engine = db.kind === 'cluster' ? [db.cluster.Engine, db.cluster.EngineVersion] : [db.instance.Engine, db.instance.EngineVersion];
  const facts = engine.filter(Boolean).join(' ');
  return `DB ${db.kind} ${db.id}${facts ? ` (${facts})` : ''}`;
}

/** The facts every rds finding carries. */
export function databaseDetails(db: Database): Record<string, DetailValue> {
  const source = db.kind === 'cluster' ? db.cluster : db.instance;
  return {
    dbKind: db.kind,
    dbIdentifier: db.id,
    engine: source.Engine ?? null,
    engineVersion: source.EngineVersion ?? null,
    ...(db.kind === 'cluster' ? { members: db.members.map((m) => m.DBInstanceIdentifier).join(', ') } : { instanceClass: db.instance.DBInstanceClass ?? null }),
  };
}

/** An answer without a field the verdict needs: an error for that resource, never a pass. */
export function missingField(operation: string, field: string, id: string): Error {
  return malformedResponse(`${operation} returned no ${field} for ${id}`);
}

/**
 * The loop of the cluster-level checks: every database, its setting read by
 * `field` (undefined: AWS did not say, an error entry), judged by `judge`
 * (a message when it fails, undefined when it passes).
 */
export async function judgeDatabases<T>(
  ctx: CheckContext,
  field: { name: string; read(db: Database): T | undefined },
  judge: (value: T, db: Database) => { message: string; details?: Record<string, DetailValue> } | undefined,
  include: (db: Database) => boolean = () => true,
): Promise<Evaluation[]> {
  const [instances, clusters] = await Promise.all([ctx.inventory.get('rds.instances'), ctx.inventory.get('rds.clusters')]);
  const out: Evaluation[] = [];
  for (const db of databases(instances, clusters, ctx.region, ctx.account.accountId).filter(include)) {
    const value = field.read(db);
    if (value === undefined) {
      out.push(ctx.error(db.id, missingField(db.kind === 'cluster' ? 'DescribeDBClusters' : 'DescribeDBInstances', field.name, db.id)));
      continue;
    }
    const verdict = judge(value, db);
    out.push(
      verdict ? ctx.fail({ resource: db.resource, message: verdict.message, details: { ...databaseDetails(db), ...verdict.details } }) : ctx.pass(db.id),
    );
  }
  return out;
}

/** The port a database listens on, when AWS has said (a database being created has no endpoint yet). */
export function databasePort(db: Database): number | undefined {
  const port = db.kind === 'cluster' ? db.cluster.Port : (db.instance.Endpoint?.Port ?? db.instance.DbInstancePort);
  return typeof port === 'number' && port > 0 ? port : undefined;
}

/** Ids of the VPC security groups attached (a group being removed still lets traffic in until it is gone). */
export function databaseGroupIds(db: Database): string[] {
  const memberships = db.kind === 'cluster' ? db.cluster.VpcSecurityGroups : db.instance.VpcSecurityGroups;
  return [...new Set((memberships ?? []).map((m) => m.VpcSecurityGroupId).filter((id): id is string => Boolean(id)))];
}

/** A world-open inbound rule of one of the database's groups that reaches its port. */
export interface PortExposure {
  group: SecurityGroup;
  rule: OpenIngress;
}

export interface InternetExposure {
  exposures: PortExposure[];
  /** Attached groups the region's listing does not have (deleted meanwhile, or a listing that lags). */
  unknownGroups: string[];
  /** The port is not known yet and some world-open rule reaches some ports: whether it reaches this one cannot be said. */
  portUnknown: boolean;
}

/** Which world-open rules of the database's security groups reach its port (the rule logic of the ec2.sg-* checks). */
export function internetExposure(db: Database, groups: ReadonlyMap<string, SecurityGroup>): InternetExposure {
  const port = databasePort(db);
  const out: InternetExposure = { exposures: [], unknownGroups: [], portUnknown: false };
  for (const id of databaseGroupIds(db)) {
    const group = groups.get(id);
    if (!group) {
      out.unknownGroups.push(id);
      continue;
    }
    for (const rule of openIngress(group)) {
      if (!reachesPorts(rule)) continue;
      if (port !== undefined ? portsCovered(rule, [port]).length > 0 : coversAllPorts(rule)) out.exposures.push({ group, rule });
      else if (port === undefined) out.portUnknown = true;
    }
  }
  return out;
}
