import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import publicAccess from '../../../checks/rds/public-access.js';
import { audit, awsError } from '../../helpers/aws.js';
import { auroraMember, dbCluster, dbInstance, OWNER, permission, securityGroup, serveRds } from './rds-fixtures.js';

const rds = mockClient(RDSClient);
const ec2 = mockClient(EC2Client);
const CHECK = 'rds.public-access';
const DB_GROUP = 'sg-0db0000000000001a';
const narrow = securityGroup(DB_GROUP, 'db', [permission('tcp', 5432, 5432, { v4: ['203.0.113.0/24'] })]);
const open = securityGroup(DB_GROUP, 'db', [permission('tcp', 5432, 5432, { v4: ['0.0.0.0/0'] })]);

describe('rds.public-access', () => {
  beforeEach(() => {
    rds.reset();
    ec2.reset();
  });

  it('declares its references and datasets', () => {
    expect(publicAccess).toMatchObject({ id: CHECK, service: 'rds', scope: 'regional', severity: 'high', references: { cis: '2.2.3', securityHub: 'RDS.2' } });
    expect(publicAccess.uses).toEqual(['rds.instances', 'ec2.securityGroups']);
  });

  it('passes private instances, Aurora members included', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        instances: [dbInstance('orders'), auroraMember('payments-1', 'payments')],
        clusters: [dbCluster('payments', ['payments-1'])],
        securityGroups: [open],
      },
    });
    const result = await audit([publicAccess]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('fails, high, a publicly accessible instance whose groups admit only narrower sources', async () => {
    serveRds(rds, ec2, {
      'us-east-1': { instances: [dbInstance('orders', { PubliclyAccessible: true, DBSubnetGroup: undefined })], securityGroups: [narrow] },
    });
    const result = await audit([publicAccess]);
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        severity: 'high',
        resource: { type: 'AWS::RDS::DBInstance', id: 'orders', arn: `arn:aws:rds:us-east-1:${OWNER}:db:orders` },
        message:
          'DB instance orders (postgres 16.3) is publicly accessible: its endpoint orders.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com resolves to a public IP address.',
        details: {
          dbKind: 'instance',
          dbIdentifier: 'orders',
          engine: 'postgres',
          engineVersion: '16.3',
          instanceClass: 'db.t4g.medium',
          publiclyAccessible: true,
          endpoint: 'orders.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com',
          port: 5432,
          subnetGroup: null,
          internetOpenGroups: '',
        },
      }),
    ]);
  });

  it('is critical when a security group also lets the whole internet reach the port; a member names its cluster', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        instances: [auroraMember('payments-1', 'payments', { PubliclyAccessible: true })],
        clusters: [dbCluster('payments', ['payments-1'])],
        securityGroups: [open],
      },
    });
    const result = await audit([publicAccess]);
    expect(result.findings.map((f) => [f.severity, f.message, f.details?.clusterIdentifier, f.details?.internetOpenGroups])).toEqual([
      [
        'critical',
        'DB instance payments-1 (aurora-postgresql 15.4) is publicly accessible: its endpoint payments-1.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com resolves to a public IP address, and security group sg-0db0000000000001a (db) lets the whole internet reach port 5432.',
        'payments',
        DB_GROUP,
      ],
    ]);
  });

  it('still reports a public instance when the security groups cannot be read, with one error entry for the groups', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        instances: [dbInstance('orders', { PubliclyAccessible: true }), dbInstance('reports')],
        securityGroups: awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'),
      },
    });
    const result = await audit([publicAccess]);
    expect(result.findings.map((f) => [f.severity, f.resource.id, f.details?.internetOpenGroups])).toEqual([['high', 'orders', null]]);
    expect(result.findings[0]!.message).toContain("(The region's security groups could not be read; whether they let the whole internet in is unknown.)");
    expect(result.errors).toEqual([
      {
        checkId: CHECK,
        region: 'us-east-1',
        code: 'UnauthorizedOperation',
        message: 'You are not authorized to perform this operation.',
        resource: 'security-groups',
      },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 1, errors: 1 });
  });

  it('needs no security groups when nothing is public: their failure then costs nothing', async () => {
    serveRds(rds, ec2, { 'us-east-1': { instances: [dbInstance('orders')], securityGroups: awsError('UnauthorizedOperation', 'denied') } });
    const result = await audit([publicAccess]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('reports an error for an instance whose answer lacks PubliclyAccessible, and the region when instances cannot be listed', async () => {
    serveRds(rds, ec2, { 'us-east-1': { instances: [dbInstance('emulated', { PubliclyAccessible: undefined })], securityGroups: [] } });
    let result = await audit([publicAccess]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      expect.objectContaining({ code: 'MalformedResponse', resource: 'emulated', message: 'DescribeDBInstances returned no PubliclyAccessible for emulated' }),
    ]);

    rds.reset();
    serveRds(rds, ec2, { 'us-east-1': { instances: awsError('AccessDenied', 'not authorized to perform: rds:DescribeDBInstances'), securityGroups: [] } });
    result = await audit([publicAccess]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: CHECK, code: 'AccessDenied' })]);
    expect(result.errors[0]).not.toHaveProperty('resource');
  });
});
