import { defineCheck } from '../../src/audit/check.js';
import { databaseLabel, judgeDatabases } from '../../src/rules/rds-databases.js';

export default defineCheck({
  id: 'rds.deletion-protection',
  title: 'RDS databases have deletion protection',
  service: 'rds',
  scope: 'regional',
  severity: 'low',
  description:
    'Without deletion protection, one API call, a mistaken infrastructure-as-code change or a compromised credential deletes the database; with it, deletion fails until someone turns the protection off on purpose.',
  references: { securityHub: 'RDS.7, RDS.8' },
  remediation:
    'Turn it on: `aws rds modify-db-instance --db-instance-identifier <id> --deletion-protection --apply-immediately` (for a cluster, `aws rds modify-db-cluster --db-cluster-identifier <id> --deletion-protection`), and set `DeletionProtection: true` in the templates that create databases.',
  uses: ['rds.instances', 'rds.clusters'],
  run(ctx) {
    return judgeDatabases(
      ctx,
      { name: 'DeletionProtection', read: (db) => (db.kind === 'cluster' ? db.cluster.DeletionProtection : db.instance.DeletionProtection) },
      (on, db) =>
        on
          ? undefined
          : { message: `${databaseLabel(db)} has deletion protection off: a single DeleteDB call removes it.`, details: { deletionProtection: false } },
    );
  },
});
