import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { z } from 'zod';
import { AuditBotError, errorMessage } from '../errors.js';

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
});

export type MuteRecord = z.infer<typeof muteRecord>;

const storeSchema = z.looseObject({
  schemaVersion: z.number().int(),
  scans: z.array(scanRecord),
  findings: z.array(findingState),
  mutes: z.array(muteRecord),
  actions: z.array(z.looseObject({ id: z.string(), at: z.string() })),
  digest: z.looseObject({
    /** End of the window the last posted digest covered: the next one reports what changed after it. */
    cursor: z.string().nullable(),
    lastPostedAt: z.string().nullable(),
    /** When the next scheduled digest is due, for the schedule it was computed from: a bot down at that time posts it at start-up. */
    due: z.looseObject({ at: z.string(), schedule: z.string(), timezone: z.string() }).nullable().default(null),
    /** Open, unmuted findings by severity per account id at the last digest (for "change since last week"). */
    totals: z.record(z.string(), z.record(z.string(), z.number())).default({}),
  }),
});

export type StoreData = z.infer<typeof storeSchema>;
export type ScanRecord = z.infer<typeof scanRecord>;

export function emptyStore(): StoreData {
  return { schemaVersion: SCHEMA_VERSION, scans: [], findings: [], mutes: [], actions: [], digest: { cursor: null, lastPostedAt: null, due: null, totals: {} } };
}

/** Migrations by the version they start from: each returns the next version's shape. */
const MIGRATIONS: Record<number, (data: Record<string, unknown>) => Record<string, unknown>> = {
  // Version 0: files written before the version field existed (none shipped); fills what is missing.
  0: (data) => ({ ...emptyStore(), ...data, schemaVersion: 1 }),
};

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
    let version = typeof data.schemaVersion === 'number' ? data.schemaVersion : 0;
    if (version > SCHEMA_VERSION) throw storeError(this.file, `was written by a newer version of the bot (schema ${version}; this one knows ${SCHEMA_VERSION})`);
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
    private readonly lockFile: string,
  ) {}

  static async open(file: string): Promise<Store> {
    const adapter = new AtomicJsonFile(file);
    const lockFile = `${file}.lock`;
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await takeLock(lockFile, file);
    try {
      const db = new Low<StoreData>(adapter, emptyStore());
      await db.read();
      return new Store(db, lockFile);
    } catch (error) {
      await rm(lockFile, { force: true });
      heldLocks.delete(lockFile);
      throw error;
    }
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
    await rm(this.lockFile, { force: true });
    heldLocks.delete(this.lockFile);
  }
}

/** Lock files this process holds. */
const heldLocks = new Set<string>();

async function takeLock(lockFile: string, file: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: 'wx', mode: 0o600 });
      heldLocks.add(lockFile);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
      // A live holder keeps it: another process, or a store of this one (two stores on one file would be two writers).
      // Our own pid on a lock we do not hold is a lock left by an earlier run with the same pid (PID 1 in a restarted container).
      const live = holder === process.pid ? heldLocks.has(lockFile) : Number.isInteger(holder) && holder > 0 && isAlive(holder);
      if (live) {
        throw new AuditBotError(
          'STORE_UNREADABLE',
          `The bot's database ${file} is in use by another bot (process ${holder}); only one may write it. If no bot is running, delete ${lockFile}.`,
        );
      }
      // Left behind by a bot that is gone: take it over.
      await rm(lockFile, { force: true });
    }
  }
  throw new AuditBotError('STORE_UNREADABLE', `Could not lock the bot's database ${file}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
