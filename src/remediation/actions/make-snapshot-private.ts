import { isSnapshotGone, restoreValues } from '../../aws/rds-snapshots.js';
import { namedError } from '../../errors.js';
import type { RemediationAction, RemediationClients, RemediationTarget } from '../types.js';

/** The SDK loads with the first fix applied, not with the bot (whose Slack side lists the fixes from the start). */
const sdk = () => import('../sdk.js');

/**
 * `rds.make-snapshot-private`: removes `all` from the `restore` attribute of
 * one manual DB snapshot or DB cluster snapshot, and nothing else: the
 * accounts it is shared with keep their access. Undo adds `all` back.
 */

const APPLIES_TO: readonly string[] = ['rds.public-snapshot'];
const PUBLIC = 'all';

type Kind = 'db' | 'cluster';
type RdsClient = ReturnType<RemediationClients['rds']>;

interface SnapshotState {
  kind: Kind;
  snapshotId: string;
  region: string;
}

const refuse = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

const what = (kind: Kind, id: string): string => `${kind === 'cluster' ? 'DB cluster snapshot' : 'DB snapshot'} ${id}`;

/** The live `restore` values, or `missing` when the snapshot is gone. */
async function readRestore(rds: RdsClient, kind: Kind, id: string): Promise<string[] | 'missing'> {
  try {
    const attributes =
      kind === 'cluster'
        ? (await rds.send(new (await sdk()).DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: id }))).DBClusterSnapshotAttributesResult
            ?.DBClusterSnapshotAttributes
        : (await rds.send(new (await sdk()).DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: id }))).DBSnapshotAttributesResult
            ?.DBSnapshotAttributes;
    // Nothing to compare with would be acting blind: an answer without the attribute is an error.
    return restoreValues(attributes, `${kind === 'cluster' ? 'DescribeDBClusterSnapshotAttributes' : 'DescribeDBSnapshotAttributes'} of ${id}`);
  } catch (error) {
    if (isSnapshotGone(error)) return 'missing';
    throw error;
  }
}

/** Adds or removes `all`, the one value this action touches. */
async function setPublic(rds: RdsClient, { kind, snapshotId }: SnapshotState, change: 'ValuesToAdd' | 'ValuesToRemove'): Promise<void> {
  const values = { AttributeName: 'restore', [change]: [PUBLIC] };
  if (kind === 'cluster') await rds.send(new (await sdk()).ModifyDBClusterSnapshotAttributeCommand({ DBClusterSnapshotIdentifier: snapshotId, ...values }));
  else await rds.send(new (await sdk()).ModifyDBSnapshotAttributeCommand({ DBSnapshotIdentifier: snapshotId, ...values }));
}

function kindOf(target: RemediationTarget): Kind | undefined {
  const kind = target.details.snapshotKind;
  return kind === 'db' || kind === 'cluster' ? kind : undefined;
}

function snapshotOf(target: RemediationTarget): string {
  return typeof target.details.snapshotId === 'string' && target.details.snapshotId ? target.details.snapshotId : target.resourceId;
}

function malformedState(why: string): Error {
  return namedError('MalformedRemediationState', `the recorded state of rds.make-snapshot-private is malformed: ${why}`);
}

function parseState(state: Record<string, unknown>): SnapshotState {
  const { kind, snapshotId, region } = state;
  if (kind !== 'db' && kind !== 'cluster') throw malformedState('the kind must be db or cluster');
  if (typeof snapshotId !== 'string' || snapshotId === '') throw malformedState('no snapshot id');
  if (typeof region !== 'string' || region === '' || region === 'global') throw malformedState('no region');
  return { kind, snapshotId, region };
}

/** `; the 2 accounts it is shared with keep their access` */
function kept(accounts: readonly string[]): string {
  if (accounts.length === 0) return '';
  return `; the ${accounts.length === 1 ? 'account' : `${accounts.length} accounts`} it is shared with (${accounts.join(', ')}) keep${accounts.length === 1 ? 's' : ''} access`;
}

const makeSnapshotPrivate: RemediationAction = {
  id: 'rds.make-snapshot-private',
  verb: 'Make private',
  done: 'Made private',
  appliesTo: APPLIES_TO,
  permissions: [
    'rds:DescribeDBSnapshotAttributes',
    'rds:ModifyDBSnapshotAttribute',
    'rds:DescribeDBClusterSnapshotAttributes',
    'rds:ModifyDBClusterSnapshotAttribute',
  ],

  describe(target) {
    return `Remove public restore access from ${what(kindOf(target) ?? 'db', snapshotOf(target))}`;
  },

  async precheck(target, clients) {
    if (!APPLIES_TO.includes(target.checkId)) return refuse(`${target.checkId} findings cannot be fixed by making a snapshot private`);
    const kind = kindOf(target);
    const snapshotId = snapshotOf(target);
    if (!kind) return refuse(`the finding does not record whether ${snapshotId} is a DB or a DB cluster snapshot`);
    if (!target.region || target.region === 'global') return refuse(`the finding does not record the region of ${what(kind, snapshotId)}`);
    const restore = await readRestore(clients.rds(target.region), kind, snapshotId);
    if (restore === 'missing') return refuse(`${what(kind, snapshotId)} no longer exists`);
    if (!restore.includes(PUBLIC)) return refuse(`${what(kind, snapshotId)} is already private`);
    const state: SnapshotState = { kind, snapshotId, region: target.region };
    return { ok: true, change: `Remove public restore access from ${what(kind, snapshotId)}${kept(restore.filter((v) => v !== PUBLIC))}`, state: { ...state } };
  },

  async apply(state, clients) {
    const parsed = parseState(state);
    await setPublic(clients.rds(parsed.region), parsed, 'ValuesToRemove');
  },

  async precheckUndo(state, clients) {
    const { kind, snapshotId, region } = parseState(state);
    const restore = await readRestore(clients.rds(region), kind, snapshotId);
    if (restore === 'missing') return refuse(`${what(kind, snapshotId)} no longer exists`);
    if (restore.includes(PUBLIC)) return refuse(`${what(kind, snapshotId)} was made public again since: nothing to undo`);
    return { ok: true };
  },

  async undo(state, clients) {
    const parsed = parseState(state);
    await setPublic(clients.rds(parsed.region), parsed, 'ValuesToAdd');
  },
};

export default makeSnapshotPrivate;
