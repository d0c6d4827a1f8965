import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import backupRetention from '../../../checks/rds/backup-retention.js';
import { audit, awsError } from '../../helpers/aws.js';
import { auroraMember, dbCluster, dbInstance, serveRds } from './rds-fixtures.js';

const rds = mockClient(RDSClient);
const ec2 = mockClient(EC2Client);
const CHECK = 'rds.backup-retention';

describe('rds.backup-retention', () => {
  beforeEach(() => {
    rds.reset();
    ec2.reset();
  });

  it('declares its references and datasets', () => {
    expect(backupRetention).toMatchObject({ id: CHECK, service: 'rds', scope: 'regional', severity: 'medium', references: { securityHub: 'RDS.11' } });
    expect(backupRetention.uses).toEqual(['rds.instances', 'rds.clusters']);
  });

  it('passes retention at or above the threshold; an Aurora member (1 day in the fixture) counts through its cluster', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        instances: [dbInstance('orders', { BackupRetentionPeriod: 7 }), auroraMember('payments-1', 'payments')],
        clusters: [dbCluster('payments', ['payments-1'])],
      },
    });
    const result = await audit([backupRetention]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails backups turned off and retention under thresholds.rdsBackupRetentionDays, with the figures', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        instances: [
          dbInstance('orders', { BackupRetentionPeriod: 0 }),
          dbInstance('reports', { BackupRetentionPeriod: 7 }),
          auroraMember('payments-1', 'payments'),
        ],
        clusters: [dbCluster('payments', ['payments-1'], { BackupRetentionPeriod: 1 })],
      },
    });
    const result = await audit([backupRetention], { thresholds: { rdsBackupRetentionDays: 14 } });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.severity, f.resource.id, f.message, f.details?.backupRetentionDays, f.details?.requiredDays])).toEqual([
      ['medium', 'orders', 'DB instance orders (postgres 16.3) has automated backups turned off: it cannot be restored to a point in time.', 0, 14],
      ['medium', 'payments', 'DB cluster payments (aurora-postgresql 15.4) keeps automated backups for 1 day, fewer than the 14 required.', 1, 14],
      ['medium', 'reports', 'DB instance reports (postgres 16.3) keeps automated backups for 7 days, fewer than the 14 required.', 7, 14],
    ]);
  });

  it('leaves read replica instances out (their source keeps the backups)', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        instances: [dbInstance('orders-replica', { BackupRetentionPeriod: 0, ReadReplicaSourceDBInstanceIdentifier: 'orders' }), dbInstance('orders')],
        clusters: [],
      },
    });
    const result = await audit([backupRetention]);
    expect(result.findings).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('reports an error for an answer without BackupRetentionPeriod, and the region when instances cannot be listed', async () => {
    serveRds(rds, ec2, { 'us-east-1': { instances: [dbInstance('emulated', { BackupRetentionPeriod: undefined })], clusters: [] } });
    let result = await audit([backupRetention]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ code: 'MalformedResponse', resource: 'emulated' })]);

    rds.reset();
    serveRds(rds, ec2, { 'us-east-1': { instances: awsError('AccessDenied', 'not authorized to perform: rds:DescribeDBInstances'), clusters: [] } });
    result = await audit([backupRetention]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: CHECK, code: 'AccessDenied' })]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
