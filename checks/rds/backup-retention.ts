import { defineCheck } from '../../src/audit/check.js';
import { databaseLabel, judgeDatabases, type Database } from '../../src/rules/rds-databases.js';

/**
 * A read replica instance keeps no backups of its own (PostgreSQL replicas
 * cannot): its source's backups are what count. Replica clusters (Aurora in
 * another region) do keep their own and are judged.
 */
const isReadReplica = (db: Database): boolean =>
  db.kind === 'instance' && Boolean(db.instance.ReadReplicaSourceDBInstanceIdentifier || db.instance.ReadReplicaSourceDBClusterIdentifier);

export default defineCheck({
  id: 'rds.backup-retention',
  title: 'RDS databases keep automated backups long enough',
  service: 'rds',
  scope: 'regional',
  severity: 'medium',
  description:
    'Automated backups are what point-in-time restore works from: with none, a dropped table or ransomware means data lost since the last manual snapshot; kept only a day or two, a problem noticed after the weekend can no longer be undone.',
  references: { securityHub: 'RDS.11' },
  remediation:
    'Set the retention to at least the required days: `aws rds modify-db-instance --db-instance-identifier <id> --backup-retention-period 7 --apply-immediately` (for a cluster, `aws rds modify-db-cluster --db-cluster-identifier <id> --backup-retention-period 7`). Turning backups on from 0 briefly suspends I/O on single-AZ instances; pick a quiet moment.',
  uses: ['rds.instances', 'rds.clusters'],
  run(ctx) {
    const required = ctx.thresholds.rdsBackupRetentionDays;
    return judgeDatabases(
      ctx,
      { name: 'BackupRetentionPeriod', read: (db) => (db.kind === 'cluster' ? db.cluster.BackupRetentionPeriod : db.instance.BackupRetentionPeriod) },
      (days, db) => {
        if (days >= required) return undefined;
        const details = { backupRetentionDays: days, requiredDays: required };
        if (days === 0) return { message: `${databaseLabel(db)} has automated backups turned off: it cannot be restored to a point in time.`, details };
        return {
          message: `${databaseLabel(db)} keeps automated backups for ${days} day${days === 1 ? '' : 's'}, fewer than the ${required} required.`,
          details,
        };
      },
      (db) => !isReadReplica(db),
    );
  },
});
