import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { AuditBotError, errorMessage } from '../errors.js';
import { terminalSafe } from '../terminal/sanitize.js';
import type { FindingState } from './diff.js';
import {
  MemoryShelf,
  storeNotEmpty,
  type ActionQuery,
  type AlertsState,
  type DigestState,
  type FindingQuery,
  type MuteQuery,
  type OrganizationAccount,
  type ScanQuery,
  type Store,
  type StoreReader,
  type StoreWriter,
} from './contract.js';
import { InTurn } from './in-turn.js';
import { lockStore, type StoreLock, type StoreLockOptions } from './lock.js';
import {
  emptyStore,
  isEmptyHistory,
  nextTick,
  SCHEMA_VERSION,
  storeSchema,
  type ActionRecord,
  type MuteRecord,
  type ScanRecord,
  type StoreData,
} from './records.js';

export * from './records.js';
export type { Store } from './contract.js';

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

const copy = <T>(value: T): T => structuredClone(value);
/** What is written keeps what JSON keeps (a field set to undefined is no field), as on disk and in PostgreSQL. */
const asStored = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The contract's reads, over one document (the file's data, or a transaction's draft of it). */
/** The records whose fields equal every value `wanted` gives (an undefined one matches all). */
function matching<T extends object>(records: readonly T[], wanted: { [K in keyof T]?: T[K] | undefined }): T[] {
  const fields = Object.entries(wanted).filter(([, v]) => v !== undefined);
  return records.filter((r) => fields.every(([k, v]) => (r as Record<string, unknown>)[k] === v));
}

class DocumentReader implements StoreReader {
  constructor(protected readonly doc: () => StoreData) {}

  async findings(query: FindingQuery = {}): Promise<FindingState[]> {
    const found = matching(this.doc().findings as FindingState[], { accountId: query.accountId, fingerprint: query.fingerprint });
    return copy(query.open ? found.filter((f) => f.resolvedAt === null) : found).sort((a, b) =>
      a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0,
    );
  }

  async scans(query: ScanQuery = {}): Promise<ScanRecord[]> {
    const found = matching(this.doc().scans, { id: query.id, alias: query.alias, accountId: query.accountId });
    return copy(query.last === undefined ? found : found.slice(Math.max(0, found.length - query.last)));
  }

  async mutes(query: MuteQuery = {}): Promise<MuteRecord[]> {
    return copy(matching(this.doc().mutes, { id: query.id, fingerprint: query.fingerprint, accountId: query.accountId }));
  }

  async actions(query: ActionQuery = {}): Promise<ActionRecord[]> {
    return copy(matching(this.doc().actions, { id: query.id, requestId: query.requestId, fingerprint: query.fingerprint }));
  }

  async digestState(): Promise<DigestState> {
    return copy(this.doc().digest);
  }

  async alertsState(): Promise<AlertsState> {
    return copy(this.doc().alerts);
  }

  async organizationAccounts(): Promise<Record<string, OrganizationAccount>> {
    return copy(this.doc().organization.accounts);
  }
}

/** A transaction on the file: its writes change a draft, which is written whole at the end. */
class DocumentWriter extends DocumentReader implements StoreWriter {
  constructor(private readonly draft: StoreData) {
    super(() => draft);
  }

  async putFindings(states: readonly FindingState[]): Promise<void> {
    if (states.length === 0) return;
    const byFingerprint = new Map(states.map((s) => [s.fingerprint, asStored(s)]));
    const kept = this.draft.findings.map((f) => {
      const next = byFingerprint.get(f.fingerprint);
      if (!next) return f;
      byFingerprint.delete(f.fingerprint);
      return next;
    });
    this.draft.findings = [...kept, ...byFingerprint.values()];
  }

  async deleteFindings(fingerprints: readonly string[]): Promise<void> {
    if (fingerprints.length === 0) return;
    const drop = new Set(fingerprints);
    this.draft.findings = this.draft.findings.filter((f) => !drop.has(f.fingerprint));
  }

  async putScan(scan: ScanRecord): Promise<void> {
    const i = this.draft.scans.findIndex((s) => s.id === scan.id);
    if (i >= 0) this.draft.scans[i] = asStored(scan);
    else this.draft.scans.push(asStored(scan));
  }

  async deleteScans(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const drop = new Set(ids);
    this.draft.scans = this.draft.scans.filter((s) => !drop.has(s.id));
  }

  async putMutes(mutes: readonly MuteRecord[]): Promise<void> {
    for (const mute of mutes) {
      const i = this.draft.mutes.findIndex((m) => m.id === mute.id);
      if (i >= 0) this.draft.mutes[i] = asStored(mute);
      else this.draft.mutes.push(asStored(mute));
    }
  }

  async putAction(record: ActionRecord): Promise<void> {
    const i = this.draft.actions.findIndex((a) => a.id === record.id);
    if (i >= 0) this.draft.actions[i] = asStored(record);
    else this.draft.actions.push(asStored(record));
  }

  async setDigestState(patch: Partial<DigestState>): Promise<void> {
    Object.assign(this.draft.digest, asStored(patch));
  }

  async setAlertsState(patch: Partial<AlertsState>): Promise<void> {
    Object.assign(this.draft.alerts, asStored(patch));
  }

  async putOrganizationAccounts(accounts: Readonly<Record<string, OrganizationAccount>>): Promise<void> {
    Object.assign(this.draft.organization.accounts, asStored(accounts));
  }

  async tick(now: Date): Promise<string> {
    this.draft.clock = nextTick([this.draft.clock, this.draft.digest.cursor, this.draft.alerts.cursor], now);
    return this.draft.clock;
  }
}

/**
 * The embedded backend: one JSON file, one writer. Opening it takes a lock
 * file next to it (a second bot on the same file is refused) and refuses a
 * file it cannot read, rather than starting over on an empty history.
 */
export class FileStore extends DocumentReader implements Store {
  readonly backend = 'file' as const;
  readonly shelf = new MemoryShelf();
  private chain: Promise<void> = Promise.resolve();
  private readonly held = new InTurn();

  private constructor(
    private readonly db: Low<StoreData>,
    private readonly lock: StoreLock,
    readonly location: string,
  ) {
    super(() => db.data);
  }

  static async open(file: string, options: StoreLockOptions = {}): Promise<FileStore> {
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
      return new FileStore(db, lock, file);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** Set when the lock was lost while held: nothing more is written. */
  get lockLost(): Error | undefined {
    return this.lock.lost;
  }

  /** The data as it is on disk (this process is its only writer). Read-only: tests and this file's own checks. */
  get data(): Readonly<StoreData> {
    return this.db.data;
  }

  async snapshot(): Promise<StoreData> {
    return copy(this.db.data);
  }

  /**
   * Changes the data and writes it, one change at a time: `change` runs only
   * after the previous write finished, so no update is lost. It works on a
   * copy that replaces the data only once it is on disk: a failed write
   * changes nothing, in memory either.
   */
  update(change: (data: StoreData) => void): Promise<void> {
    return this.transaction(async () => undefined, { change });
  }

  transaction<T>(work: (tx: StoreWriter) => Promise<T>, options: { lock?: readonly string[]; change?: (data: StoreData) => void } = {}): Promise<T> {
    const next = this.chain.then(async () => {
      // Another process holds the file now: writing would undo its writes.
      if (this.lock.lost)
        throw new AuditBotError(
          'STORE_LOCKED',
          `The bot lost the lock of its database ${this.lock.path.replace(/\.lock$/, '')} (${this.lock.lost.message}); it writes nothing more. Restart it.`,
        );
      const current = this.db.data;
      const draft = copy(current);
      options.change?.(draft);
      const result = await work(new DocumentWriter(draft));
      this.db.data = draft;
      try {
        await this.db.write();
      } catch (error) {
        this.db.data = current;
        throw error;
      }
      return result;
    });
    this.chain = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  async load(data: StoreData): Promise<void> {
    await this.transaction(async () => undefined, {
      change: (draft) => {
        if (!isEmptyHistory(draft)) throw storeNotEmpty(this.location);
        Object.assign(draft, copy(data), { schemaVersion: SCHEMA_VERSION });
      },
    });
  }

  /** One process writes the file: holding a key is holding it in this process. */
  exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.held.run(key, work);
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
