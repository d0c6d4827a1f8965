import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import deletionProtection from '../../../checks/rds/deletion-protection.js';
import { audit, awsError } from '../../helpers/aws.js';
import { auroraMember, dbCluster, dbInstance, serveRds } from './rds-fixtures.js';

const rds = mockClient(RDSClient);
const ec2 = mockClient(EC2Client);
const CHECK = 'rds.deletion-protection';

describe('rds.deletion-protection', () => {
  beforeEach(() => {
    rds.reset();
    ec2.reset();
  });

  it('declares its references and datasets', () => {
    expect(deletionProtection).toMatchObject({ id: CHECK, service: 'rds', scope: 'regional', severity: 'low', references: { securityHub: 'RDS.7, RDS.8' } });
    expect(deletionProtection.uses).toEqual(['rds.instances', 'rds.clusters']);
  });

  it('passes protected instances and clusters; Aurora members (unprotected in the fixture) are not judged', async () => {
    serveRds(rds, ec2, {
      'us-east-1': { instances: [dbInstance('orders'), auroraMember('payments-1', 'payments')], clusters: [dbCluster('payments', ['payments-1'])] },
    });
    const result = await audit([deletionProtection]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails, low, an unprotected instance and cluster', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        instances: [dbInstance('orders', { DeletionProtection: false }), auroraMember('payments-1', 'payments')],
        clusters: [dbCluster('payments', ['payments-1'], { DeletionProtection: false })],
      },
    });
    const result = await audit([deletionProtection]);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.severity, f.resource.id, f.message])).toEqual([
      ['low', 'orders', 'DB instance orders (postgres 16.3) has deletion protection off: a single DeleteDB call removes it.'],
      ['low', 'payments', 'DB cluster payments (aurora-postgresql 15.4) has deletion protection off: a single DeleteDB call removes it.'],
    ]);
    expect(result.findings[1]!.details).toEqual({
      dbKind: 'cluster',
      dbIdentifier: 'payments',
      engine: 'aurora-postgresql',
      engineVersion: '15.4',
      members: 'payments-1',
      deletionProtection: false,
    });
  });

  it('reports an error for a cluster whose answer lacks DeletionProtection, and the region when clusters cannot be listed', async () => {
    serveRds(rds, ec2, { 'us-east-1': { instances: [dbInstance('orders')], clusters: [dbCluster('emulated', [], { DeletionProtection: undefined })] } });
    let result = await audit([deletionProtection]);
    expect(result.errors).toEqual([
      {
        checkId: CHECK,
        region: 'us-east-1',
        code: 'MalformedResponse',
        message: 'DescribeDBClusters returned no DeletionProtection for emulated',
        resource: 'emulated',
      },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 0, errors: 1 });

    rds.reset();
    serveRds(rds, ec2, {
      'us-east-1': { instances: [dbInstance('orders', { DeletionProtection: false })], clusters: awsError('Throttling', 'Rate exceeded') },
    });
    result = await audit([deletionProtection]);
    // Without the clusters, which instances are members cannot be told: nothing is judged.
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: CHECK, region: 'us-east-1', code: 'Throttling' })]);
  });
});
