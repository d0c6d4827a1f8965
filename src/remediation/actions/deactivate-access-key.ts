import { daysBetween, isoDay, maskAccessKeyId } from '../../audit/check.js';
import { isCompromisedKeyQuarantine } from '../../aws/iam-policy.js';
import { collectPages } from '../../aws/paginate.js';
import { awsErrorCode, errorMessage, namedError } from '../../errors.js';
import type { Precheck, PrecheckContext, RemediationAction, RemediationClients, RemediationTarget } from '../types.js';
import type { AccessKeyMetadata, AttachedPolicy } from '@aws-sdk/client-iam';

/** The SDK loads with the first fix applied, not with the bot (whose Slack side lists the fixes from the start). */
const sdk = () => import('../sdk.js');

/**
 * `iam.deactivate-access-key`: sets access keys to Inactive (never deletes
 * them), so undo can turn them back on exactly as they were.
 *
 * Key findings (rotation, unused) come from the credential report, which names
 * a key by user and slot only: the key is found again by its creation time
 * (the report's `access_key_N_last_rotated`), to the second. A user AWS
 * quarantined for a leaked key loses every key that is active now and was
 * created before the finding was found (a key made since is the rotation).
 */

const ROTATION = 'iam.access-key-rotation';
const UNUSED = 'iam.credentials-unused';
const EXPOSED = 'iam.exposed-access-key';
const APPLIES_TO: readonly string[] = [ROTATION, UNUSED, EXPOSED];

type IamClient = ReturnType<RemediationClients['iam']>;

interface KeyState {
  userName: string;
  accessKeyIds: string[];
}

const refuse = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** IAM's "no such user/key": the SDK names it NoSuchEntityException, the wire code is NoSuchEntity. */
function isNoSuchEntity(error: unknown): boolean {
  const code = awsErrorCode(error);
  return code === 'NoSuchEntity' || code === 'NoSuchEntityException';
}

/** `AKIA…AAAA`, `AKIA…AAAA and AKIA…BBBB`, `AKIA…AAAA, AKIA…BBBB and AKIA…CCCC`. */
function maskedList(ids: readonly string[]): string {
  const masked = ids.map(maskAccessKeyId);
  if (masked.length <= 1) return masked.join('');
  return `${masked.slice(0, -1).join(', ')} and ${masked[masked.length - 1]}`;
}

function keysPhrase(ids: readonly string[]): string {
  return `access key${ids.length === 1 ? '' : 's'} ${maskedList(ids)}`;
}

async function listAccessKeys(iam: IamClient, userName: string): Promise<AccessKeyMetadata[]> {
  return collectPages(async (Marker) => {
    const page = await iam.send(new (await sdk()).ListAccessKeysCommand({ UserName: userName, ...(Marker ? { Marker } : {}) }));
    return { items: page.AccessKeyMetadata, next: page.IsTruncated ? page.Marker : undefined };
  });
}

async function listAttachedPolicies(iam: IamClient, userName: string): Promise<AttachedPolicy[]> {
  return collectPages(async (Marker) => {
    const page = await iam.send(new (await sdk()).ListAttachedUserPoliciesCommand({ UserName: userName, ...(Marker ? { Marker } : {}) }));
    return { items: page.AttachedPolicies, next: page.IsTruncated ? page.Marker : undefined };
  });
}

const wholeSecond = (ms: number): number => Math.floor(ms / 1000);

function parseState(state: Record<string, unknown>): KeyState {
  const { userName, accessKeyIds } = state;
  if (
    typeof userName !== 'string' ||
    userName === '' ||
    !Array.isArray(accessKeyIds) ||
    accessKeyIds.length === 0 ||
    !accessKeyIds.every((id): id is string => typeof id === 'string' && id !== '')
  ) {
    throw namedError(
      'MalformedRemediationState',
      'the recorded state of iam.deactivate-access-key is malformed: expected a userName and a non-empty list of accessKeyIds',
    );
  }
  return { userName, accessKeyIds: [...accessKeyIds] };
}

function ok(userName: string, accessKeyIds: string[]): Precheck {
  return { ok: true, change: `Deactivate ${keysPhrase(accessKeyIds)} of IAM user ${userName}`, state: { userName, accessKeyIds } };
}

async function precheckExposed(iam: IamClient, userName: string, foundAt: string): Promise<Precheck> {
  const policies = await listAttachedPolicies(iam, userName);
  if (!policies.some(isCompromisedKeyQuarantine)) {
    return refuse(`IAM user ${userName} no longer has an AWSCompromisedKeyQuarantine policy attached`);
  }
  const active = (await listAccessKeys(iam, userName)).filter((k) => k.Status === 'Active' && k.AccessKeyId);
  if (active.length === 0) return refuse(`IAM user ${userName} has no active access key left`);
  const found = Date.parse(foundAt);
  // A key created after the finding was found is the replacement, not the leaked one; one without a date is kept in.
  const older = active.filter((k) => Number.isNaN(found) || k.CreateDate === undefined || new Date(k.CreateDate).getTime() <= found);
  if (older.length === 0) {
    return refuse(`the active access keys of IAM user ${userName} were all created after the finding (${foundAt.slice(0, 10)}): they are not the exposed one`);
  }
  return ok(
    userName,
    older.map((k) => k.AccessKeyId as string),
  );
}

async function precheckKey(iam: IamClient, target: RemediationTarget, userName: string, context: PrecheckContext): Promise<Precheck> {
  const recorded = target.details.keyCreatedAt;
  const createdMs = typeof recorded === 'string' ? Date.parse(recorded) : Number.NaN;
  if (Number.isNaN(createdMs)) return refuse('this finding is not about an access key, so there is no key to deactivate');

  const keys = await listAccessKeys(iam, userName);
  const matches = keys.filter((k) => k.CreateDate !== undefined && k.AccessKeyId && wholeSecond(new Date(k.CreateDate).getTime()) === wholeSecond(createdMs));
  const created = new Date(createdMs).toISOString();
  if (matches.length === 0) return refuse(`the access key of IAM user ${userName} created ${created} no longer exists`);
  // Two keys created in the same second: which one the audit saw cannot be told, so neither is touched.
  if (matches.length > 1)
    return refuse(`IAM user ${userName} has ${matches.length} access keys created ${created}; cannot tell which one the finding is about`);
  const key = matches[0] as AccessKeyMetadata & { AccessKeyId: string; CreateDate: Date };
  const id = key.AccessKeyId;
  if (key.Status !== 'Active') return refuse(`access key ${maskAccessKeyId(id)} of IAM user ${userName} is already ${key.Status ?? 'not active'}`);

  const createDate = new Date(key.CreateDate);
  if (target.checkId === ROTATION) {
    const limit = context.thresholds.accessKeyMaxAgeDays;
    const age = daysBetween(createDate, context.now);
    if (age <= limit) return refuse(`access key ${maskAccessKeyId(id)} of IAM user ${userName} is ${age} days old, within the limit of ${limit} days`);
  } else {
    const limit = context.thresholds.credentialUnusedDays;
    const answer = await iam.send(new (await sdk()).GetAccessKeyLastUsedCommand({ AccessKeyId: id }));
    const lastUsed = answer.AccessKeyLastUsed?.LastUsedDate;
    const since = lastUsed ? new Date(lastUsed) : createDate;
    const unused = daysBetween(since, context.now);
    if (unused < limit) {
      const when = lastUsed ? `was used ${isoDay(since)}` : `was created ${isoDay(since)}`;
      return refuse(`access key ${maskAccessKeyId(id)} of IAM user ${userName} ${when}, ${unused} days ago (limit ${limit}): it is no longer unused`);
    }
  }
  return ok(userName, [id]);
}

/** Sets each key's status in turn; a failure part-way says which keys were already changed. */
async function setStatus(iam: IamClient, { userName, accessKeyIds }: KeyState, status: 'Active' | 'Inactive'): Promise<void> {
  const done: string[] = [];
  for (const id of accessKeyIds) {
    try {
      await iam.send(new (await sdk()).UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: id, Status: status }));
    } catch (error) {
      if (done.length === 0) throw error;
      throw namedError(
        'PartialRemediation',
        `${keysPhrase(done)} of IAM user ${userName} set to ${status}, but ${maskAccessKeyId(id)} failed: ${errorMessage(error)}`,
        {
          cause: error,
          partialState: { userName, accessKeyIds: [...done] },
        },
      );
    }
    done.push(id);
  }
}

const deactivateAccessKey: RemediationAction = {
  id: 'iam.deactivate-access-key',
  verb: 'Deactivate',
  done: 'Deactivated',
  appliesTo: APPLIES_TO,
  permissions: ['iam:ListAccessKeys', 'iam:GetAccessKeyLastUsed', 'iam:ListAttachedUserPolicies', 'iam:UpdateAccessKey'],

  describe(target) {
    const user = typeof target.details.userName === 'string' ? target.details.userName : target.resourceId;
    if (target.checkId === EXPOSED) return `Deactivate every active access key of IAM user ${user}`;
    const created = target.details.keyCreatedAt;
    if (typeof created !== 'string' || Number.isNaN(Date.parse(created)))
      return `Nothing to deactivate: this finding is not about an access key of IAM user ${user}`;
    const slot = typeof target.details.keySlot === 'number' ? ` ${target.details.keySlot}` : '';
    return `Deactivate access key${slot} of IAM user ${user} (created ${isoDay(new Date(created))})`;
  },

  async precheck(target, clients, context) {
    if (!APPLIES_TO.includes(target.checkId)) return refuse(`${target.checkId} findings cannot be fixed by deactivating an access key`);
    const userName = target.details.userName;
    if (typeof userName !== 'string' || userName === '') return refuse('the finding names no IAM user');
    const iam = clients.iam();
    try {
      return target.checkId === EXPOSED ? await precheckExposed(iam, userName, target.foundAt) : await precheckKey(iam, target, userName, context);
    } catch (error) {
      if (isNoSuchEntity(error)) return refuse(`IAM user ${userName} no longer exists`);
      throw error;
    }
  },

  async apply(state, clients) {
    await setStatus(clients.iam(), parseState(state), 'Inactive');
  },

  async precheckUndo(state, clients) {
    const { userName, accessKeyIds } = parseState(state);
    let keys: AccessKeyMetadata[];
    try {
      keys = await listAccessKeys(clients.iam(), userName);
    } catch (error) {
      if (isNoSuchEntity(error)) return refuse(`IAM user ${userName} no longer exists`);
      throw error;
    }
    for (const id of accessKeyIds) {
      const key = keys.find((k) => k.AccessKeyId === id);
      if (!key) return refuse(`access key ${maskAccessKeyId(id)} of IAM user ${userName} no longer exists`);
      if (key.Status !== 'Inactive')
        return refuse(
          `access key ${maskAccessKeyId(id)} of IAM user ${userName} is ${key.Status ?? 'in an unknown state'} now, not Inactive: it was changed since`,
        );
    }
    return { ok: true };
  },

  async undo(state, clients) {
    await setStatus(clients.iam(), parseState(state), 'Active');
  },
};

export default deactivateAccessKey;
