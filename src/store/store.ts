import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { z } from 'zod';
import { AuditBotError, errorMessage } from '../errors.js';
import { terminalSafe } from '../terminal/sanitize.js';
import { lockStore, type StoreLock, type StoreLockOptions } from './lock.js';

/** The version this code writes; older files are migrated on open, newer ones refused. */
export const SCHEMA_VERSION = 1;

const severity = z.enum(['critical', 'high', 'medium', 'low', 'info']);

const findingState = z.looseObject({
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

const scanRecord = z.looseObject({
  id: z.string(),
  alias: z.string(),
  accountId: z.string(),
  startedAt: z.string(),
  checkIds: z.array(z.string()),
  regions: z.array(z.string()),
  findings: z.number(),
  errors: z.number(),
});

const muteRecord = z.looseObject({
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

export type MuteRecord = z.infer<typeof muteRecord>;

/** A Slack message: the finding's thread, or the message a fix was chosen in. */
const messageRef = z.looseObject({ channel: z.string(), ts: z.string() });

export const ACTION_RESULTS = ['refused', 'dry-run', 'applying', 'applied', 'failed', 'undone', 'undo-failed', 'requested', 'rejected'] as const;

/** One entry of the action log: an attempt to fix, undo, request or decide, and what came of it. */
const actionRecord = z.looseObject({
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

export type ActionRecord = Named<z.infer<typeof actionRecord>>;
export type ActionResult = ActionRecord['result'];
export type MessageRef = z.infer<typeof messageRef>;

const storeSchema = z.looseObject({
  schemaVersion: z.number().int(),
  scans: z.array(scanRecord),
  findings: z.array(findingState),
  mutes: z.array(muteRecord),
  actions: z.array(actionRecord),
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
});

export type StoreData = z.infer<typeof storeSchema>;
export type ScanRecord = z.infer<typeof scanRecord>;

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
  };
}

/**
 * Migrations by the version they start from: each returns the next version's
 * shape. Version 1 is the first this bot wrote; a file without a
 * `schemaVersion` is not ours, whatever it holds, and is never migrated.
 */
const MIGRATIONS: Record<number, (data: Record<string, unknown>) => Record<string, unknown>> = {};

function storeError(file: string, problem: string): AuditBotError {
  return new AuditBotError(
    'STORE_UNREADABLE',
    `The bot's database ${file} ${problem}. The bot never overwrites it: fix it, or move it aside to start with an empty history.`,
  );
}

/**
 * Reads and writes one JSON file atomically: the new content goes to a
 * temporary file in the same directory (mode 0600, flushed to disk), which
 * then replaces the old one by rename, so a crash leaves either the old file
 * or the new one, never half of one.
 */
export class AtomicJsonFile implements Adapter<StoreData> {
  constructor(readonly file: string) {}

  async read(): Promise<StoreData | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw storeError(this.file, `cannot be read (${errorMessage(error)})`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw storeError(this.file, `is not valid JSON (${errorMessage(error)})`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw storeError(this.file, 'is not a JSON object');
    let data = json as Record<string, unknown>;
    // Only our own files are read (and later rewritten): package.json, {} or another tool's JSON at store.path is left byte for byte.
    if (!Number.isInteger(data.schemaVersion) || (data.schemaVersion as number) < 1) {
      const keys = Object.keys(data);
      const holds = keys.length
        ? `it holds ${keys
            .slice(0, 5)
            .map((k) => JSON.stringify(k.slice(0, 40)))
            .join(', ')}${keys.length > 5 ? ', …' : ''}`
        : 'it is an empty object';
      throw storeError(this.file, `is not a database of this bot (it has no numeric schemaVersion; ${terminalSafe(holds)}); check store.path`);
    }
    let version = data.schemaVersion as number;
    if (version > SCHEMA_VERSION)
      throw storeError(this.file, `was written by a newer version of the bot (schema ${version}; this one knows ${SCHEMA_VERSION})`);
    while (version < SCHEMA_VERSION) {
      const migrate = MIGRATIONS[version];
      if (!migrate) throw storeError(this.file, `has schema version ${version}, which this bot cannot migrate`);
      data = migrate(data);
      version = data.schemaVersion as number;
    }
    const parsed = storeSchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw storeError(this.file, `does not have the expected shape (${issue.path.join('.') || 'top level'}: ${issue.message})`);
    }
    return parsed.data;
  }

  async write(data: StoreData): Promise<void> {
    const dir = path.dirname(this.file);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = path.join(dir, `.${path.basename(this.file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(data, null, 2)}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await chmod(temp, 0o600); // whatever the umask
      await rename(temp, this.file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    // The rename itself must reach the disk too.
    const dirHandle = await open(dir, 'r').catch(() => undefined);
    await dirHandle?.sync().catch(() => undefined);
    await dirHandle?.close();
  }
}

/**
 * The bot's database: one JSON file, one writer. Opening it takes a lock file
 * next to it (a second bot on the same file is refused) and refuses a file it
 * cannot read, rather than starting over on an empty history.
 */
export class Store {
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    private readonly db: Low<StoreData>,
    private readonly lock: StoreLock,
  ) {}

  static async open(file: string, options: StoreLockOptions = {}): Promise<Store> {
    const adapter = new AtomicJsonFile(file);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 }).catch((error: unknown) => {
      throw new AuditBotError(
        'STORE_UNREADABLE',
        `Cannot create the folder of the bot's database ${file}: ${errorMessage(error)}. Check store.path and the folder's permissions.`,
        { cause: error },
      );
    });
    const lock = await lockStore(file, options);
    try {
      await removeStaleTempFiles(file);
      const db = new Low<StoreData>(adapter, emptyStore());
      await db.read();
      return new Store(db, lock);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** Set when the lock was lost while held: nothing more is written. */
  get lockLost(): Error | undefined {
    return this.lock.lost;
  }

  get data(): Readonly<StoreData> {
    return this.db.data;
  }

  /**
   * Changes the data and writes it, one change at a time: `change` runs only
   * after the previous write finished, so no update is lost. It works on a
   * copy that replaces the data only once it is on disk: a failed write
   * changes nothing, in memory either.
   */
  update(change: (data: StoreData) => void): Promise<void> {
    const next = this.chain.then(async () => {
      // Another process holds the file now: writing would undo its writes.
      if (this.lock.lost)
        throw new AuditBotError(
          'STORE_LOCKED',
          `The bot lost the lock of its database ${this.lock.path.replace(/\.lock$/, '')} (${this.lock.lost.message}); it writes nothing more. Restart it.`,
        );
      const current = this.db.data;
      const draft = structuredClone(current);
      change(draft);
      this.db.data = draft;
      try {
        await this.db.write();
      } catch (error) {
        this.db.data = current;
        throw error;
      }
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Waits for pending writes and releases the lock. */
  async close(): Promise<void> {
    await this.chain;
    await this.lock.release();
  }
}

/**
 * Temporary files of writes that never finished (the process was killed
 * between creating and renaming one): each is a full copy of the database.
 * Only ours are removed, and only with the lock held, so no live write's
 * file is touched.
 */
async function removeStaleTempFiles(file: string): Promise<void> {
  const dir = path.dirname(file);
  const prefix = `.${path.basename(file)}.`;
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(prefix) && /\.\d+\.[0-9a-f]{8}\.tmp$/.test(n)).map((n) => rm(path.join(dir, n), { force: true })));
}
