import { BPA_SETTINGS, type BpaSetting } from '../../rules/s3-exposure.js';
import { awsErrorCode, namedError } from '../../errors.js';
import type { RemediationAction, RemediationClients, RemediationTarget } from '../types.js';
import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';

/** The SDK loads with the first fix applied, not with the bot (whose Slack side lists the fixes from the start). */
const sdk = () => import('../sdk.js');

/**
 * `s3.enable-block-public-access`: turns on the four Block Public Access
 * settings of one bucket (not the account). Undo puts back the configuration
 * there was, or deletes it when the bucket had none.
 */

const APPLIES_TO: readonly string[] = ['s3.block-public-access', 's3.public-acl', 's3.public-policy'];

type S3Client = ReturnType<RemediationClients['s3']>;
type Settings = Record<BpaSetting, boolean>;

interface BpaState {
  bucket: string;
  region: string;
  /** The account that must own the bucket (ExpectedBucketOwner): a bucket deleted and re-created elsewhere under the same name is not touched. */
  owner: string;
  /** The bucket's configuration before apply; null when it had none. */
  previous: Settings | null;
}

const ALL_ON: Settings = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

const refuse = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** Read of the bucket's configuration: `missing` when the bucket is gone, `null` when it has none. */
async function readBpa(s3: S3Client, bucket: string, owner: string): Promise<Settings | null | 'missing'> {
  try {
    const answer = await s3.send(new (await sdk()).GetPublicAccessBlockCommand({ Bucket: bucket, ...ownedBy(owner) }));
    return settingsOf(answer.PublicAccessBlockConfiguration ?? {});
  } catch (error) {
    const code = awsErrorCode(error);
    if (code === 'NoSuchPublicAccessBlockConfiguration') return null;
    if (code === 'NoSuchBucket') return 'missing';
    throw error;
  }
}

/** A setting S3 leaves out is off. */
function settingsOf(config: PublicAccessBlockConfiguration): Settings {
  return {
    BlockPublicAcls: config.BlockPublicAcls === true,
    IgnorePublicAcls: config.IgnorePublicAcls === true,
    BlockPublicPolicy: config.BlockPublicPolicy === true,
    RestrictPublicBuckets: config.RestrictPublicBuckets === true,
  };
}

const allOn = (settings: Settings | null): boolean => settings !== null && BPA_SETTINGS.every((s) => settings[s]);

function list(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `not configured`, `all four off`, `BlockPublicAcls on, the others off`, `RestrictPublicBuckets off, the others on`. */
export function describeSettings(settings: Settings | null): string {
  if (settings === null) return 'not configured';
  const on = BPA_SETTINGS.filter((s) => settings[s]);
  const off = BPA_SETTINGS.filter((s) => !settings[s]);
  if (on.length === 0) return 'all four off';
  if (off.length === 0) return 'all four on';
  if (off.length === 1) return `${list(off)} off, the others on`;
  return `${list(on)} on, the others off`;
}

/** The bucket's region: the finding's when it is regional, else the one its details record. */
function bucketRegion(target: RemediationTarget): string | undefined {
  if (target.region && target.region !== 'global') return target.region;
  const recorded = target.details.region;
  return typeof recorded === 'string' && recorded ? recorded : undefined;
}

function bucketOf(target: RemediationTarget): string {
  return typeof target.details.bucket === 'string' && target.details.bucket ? target.details.bucket : target.resourceId;
}

const ownedBy = (owner: string): { ExpectedBucketOwner: string } => ({ ExpectedBucketOwner: owner });

function malformedState(why: string): Error {
  return namedError('MalformedRemediationState', `the recorded state of s3.enable-block-public-access is malformed: ${why}`);
}

function parseState(state: Record<string, unknown>): BpaState {
  const { bucket, region, previous, owner } = state;
  if (typeof bucket !== 'string' || bucket === '') throw malformedState('no bucket');
  if (typeof region !== 'string' || region === '') throw malformedState('no region');
  if (typeof owner !== 'string' || !/^\d{12}$/.test(owner)) throw malformedState('the owner must be a 12-digit account id');
  const where = { bucket, region, owner };
  if (previous === null) return { ...where, previous: null };
  if (typeof previous !== 'object' || previous === undefined) throw malformedState('no previous configuration (nor null)');
  const p = previous as Record<string, unknown>;
  if (!BPA_SETTINGS.every((s) => typeof p[s] === 'boolean')) throw malformedState('the previous configuration must give all four settings as booleans');
  return { ...where, previous: settingsOf(p as PublicAccessBlockConfiguration) };
}

const enableBlockPublicAccess: RemediationAction = {
  id: 's3.enable-block-public-access',
  verb: 'Block public access',
  done: 'Blocked public access',
  appliesTo: APPLIES_TO,
  permissions: ['s3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock'],

  describe(target) {
    return `Turn on all four Block Public Access settings of bucket ${bucketOf(target)}`;
  },

  async precheck(target, clients) {
    if (!APPLIES_TO.includes(target.checkId)) return refuse(`${target.checkId} findings cannot be fixed by turning on Block Public Access`);
    const bucket = bucketOf(target);
    const region = bucketRegion(target);
    if (!region) return refuse(`the finding does not record the region of bucket ${bucket}`);
    const owner = target.accountId;
    if (!/^\d{12}$/.test(owner)) return refuse(`the finding does not record the account that owns bucket ${bucket}`);
    const current = await readBpa(clients.s3(region), bucket, owner);
    if (current === 'missing') return refuse(`bucket ${bucket} no longer exists`);
    if (allOn(current)) return refuse(`Block Public Access is already fully on for bucket ${bucket}`);
    const state: BpaState = { bucket, region, owner, previous: current };
    return {
      ok: true,
      change: `Turn on all four Block Public Access settings of bucket ${bucket} (now: ${describeSettings(current)})`,
      state: { ...state },
    };
  },

  async apply(state, clients) {
    const { bucket, region, owner } = parseState(state);
    await clients
      .s3(region)
      .send(new (await sdk()).PutPublicAccessBlockCommand({ Bucket: bucket, ...ownedBy(owner), PublicAccessBlockConfiguration: { ...ALL_ON } }));
  },

  async precheckUndo(state, clients) {
    const { bucket, region, owner } = parseState(state);
    const current = await readBpa(clients.s3(region), bucket, owner);
    if (current === 'missing') return refuse(`bucket ${bucket} no longer exists`);
    if (!allOn(current)) return refuse(`the Block Public Access settings of bucket ${bucket} were changed since (now: ${describeSettings(current)})`);
    return { ok: true };
  },

  async undo(state, clients) {
    const { bucket, region, owner, previous } = parseState(state);
    const s3 = clients.s3(region);
    // DeletePublicAccessBlock is authorised by s3:PutBucketPublicAccessBlock.
    if (previous === null) await s3.send(new (await sdk()).DeletePublicAccessBlockCommand({ Bucket: bucket, ...ownedBy(owner) }));
    else await s3.send(new (await sdk()).PutPublicAccessBlockCommand({ Bucket: bucket, ...ownedBy(owner), PublicAccessBlockConfiguration: { ...previous } }));
  },
};

export default enableBlockPublicAccess;
