import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import minorVersionUpgrade from '../../../checks/rds/minor-version-upgrade.js';
import { audit, awsError } from '../../helpers/aws.js';
import { auroraMember, dbInstance, serveRds } from './rds-fixtures.js';

const rds = mockClient(RDSClient);
const ec2 = mockClient(EC2Client);
const CHECK = 'rds.minor-version-upgrade';

describe('rds.minor-version-upgrade', () => {
  beforeEach(() => {
    rds.reset();
    ec2.reset();
  });

  it('declares its references and dataset', () => {
    expect(minorVersionUpgrade).toMatchObject({
      id: CHECK,
      service: 'rds',
      scope: 'regional',
      severity: 'low',
      references: { cis: '2.2.2', securityHub: 'RDS.13' },
    });
    expect(minorVersionUpgrade.uses).toEqual(['rds.instances']);
  });

  it('passes instances that upgrade automatically, Aurora members included', async () => {
    serveRds(rds, ec2, { 'us-east-1': { instances: [dbInstance('orders'), auroraMember('payments-1', 'payments')] } });
    const result = await audit([minorVersionUpgrade]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails, low, each instance with the setting off (a member names its cluster)', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        instances: [[dbInstance('orders', { AutoMinorVersionUpgrade: false })], [auroraMember('payments-1', 'payments', { AutoMinorVersionUpgrade: false })]],
      },
    });
    const result = await audit([minorVersionUpgrade]);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.severity, f.resource.id, f.message])).toEqual([
      ['low', 'orders', 'DB instance orders (postgres 16.3) has automatic minor version upgrades off: engine security fixes wait for a manual upgrade.'],
      [
        'low',
        'payments-1',
        'DB instance payments-1 (aurora-postgresql 15.4) has automatic minor version upgrades off: engine security fixes wait for a manual upgrade.',
      ],
    ]);
    expect(result.findings[1]!.details).toMatchObject({ clusterIdentifier: 'payments', autoMinorVersionUpgrade: false, instanceClass: 'db.r6g.large' });
  });

  it('reports an error for an answer without the setting, and the region when instances cannot be listed', async () => {
    serveRds(rds, ec2, { 'us-east-1': { instances: [dbInstance('emulated', { AutoMinorVersionUpgrade: undefined }), dbInstance('orders')] } });
    let result = await audit([minorVersionUpgrade]);
    expect(result.errors).toEqual([
      {
        checkId: CHECK,
        region: 'us-east-1',
        code: 'MalformedResponse',
        message: 'DescribeDBInstances returned no AutoMinorVersionUpgrade for emulated',
        resource: 'emulated',
      },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 0, errors: 1 });

    rds.reset();
    serveRds(rds, ec2, { 'us-east-1': { instances: awsError('AccessDenied', 'not authorized to perform: rds:DescribeDBInstances') } });
    result = await audit([minorVersionUpgrade]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: CHECK, code: 'AccessDenied' })]);
  });
});
