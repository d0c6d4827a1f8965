import { EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotAttributesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import publicSnapshot from '../../../checks/rds/public-snapshot.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError } from '../../helpers/aws.js';
import { clusterSnapshot, dbSnapshot, OWNER, serveRds } from './rds-fixtures.js';

const rds = mockClient(RDSClient);
const ec2 = mockClient(EC2Client);
const CHECK = 'rds.public-snapshot';

describe('rds.public-snapshot', () => {
  beforeEach(() => {
    rds.reset();
    ec2.reset();
  });

  it('declares its references, datasets and fix', () => {
    expect(publicSnapshot).toMatchObject({
      id: CHECK,
      service: 'rds',
      scope: 'regional',
      severity: 'critical',
      references: { securityHub: 'RDS.1' },
      fix: 'rds.make-snapshot-private',
    });
    expect(publicSnapshot.uses).toEqual(['rds.dbSnapshots', 'rds.clusterSnapshots']);
  });

  it('passes private and shared-with-accounts snapshots, and lists only manual ones of this account', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        dbSnapshots: [dbSnapshot('orders-before-upgrade'), dbSnapshot('orders-for-vendor')],
        clusterSnapshots: [clusterSnapshot('payments-q3')],
        restore: { 'orders-for-vendor': ['210987654321', '111122223333'] },
      },
    });
    const result = await audit([publicSnapshot]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 3, failed: 0, errors: 0 });
    for (const command of [DescribeDBSnapshotsCommand, DescribeDBClusterSnapshotsCommand]) {
      // Automated snapshots cannot be shared; shared and public ones of other accounts are not this account's.
      expect(rds.commandCalls(command).map((c) => c.args[0].input)).toEqual([{ SnapshotType: 'manual', MaxRecords: 100 }]);
    }
    expect(
      rds
        .commandCalls(DescribeDBSnapshotAttributesCommand)
        .map((c) => c.args[0].input.DBSnapshotIdentifier)
        .sort(),
    ).toEqual(['orders-before-upgrade', 'orders-for-vendor']);
    expect(rds.commandCalls(DescribeDBClusterSnapshotAttributesCommand).map((c) => c.args[0].input)).toEqual([{ DBClusterSnapshotIdentifier: 'payments-q3' }]);
  });

  it('fails, critical, a public DB snapshot and a public cluster snapshot, across pages, with the fix', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        dbSnapshots: [[dbSnapshot('orders-before-upgrade')], [dbSnapshot('orders-dump')]],
        clusterSnapshots: [[], [clusterSnapshot('orders-dump')]],
        restore: { 'orders-dump': ['all', '210987654321'] },
      },
    });
    const result = await audit([publicSnapshot]);
    expect(result.errors).toEqual([]);
    expect(result.findings).toHaveLength(2);
    const db = result.findings.find((f) => f.resource.type === 'AWS::RDS::DBSnapshot');
    expect(db).toEqual({
      checkId: CHECK,
      severity: 'critical',
      accountId: OWNER,
      region: 'us-east-1',
      resource: { type: 'AWS::RDS::DBSnapshot', id: 'orders-dump', arn: `arn:aws:rds:us-east-1:${OWNER}:snapshot:orders-dump` },
      message: 'Manual DB snapshot orders-dump (of orders, postgres, unencrypted) is public: any AWS account can restore it and read the data.',
      fingerprint: findingFingerprint({ checkId: CHECK, accountId: OWNER, region: 'us-east-1', resourceId: 'orders-dump' }),
      details: {
        snapshotId: 'orders-dump',
        snapshotKind: 'db',
        snapshotArn: `arn:aws:rds:us-east-1:${OWNER}:snapshot:orders-dump`,
        sourceId: 'orders',
        engine: 'postgres',
        encrypted: false,
        createdAt: '2026-10-01T02:00:00.000Z',
        sharedWith: '210987654321',
      },
      fix: 'rds.make-snapshot-private',
    });
    const cluster = result.findings.find((f) => f.resource.type === 'AWS::RDS::DBClusterSnapshot');
    // Same name, other namespace: its own fingerprint.
    expect(cluster).toMatchObject({
      message:
        'Manual DB cluster snapshot orders-dump (of payments, aurora-postgresql, unencrypted) is public: any AWS account can restore it and read the data.',
      fingerprint: findingFingerprint({ checkId: CHECK, accountId: OWNER, region: 'us-east-1', resourceId: 'orders-dump', subKey: 'cluster' }),
      details: { snapshotKind: 'cluster', encrypted: false },
    });
  });

  it('passes encrypted snapshots without reading their attributes: RDS refuses to make them public', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        dbSnapshots: [dbSnapshot('orders-encrypted', { Encrypted: true }), dbSnapshot('orders-plain')],
        clusterSnapshots: [clusterSnapshot('payments-encrypted', { StorageEncrypted: true })],
        restore: { 'orders-plain': ['all'] },
      },
    });
    const result = await audit([publicSnapshot]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['orders-plain']);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 2, failed: 1, errors: 0 });
    expect(rds.commandCalls(DescribeDBSnapshotAttributesCommand).map((c) => c.args[0].input.DBSnapshotIdentifier)).toEqual(['orders-plain']);
    expect(rds.commandCalls(DescribeDBClusterSnapshotAttributesCommand)).toHaveLength(0);
  });

  it('reports a snapshot whose attributes cannot be read as an error, skips one deleted meanwhile, and judges the others', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        dbSnapshots: [dbSnapshot('locked'), dbSnapshot('deleted-meanwhile'), dbSnapshot('leaked')],
        clusterSnapshots: [],
        restore: {
          locked: awsError('AccessDenied', 'not authorized to perform: rds:DescribeDBSnapshotAttributes on resource: locked'),
          'deleted-meanwhile': awsError('DBSnapshotNotFoundFault', 'DBSnapshot deleted-meanwhile not found.'),
          leaked: ['all'],
        },
      },
    });
    const result = await audit([publicSnapshot]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['leaked']);
    expect(result.errors).toEqual([
      {
        checkId: CHECK,
        region: 'us-east-1',
        code: 'AccessDenied',
        message: 'not authorized to perform: rds:DescribeDBSnapshotAttributes on resource: locked',
        resource: 'locked',
      },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 1, errors: 1 });
  });

  it('does not trust an attribute answer without a restore entry', async () => {
    serveRds(rds, ec2, { 'us-east-1': { dbSnapshots: [dbSnapshot('emulated')], clusterSnapshots: [] } });
    rds.on(DescribeDBSnapshotAttributesCommand).resolves({ DBSnapshotAttributesResult: { DBSnapshotIdentifier: 'emulated', DBSnapshotAttributes: [] } });
    const result = await audit([publicSnapshot]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      expect.objectContaining({ code: 'MalformedResponse', resource: 'emulated', message: 'DescribeDBSnapshotAttributes returned no restore attribute' }),
    ]);
  });

  it('reports the region as an error when a snapshot listing fails', async () => {
    serveRds(rds, ec2, {
      'us-east-1': {
        dbSnapshots: [dbSnapshot('leaked')],
        clusterSnapshots: awsError('AccessDenied', 'not authorized to perform: rds:DescribeDBClusterSnapshots'),
        restore: { leaked: ['all'] },
      },
    });
    const result = await audit([publicSnapshot]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: CHECK, code: 'AccessDenied' })]);
    expect(result.errors[0]).not.toHaveProperty('resource');
  });
});
