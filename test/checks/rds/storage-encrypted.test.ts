import { EC2Client } from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import storageEncrypted from '../../../checks/rds/storage-encrypted.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError } from '../../helpers/aws.js';
import { auroraMember, dbCluster, dbInstance, OWNER, serveRds } from './rds-fixtures.js';

const rds = mockClient(RDSClient);
const ec2 = mockClient(EC2Client);
const CHECK = 'rds.storage-encrypted';

describe('rds.storage-encrypted', () => {
  beforeEach(() => {
    rds.reset();
    ec2.reset();
  });

  it('declares its references and datasets', () => {
    expect(storageEncrypted).toMatchObject({
      id: CHECK,
      service: 'rds',
      scope: 'regional',
      severity: 'high',
      references: { cis: '2.2.1', securityHub: 'RDS.3' },
    });
    expect(storageEncrypted.uses).toEqual(['rds.instances', 'rds.clusters']);
  });

  it('passes encrypted instances and clusters, and judges an Aurora member only through its cluster', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        instances: [dbInstance('orders'), auroraMember('payments-1', 'payments'), auroraMember('payments-2', 'payments')],
        clusters: [dbCluster('payments', ['payments-1', 'payments-2'])],
      },
    });
    const result = await audit([storageEncrypted]);
    expect(result.errors).toEqual([]);
    // The members' own StorageEncrypted (false in the fixture) is not read: the cluster's is what holds.
    expect(result.findings).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails, high, an unencrypted instance and an unencrypted cluster, each once, across pages', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        instances: [[dbInstance('orders', { StorageEncrypted: false, KmsKeyId: undefined, DBSubnetGroup: undefined })], [auroraMember('legacy-1', 'legacy')]],
        clusters: [[], [dbCluster('legacy', ['legacy-1'], { StorageEncrypted: false, Engine: 'aurora-mysql', EngineVersion: '8.0.mysql_aurora.3.05.2' })]],
      },
    });
    const result = await audit([storageEncrypted]);
    expect(result.errors).toEqual([]);
    expect(rds.commandCalls(DescribeDBInstancesCommand).map((c) => c.args[0].input)).toEqual([{ MaxRecords: 100 }, { MaxRecords: 100, Marker: 'marker:1' }]);
    expect(result.findings.map((f) => [f.resource.type, f.resource.id])).toEqual([
      ['AWS::RDS::DBCluster', 'legacy'],
      ['AWS::RDS::DBInstance', 'orders'],
    ]);
    expect(result.findings[1]).toEqual({
      checkId: CHECK,
      severity: 'high',
      accountId: OWNER,
      region: 'us-east-1',
      resource: { type: 'AWS::RDS::DBInstance', id: 'orders', arn: `arn:aws:rds:us-east-1:${OWNER}:db:orders` },
      message: 'DB instance orders (postgres 16.3) does not encrypt its storage: its data files, backups and snapshots are stored unencrypted.',
      fingerprint: findingFingerprint({ checkId: CHECK, accountId: OWNER, region: 'us-east-1', resourceId: 'orders' }),
      details: {
        dbKind: 'instance',
        dbIdentifier: 'orders',
        engine: 'postgres',
        engineVersion: '16.3',
        instanceClass: 'db.t4g.medium',
        storageEncrypted: false,
      },
    });
    expect(result.findings[0]).toMatchObject({
      message:
        'DB cluster legacy (aurora-mysql 8.0.mysql_aurora.3.05.2) does not encrypt its storage: its data files, backups and snapshots are stored unencrypted.',
      details: { dbKind: 'cluster', members: 'legacy-1' },
    });
  });

  it('judges a member on its own when its cluster is not in the listing, and skips instances being deleted', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        instances: [auroraMember('orphan-1', 'created-meanwhile'), dbInstance('old', { DBInstanceStatus: 'deleting', StorageEncrypted: false })],
        clusters: [],
      },
    });
    const result = await audit([storageEncrypted]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['orphan-1']);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 1, errors: 0 });
  });

  it('reports an error, not a pass, for a database whose answer lacks StorageEncrypted, and judges the others', async () => {
    serveRds(rds, ec2, {
      'us-east-1': { instances: [dbInstance('emulated', { StorageEncrypted: undefined }), dbInstance('plain', { StorageEncrypted: false })], clusters: [] },
    });
    const result = await audit([storageEncrypted]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['plain']);
    expect(result.errors).toEqual([
      {
        checkId: CHECK,
        region: 'us-east-1',
        code: 'MalformedResponse',
        message: 'DescribeDBInstances returned no StorageEncrypted for emulated',
        resource: 'emulated',
      },
    ]);
  });

  it('reports the region as an error when RDS cannot be listed', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        instances: awsError(
          'AccessDenied',
          'User: arn:aws:sts::123456789012:assumed-role/AuditReadOnly/x is not authorized to perform: rds:DescribeDBInstances',
        ),
        clusters: [],
      },
    });
    const result = await audit([storageEncrypted]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: CHECK, region: 'us-east-1', code: 'AccessDenied' })]);
    expect(result.errors[0]).not.toHaveProperty('resource');
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
