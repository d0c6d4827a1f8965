import { DescribeSnapshotsCommand, EC2Client, GetSnapshotBlockPublicAccessStateCommand, type Snapshot } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import publicSnapshot from '../../../checks/ec2/public-snapshot.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError } from '../../helpers/aws.js';
import { serveRegions, snapshot, TWO_REGIONS, UNAUTHORIZED, type Pages } from './regional-fixtures.js';

const ec2 = mockClient(EC2Client);
const CHECK = 'ec2.public-snapshot';

interface RegionSnapshots {
  own: Pages<Snapshot>;
  /** What DescribeSnapshots returns with RestorableByUserIds ['all']. */
  public?: Pages<Snapshot>;
}

const pagesOf = (p: Pages<Snapshot> | undefined): Snapshot[][] => (!p || p.length === 0 ? [[]] : Array.isArray(p[0]) ? (p as Snapshot[][]) : [p as Snapshot[]]);

/** DescribeSnapshots answers by region and by query: all own snapshots, or only the publicly restorable ones. */
function serveSnapshots(byRegion: Record<string, RegionSnapshots>, blockPublicAccess = 'unblocked') {
  serveRegions(ec2);
  ec2.on(GetSnapshotBlockPublicAccessStateCommand).resolves({ State: blockPublicAccess as 'unblocked' });
  ec2.on(DescribeSnapshotsCommand).callsFake(async (input: { RestorableByUserIds?: string[]; NextToken?: string }, getClient) => {
    const region = await getClient().config.region();
    const kind = input.RestorableByUserIds?.includes('all') ? 'public' : 'own';
    const pages = pagesOf(byRegion[region]?.[kind]);
    const index = input.NextToken ? Number(input.NextToken.split(':').pop()) : 0;
    return { Snapshots: pages[index] ?? [], ...(index + 1 < pages.length ? { NextToken: `${kind}-${region}:${index + 1}` } : {}) };
  });
}

const leaked = snapshot('snap-0123456789abcdef0', {
  VolumeId: 'vol-0fedcba9876543210',
  VolumeSize: 100,
  Encrypted: false,
  Description: '<!channel> db dump for *vendor*',
  StartTime: new Date('2026-09-14T08:30:00.000Z'),
});

describe('ec2.public-snapshot', () => {
  beforeEach(() => ec2.reset());

  it('declares its references and datasets', () => {
    expect(publicSnapshot).toMatchObject({ id: CHECK, service: 'ec2', scope: 'regional', severity: 'critical', references: { securityHub: 'EC2.1' } });
    expect(publicSnapshot.uses).toEqual(['ec2.snapshots', 'ec2.publicSnapshotIds', 'ec2.snapshotBlockPublicAccess']);
  });

  it('passes own snapshots that are not publicly restorable, and asks only for snapshots of this account', async () => {
    serveSnapshots({ 'us-east-1': { own: [snapshot('snap-0000000000000a001'), snapshot('snap-0000000000000a002', { Encrypted: false })], public: [] } });
    const result = await audit([publicSnapshot]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 2, failed: 0, errors: 0 });
    // Snapshots of other accounts (public AMIs' snapshots) must never be listed, let alone judged.
    const inputs = ec2.commandCalls(DescribeSnapshotsCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(2);
    for (const input of inputs) expect(input.OwnerIds).toEqual(['self']);
    expect(inputs.map((i) => i.RestorableByUserIds)).toContainEqual(['all']);
  });

  it('fails, critical, for a public snapshot, with its facts and the raw description', async () => {
    serveSnapshots({ 'us-east-1': { own: [snapshot('snap-0000000000000a001'), leaked], public: [leaked] } });
    const result = await audit([publicSnapshot]);
    expect(result.findings).toEqual([
      {
        checkId: CHECK,
        severity: 'critical',
        accountId: '123456789012',
        region: 'us-east-1',
        resource: { type: 'AWS::EC2::Snapshot', id: 'snap-0123456789abcdef0', arn: 'arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0' },
        message:
          'EBS snapshot snap-0123456789abcdef0 (of vol-0fedcba9876543210, 100 GiB, unencrypted) is public: any AWS account can create a volume from it and read its data.',
        fingerprint: findingFingerprint({ checkId: CHECK, accountId: '123456789012', region: 'us-east-1', resourceId: 'snap-0123456789abcdef0' }),
        details: {
          snapshotId: 'snap-0123456789abcdef0',
          volumeId: 'vol-0fedcba9876543210',
          volumeSize: 100,
          encrypted: false,
          description: '<!channel> db dump for *vendor*',
          startTime: '2026-09-14T08:30:00.000Z',
          snapshotBlockPublicAccess: 'unblocked',
        },
      },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 1, errors: 0 });
  });

  it('still reports a snapshot made public between the two listings', async () => {
    serveSnapshots({ 'us-east-1': { own: [snapshot('snap-0000000000000b000')], public: [snapshot('snap-0000000000000b001')] } });
    const result = await audit([publicSnapshot]);
    expect(result.findings.map((f) => [f.resource.id, f.message])).toEqual([
      ['snap-0000000000000b001', 'EBS snapshot snap-0000000000000b001 is public: any AWS account can create a volume from it and read its data.'],
    ]);
    expect(result.findings[0]!.details).toMatchObject({ volumeId: null, description: null, startTime: null });
  });

  it('does not ask for public snapshots in a region without snapshots of its own', async () => {
    serveSnapshots({ 'us-east-1': { own: [], public: [snapshot('snap-0000000000000b001')] } });
    const result = await audit([publicSnapshot]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(ec2.commandCalls(DescribeSnapshotsCommand).map((c) => c.args[0].input.RestorableByUserIds)).toEqual([undefined]);
  });

  it('reports an error, not a pass, when snapshots cannot be listed', async () => {
    serveRegions(ec2);
    ec2.on(DescribeSnapshotsCommand).rejects(awsError('UnauthorizedOperation', `${UNAUTHORIZED}DescribeSnapshots`));
    const result = await audit([publicSnapshot]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([{ checkId: CHECK, region: 'us-east-1', code: 'UnauthorizedOperation', message: `${UNAUTHORIZED}DescribeSnapshots` }]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 1 });
  });

  it('reads every page of both listings', async () => {
    const second = snapshot('snap-0000000000000c002', { Encrypted: false });
    serveSnapshots({ 'us-east-1': { own: [[snapshot('snap-0000000000000c001')], [second]], public: [[], [second]] } });
    const result = await audit([publicSnapshot]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['snap-0000000000000c002']);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 1, errors: 0 });
    expect(ec2.commandCalls(DescribeSnapshotsCommand)).toHaveLength(4);
  });

  it('passes a public snapshot when snapshot Block Public Access blocks all sharing, not when it blocks only new sharing', async () => {
    serveSnapshots({ 'us-east-1': { own: [leaked], public: [leaked] } }, 'block-all-sharing');
    const blocked = await audit([publicSnapshot]);
    expect(blocked.findings).toEqual([]);
    expect(blocked.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 0, errors: 0 });
    ec2.reset();
    serveSnapshots({ 'us-east-1': { own: [leaked], public: [leaked] } }, 'block-new-sharing');
    const newOnly = await audit([publicSnapshot]);
    expect(newOnly.findings.map((f) => [f.resource.id, f.details?.snapshotBlockPublicAccess])).toEqual([['snap-0123456789abcdef0', 'block-new-sharing']]);
  });

  it('still reports a public snapshot when Block Public Access cannot be read, and the read itself as an error; private ones pass', async () => {
    serveSnapshots({ 'us-east-1': { own: [snapshot('snap-0000000000000a001'), leaked], public: [leaked] } });
    ec2.on(GetSnapshotBlockPublicAccessStateCommand).rejects(awsError('UnauthorizedOperation', `${UNAUTHORIZED}GetSnapshotBlockPublicAccessState`));
    const result = await audit([publicSnapshot]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      severity: 'critical',
      resource: { id: 'snap-0123456789abcdef0' },
      details: { snapshotBlockPublicAccess: 'unknown' },
    });
    expect(result.findings[0]!.message).toContain(
      "is public: any AWS account can create a volume from it and read its data. (The region's snapshot Block Public Access state could not be read",
    );
    expect(result.errors).toEqual([
      {
        checkId: CHECK,
        region: 'us-east-1',
        code: 'UnauthorizedOperation',
        message: `${UNAUTHORIZED}GetSnapshotBlockPublicAccessState`,
        resource: 'snapshot-block-public-access',
      },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 1, errors: 1 });
  });

  it('says nothing of an unreadable block state when no snapshot is public (it decides nothing)', async () => {
    serveSnapshots({ 'us-east-1': { own: [snapshot('snap-0000000000000a001')], public: [] } });
    ec2.on(GetSnapshotBlockPublicAccessStateCommand).rejects(awsError('UnauthorizedOperation', `${UNAUTHORIZED}GetSnapshotBlockPublicAccessState`));
    const result = await audit([publicSnapshot]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('has nothing to say about a region without snapshots', async () => {
    serveSnapshots({});
    const result = await audit([publicSnapshot]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 0 });
  });

  it('reports each public snapshot in its own region', async () => {
    serveSnapshots({
      'us-east-1': { own: [snapshot('snap-0000000000000d001')] },
      'eu-west-1': { own: [leaked], public: [leaked] },
    });
    const result = await audit([publicSnapshot], { account: { regions: TWO_REGIONS } });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.region, f.resource.id, f.resource.arn])).toEqual([
      ['eu-west-1', 'snap-0123456789abcdef0', 'arn:aws:ec2:eu-west-1::snapshot/snap-0123456789abcdef0'],
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 1, errors: 0 });
  });
});
