import { defineCheck } from '../../src/audit/check.js';
import { databaseLabel, judgeDatabases } from '../../src/rules/rds-databases.js';

export default defineCheck({
  id: 'rds.storage-encrypted',
  title: 'RDS databases encrypt their storage',
  service: 'rds',
  scope: 'regional',
  severity: 'high',
  description:
    'Without storage encryption, the database files, its automated backups, snapshots and read replicas are stored in the clear: anyone who obtains a snapshot or the underlying storage reads the data, and a snapshot of an unencrypted database can be made public.',
  references: { cis: '2.2.1', securityHub: 'RDS.3' },
  remediation:
    'Encryption can only be chosen when a database is created. Take a snapshot, copy it with encryption (`aws rds copy-db-snapshot --kms-key-id <key>`, or `copy-db-cluster-snapshot` for a cluster), restore a new database from the encrypted copy, move the application to it, then delete the old one and its unencrypted snapshots.',
  uses: ['rds.instances', 'rds.clusters'],
  run(ctx) {
    return judgeDatabases(
      ctx,
      { name: 'StorageEncrypted', read: (db) => (db.kind === 'cluster' ? db.cluster.StorageEncrypted : db.instance.StorageEncrypted) },
      (encrypted, db) =>
        encrypted
          ? undefined
          : {
              message: `${databaseLabel(db)} does not encrypt its storage: its data files, backups and snapshots are stored unencrypted.`,
              details: { storageEncrypted: false },
            },
    );
  },
});
