import { z } from 'zod';

/** The version this code writes; older files are migrated on open, newer ones refused. */
export const SCHEMA_VERSION = 1;

const severity = z.enum(['critical', 'high', 'medium', 'low', 'info']);

export const findingStateSchema = z.looseObject({
  fingerprint: z.string(),
  checkId: z.string(),
  accountId: z.string(),
  region: z.string(),
  resourceId: z.string(),
  severity,
  message: z.string(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  resolvedAt: z.string().nullable(),
  reopenedAt: z.string().nullable(),
});

export const scanRecordSchema = z.looseObject({
  id: z.string(),
  alias: z.string(),
  accountId: z.string(),
  startedAt: z.string(),
  checkIds: z.array(z.string()),
  regions: z.array(z.string()),
  findings: z.number(),
  errors: z.number(),
});

export const muteRecordSchema = z.looseObject({
  id: z.string(),
  fingerprint: z.string(),
  accountId: z.string(),
  reason: z.string(),
  mutedBy: z.string(),
  mutedAt: z.string(),
  /** The mute ends at this time unless ended earlier by an unmute. */
  expiresAt: z.string(),
  unmutedBy: z.string().nullable(),
  unmutedAt: z.string().nullable(),
  /** `config`: written from the config file's `mutes:` (rule: its key; label: `mutes[2]`), and ended only by it. Absent: from Slack. */
  source: z.literal('config').optional(),
  rule: z.string().optional(),
  label: z.string().optional(),
  /** The newer mute that took its place (the mute was not ended, so it does not resurface). */
  replacedBy: z.string().optional(),
});

export type MuteRecord = z.infer<typeof muteRecordSchema>;

/** A Slack message: the finding's thread, or the message a fix was chosen in. */
const messageRef = z.looseObject({ channel: z.string(), ts: z.string() });

export const ACTION_RESULTS = ['refused', 'dry-run', 'applying', 'applied', 'failed', 'undone', 'undo-failed', 'requested', 'rejected'] as const;

/** One entry of the action log: an attempt to fix, undo, request or decide, and what came of it. */
export const actionRecordSchema = z.looseObject({
  id: z.string(),
  at: z.string(),
  /** The click this entry answers: a repeat of it (a replayed payload) is answered from here, never acted on again. */
  requestId: z.string(),
  result: z.enum(ACTION_RESULTS),
  action: z.string(),
  fingerprint: z.string(),
  accountId: z.string(),
  alias: z.string(),
  checkId: z.string(),
  /** Who clicked (the requester, under the two-person rule). */
  user: z.string(),
  /** Under the two-person rule: who approved (or rejected). */
  approvedBy: z.string().optional(),
  /** What changed, would change (dry run) or was asked (request): one sentence. */
  change: z.string().optional(),
  /** Refused and failed entries: why, as a reason code and its facts (the renderers choose the words). */
  why: z.looseObject({ code: z.string() }).optional(),
  /** Why it was refused or failed, in words (entries written before reason codes). */
  reason: z.string().optional(),
  /** What undo needs (applied entries, and failed ones that changed part of it); what was previewed (requests). */
  state: z.record(z.string(), z.unknown()).optional(),
  /** Failed entries: part of the change was made (`state` says which part; undo restores it). */
  partial: z.boolean().optional(),
  /** `applying` entries: when the outcome was written. */
  completedAt: z.string().optional(),
  /** Applied entries: when and by whom it was undone. */
  undoneAt: z.string().optional(),
  undoneBy: z.string().optional(),
  /** Applied entries the live state no longer matched, fixed again by a later entry: undo that one. */
  supersededBy: z.string().optional(),
  /** Undo entries: the applied entry they undo. */
  undoOf: z.string().optional(),
  /** Where the finding's thread is. */
  thread: messageRef.optional(),
  /** The report or digest message the fix was chosen in (it gets a line with the outcome). */
  message: messageRef.optional(),
  /** Requests (two-person rule): the finding reference the requester's control carried. */
  ref: z.string().optional(),
  /** Requests: decided (approved or rejected) when and by whom; a request is decided once. */
  decidedAt: z.string().optional(),
  decidedBy: z.string().optional(),
});

/** The fields a schema names (a loose object's type also says "any other key": that would swallow Omit and Pick). */
type Named<T> = { [K in keyof T as string extends K ? never : K]: T[K] };

export type ActionRecord = Named<z.infer<typeof actionRecordSchema>>;
export type ActionResult = ActionRecord['result'];
export type MessageRef = z.infer<typeof messageRef>;

export const storeSchema = z.looseObject({
  schemaVersion: z.number().int(),
  scans: z.array(scanRecordSchema),
  findings: z.array(findingStateSchema),
  mutes: z.array(muteRecordSchema),
  actions: z.array(actionRecordSchema),
  digest: z.looseObject({
    /** End of the window the last posted digest covered: the next one reports what changed after it. */
    cursor: z.string().nullable(),
    lastPostedAt: z.string().nullable(),
    /** When the next scheduled digest is due, for the schedule it was computed from: a bot down at that time posts it at start-up. */
    due: z.looseObject({ at: z.string(), schedule: z.string(), timezone: z.string() }).nullable().default(null),
    /** Open, unmuted findings by severity per account id at the last digest (for "change since last week"). */
    totals: z.record(z.string(), z.record(z.string(), z.number())).default({}),
  }),
  /** Accounts discovery has found, by id: when first seen, when no longer audited, and whether the digest said so. */
  organization: z
    .looseObject({
      accounts: z.record(
        z.string(),
        z.looseObject({
          alias: z.string(),
          name: z.string(),
          firstSeen: z.string(),
          leftAt: z.string().nullable(),
          /** Why it is no longer audited (left the organization, suspended, filtered out). */
          leftWhy: z.string().optional(),
          joinedReported: z.boolean(),
          leftReported: z.boolean(),
        }),
      ),
    })
    .default({ accounts: {} }),
  /** The alerts' own cursor (the end of the window the last alert run covered); null before the first run. */
  alerts: z.looseObject({ cursor: z.string().nullable(), lastPostedAt: z.string().nullable() }).default({ cursor: null, lastPostedAt: null }),
  /** The history's clock: the last time it stamped a change (null before the first). */
  clock: z.string().nullable().default(null),
});

export type StoreData = z.infer<typeof storeSchema>;
export type ScanRecord = z.infer<typeof scanRecordSchema>;

export function emptyStore(): StoreData {
  return {
    schemaVersion: SCHEMA_VERSION,
    scans: [],
    findings: [],
    mutes: [],
    actions: [],
    digest: { cursor: null, lastPostedAt: null, due: null, totals: {} },
    alerts: { cursor: null, lastPostedAt: null },
    organization: { accounts: {} },
    clock: null,
  };
}

/** The history's next time: `now`, but later than every time given (its last stamp, both cursors). */
export function nextTick(times: readonly (string | null | undefined)[], now: Date): string {
  let last = 0;
  for (const t of times) if (typeof t === 'string') last = Math.max(last, Date.parse(t));
  return new Date(Math.max(now.getTime(), last + 1)).toISOString();
}

/** Whether a document holds no history at all (what `store migrate` may fill). */
export function isEmptyHistory(data: Pick<StoreData, 'scans' | 'findings' | 'mutes' | 'actions' | 'digest' | 'alerts' | 'organization'>): boolean {
  return (
    data.scans.length === 0 &&
    data.findings.length === 0 &&
    data.mutes.length === 0 &&
    data.actions.length === 0 &&
    Object.keys(data.organization.accounts).length === 0 &&
    data.digest.cursor === null &&
    data.alerts.cursor === null
  );
}
