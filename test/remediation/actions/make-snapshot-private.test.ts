import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBSnapshotAttributesCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBSnapshotAttributeCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../../checks/index.js';
import { DEFAULT_THRESHOLDS } from '../../../src/config.js';
import action from '../../../src/remediation/actions/make-snapshot-private.js';
import { actionFor, ALL_ACTIONS } from '../../../src/remediation/actions/index.js';
import type { PrecheckContext, RemediationClients, RemediationTarget } from '../../../src/remediation/types.js';
import { awsError, NOW } from '../../helpers/aws.js';

const rds = mockClient(RDSClient);

/** Every command any test sent, and the regions the RDS clients were made for. */
const sent = new Set<string>();
const regions: string[] = [];

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const clients: RemediationClients = {
  iam: () => new IAMClient({ region: 'us-east-1', credentials }),
  ec2: (region) => new EC2Client({ region, credentials }),
  s3: (region) => new S3Client({ region, credentials }),
  rds: (region) => {
    regions.push(region);
    const client = new RDSClient({ region, credentials });
    return {
      send: ((command: object) => {
        sent.add(command.constructor.name);
        return client.send(command as never);
      }) as RDSClient['send'],
    };
  },
};

/** The IAM action RDS authorises each command with. */
const IAM_ACTION: Record<string, string> = {
  DescribeDBSnapshotAttributesCommand: 'rds:DescribeDBSnapshotAttributes',
  ModifyDBSnapshotAttributeCommand: 'rds:ModifyDBSnapshotAttribute',
  DescribeDBClusterSnapshotAttributesCommand: 'rds:DescribeDBClusterSnapshotAttributes',
  ModifyDBClusterSnapshotAttributeCommand: 'rds:ModifyDBClusterSnapshotAttribute',
};

const context: PrecheckContext = { now: NOW, thresholds: DEFAULT_THRESHOLDS };
const REGION = 'eu-west-1';
const SNAPSHOT = 'orders-dump';

function target(kind: 'db' | 'cluster' = 'db', overrides: Partial<RemediationTarget> = {}): RemediationTarget {
  return {
    checkId: 'rds.public-snapshot',
    accountId: '123456789012',
    region: REGION,
    resourceId: SNAPSHOT,
    details: {
      snapshotId: SNAPSHOT,
      snapshotKind: kind,
      snapshotArn: null,
      sourceId: 'orders',
      engine: 'postgres',
      encrypted: false,
      createdAt: null,
      sharedWith: '',
    },
    foundAt: NOW.toISOString(),
    ...overrides,
  };
}

const attribute = (values: string[]) => [{ AttributeName: 'restore', AttributeValues: values }];

/** The live restore values of both kinds of snapshot, changed by the Modify calls as RDS would. */
function serveRestore(initial: string[] | Error) {
  let values = initial;
  const read = () => {
    if (values instanceof Error) throw values;
    return attribute(values);
  };
  const modify = (input: { ValuesToAdd?: string[]; ValuesToRemove?: string[] }) => {
    if (values instanceof Error) throw values;
    values = [...values.filter((v) => !input.ValuesToRemove?.includes(v)), ...(input.ValuesToAdd ?? []).filter((v) => !(values as string[]).includes(v))];
    return {};
  };
  rds
    .on(DescribeDBSnapshotAttributesCommand)
    .callsFake(() => ({ DBSnapshotAttributesResult: { DBSnapshotIdentifier: SNAPSHOT, DBSnapshotAttributes: read() } }));
  rds
    .on(DescribeDBClusterSnapshotAttributesCommand)
    .callsFake(() => ({ DBClusterSnapshotAttributesResult: { DBClusterSnapshotIdentifier: SNAPSHOT, DBClusterSnapshotAttributes: read() } }));
  rds.on(ModifyDBSnapshotAttributeCommand).callsFake(modify);
  rds.on(ModifyDBClusterSnapshotAttributeCommand).callsFake(modify);
  return { values: () => values };
}

const writes = () => rds.commandCalls(ModifyDBSnapshotAttributeCommand).length + rds.commandCalls(ModifyDBClusterSnapshotAttributeCommand).length;

describe('rds.make-snapshot-private', () => {
  beforeEach(() => {
    rds.reset();
    regions.length = 0;
  });

  it('is the fix of exactly the checks that name it', () => {
    expect(action.id).toBe('rds.make-snapshot-private');
    expect(action.verb).toBe('Make private');
    expect([...action.appliesTo]).toEqual(ALL_CHECKS.filter((c) => c.fix === action.id).map((c) => c.id));
    expect(ALL_ACTIONS).toContain(action);
    expect(actionFor('rds.public-snapshot')).toBe(action);
  });

  it('describes the fix from the recorded finding alone', () => {
    expect(action.describe(target())).toBe(`Remove public restore access from DB snapshot ${SNAPSHOT}`);
    expect(action.describe(target('cluster'))).toBe(`Remove public restore access from DB cluster snapshot ${SNAPSHOT}`);
    expect(rds.calls()).toHaveLength(0);
  });

  describe('precheck', () => {
    it('reads the live attribute in the snapshot region and says which accounts keep access', async () => {
      serveRestore(['210987654321', 'all', '111122223333']);
      expect(await action.precheck(target(), clients, context)).toEqual({
        ok: true,
        change: `Remove public restore access from DB snapshot ${SNAPSHOT}; the 2 accounts it is shared with (210987654321, 111122223333) keep access`,
        state: { kind: 'db', snapshotId: SNAPSHOT, region: REGION },
      });
      expect(rds.commandCalls(DescribeDBSnapshotAttributesCommand)[0]!.args[0].input).toEqual({ DBSnapshotIdentifier: SNAPSHOT });
      expect(regions).toEqual([REGION]);
      expect(writes()).toBe(0);
    });

    it('reads a cluster snapshot with the cluster call', async () => {
      serveRestore(['all']);
      expect(await action.precheck(target('cluster'), clients, context)).toEqual({
        ok: true,
        change: `Remove public restore access from DB cluster snapshot ${SNAPSHOT}`,
        state: { kind: 'cluster', snapshotId: SNAPSHOT, region: REGION },
      });
      expect(rds.commandCalls(DescribeDBClusterSnapshotAttributesCommand)[0]!.args[0].input).toEqual({ DBClusterSnapshotIdentifier: SNAPSHOT });
      expect(rds.commandCalls(DescribeDBSnapshotAttributesCommand)).toHaveLength(0);
    });

    it('refuses a snapshot already private, one that is gone, and an answer without the attribute', async () => {
      serveRestore(['210987654321']);
      expect(await action.precheck(target(), clients, context)).toEqual({ ok: false, reason: `DB snapshot ${SNAPSHOT} is already private` });
      rds.reset();
      serveRestore(awsError('DBSnapshotNotFoundFault', `DBSnapshot ${SNAPSHOT} not found.`));
      expect(await action.precheck(target(), clients, context)).toEqual({ ok: false, reason: `DB snapshot ${SNAPSHOT} no longer exists` });
      rds.reset();
      serveRestore(awsError('DBClusterSnapshotNotFoundFault', 'not found'));
      expect(await action.precheck(target('cluster'), clients, context)).toEqual({ ok: false, reason: `DB cluster snapshot ${SNAPSHOT} no longer exists` });
      rds.reset();
      rds.on(DescribeDBSnapshotAttributesCommand).resolves({ DBSnapshotAttributesResult: { DBSnapshotIdentifier: SNAPSHOT, DBSnapshotAttributes: [] } });
      await expect(action.precheck(target(), clients, context)).rejects.toMatchObject({ name: 'MalformedResponse' });
      expect(writes()).toBe(0);
    });

    it('rejects on AccessDenied', async () => {
      serveRestore(awsError('AccessDenied', 'not authorized to perform: rds:DescribeDBSnapshotAttributes'));
      await expect(action.precheck(target(), clients, context)).rejects.toMatchObject({ name: 'AccessDenied' });
    });

    it('refuses findings of other checks, without a kind or a region, without calling AWS', async () => {
      expect((await action.precheck(target('db', { checkId: 'ec2.public-snapshot' }), clients, context)).ok).toBe(false);
      expect((await action.precheck({ ...target(), details: { snapshotId: SNAPSHOT } }, clients, context)).ok).toBe(false);
      expect((await action.precheck(target('db', { region: 'global' }), clients, context)).ok).toBe(false);
      expect(rds.calls()).toHaveLength(0);
    });
  });

  describe('apply and undo', () => {
    it('apply removes only all, for each kind, with the exact request', async () => {
      serveRestore(['all', '210987654321']);
      await action.apply({ kind: 'db', snapshotId: SNAPSHOT, region: REGION }, clients);
      await action.apply({ kind: 'cluster', snapshotId: SNAPSHOT, region: REGION }, clients);
      expect(rds.calls()).toHaveLength(2);
      expect(rds.commandCalls(ModifyDBSnapshotAttributeCommand)[0]!.args[0].input).toEqual({
        DBSnapshotIdentifier: SNAPSHOT,
        AttributeName: 'restore',
        ValuesToRemove: ['all'],
      });
      expect(rds.commandCalls(ModifyDBClusterSnapshotAttributeCommand)[0]!.args[0].input).toEqual({
        DBClusterSnapshotIdentifier: SNAPSHOT,
        AttributeName: 'restore',
        ValuesToRemove: ['all'],
      });
      expect(regions).toEqual([REGION, REGION]);
    });

    it('undo adds all back, and nothing else', async () => {
      serveRestore(['210987654321']);
      await action.undo({ kind: 'db', snapshotId: SNAPSHOT, region: REGION }, clients);
      expect(rds.calls()).toHaveLength(1);
      expect(rds.commandCalls(ModifyDBSnapshotAttributeCommand)[0]!.args[0].input).toEqual({
        DBSnapshotIdentifier: SNAPSHOT,
        AttributeName: 'restore',
        ValuesToAdd: ['all'],
      });
    });

    it('precheckUndo: ok while private; refuses when made public again or gone', async () => {
      const state = { kind: 'db', snapshotId: SNAPSHOT, region: REGION };
      serveRestore(['210987654321']);
      expect(await action.precheckUndo(state, clients)).toEqual({ ok: true });
      rds.reset();
      serveRestore(['all']);
      expect(await action.precheckUndo(state, clients)).toEqual({ ok: false, reason: `DB snapshot ${SNAPSHOT} was made public again since: nothing to undo` });
      rds.reset();
      serveRestore(awsError('DBSnapshotNotFound', 'not found'));
      expect(await action.precheckUndo(state, clients)).toEqual({ ok: false, reason: `DB snapshot ${SNAPSHOT} no longer exists` });
      expect(writes()).toBe(0);
    });

    it('refuses a malformed state without calling AWS', async () => {
      await expect(action.apply({ kind: 'instance', snapshotId: SNAPSHOT, region: REGION }, clients)).rejects.toThrow(/malformed: the kind/);
      await expect(action.undo({ kind: 'db', region: REGION }, clients)).rejects.toThrow(/malformed: no snapshot id/);
      await expect(action.apply({ kind: 'db', snapshotId: SNAPSHOT, region: 'global' }, clients)).rejects.toThrow(/malformed: no region/);
      expect(rds.calls()).toHaveLength(0);
    });
  });

  it('a whole fix and its undo restore the shares exactly, needing exactly the listed IAM actions', async () => {
    sent.clear();
    for (const kind of ['db', 'cluster'] as const) {
      rds.reset();
      const live = serveRestore(['210987654321', 'all']);
      const check = await action.precheck(target(kind), clients, context);
      if (!check.ok) throw new Error(check.reason);
      await action.apply(check.state, clients);
      expect(live.values()).toEqual(['210987654321']);
      expect(await action.precheckUndo(check.state, clients)).toEqual({ ok: true });
      await action.undo(check.state, clients);
      expect(live.values()).toEqual(['210987654321', 'all']);
    }
    expect([...sent].filter((name) => !(name in IAM_ACTION))).toEqual([]);
    expect([...action.permissions].sort()).toEqual([...new Set([...sent].map((name) => IAM_ACTION[name]))].sort());
  });
});
