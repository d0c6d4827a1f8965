import { AuditBotError } from '../errors.js';
import type { FindingState } from './diff.js';
import type { ActionRecord, MuteRecord, ScanRecord, StoreData } from './records.js';

export type DigestState = StoreData['digest'];
export type AlertsState = StoreData['alerts'];
export type OrganizationAccount = StoreData['organization']['accounts'][string];

export interface FindingQuery {
  accountId?: string;
  fingerprint?: string;
  /** Only open findings (not resolved). */
  open?: boolean;
}

export interface ScanQuery {
  id?: string;
  alias?: string;
  accountId?: string;
  /** Only the newest `last` of those that match. */
  last?: number;
}

export interface MuteQuery {
  id?: string;
  fingerprint?: string;
  accountId?: string;
}

export interface ActionQuery {
  id?: string;
  requestId?: string;
  fingerprint?: string;
}

/**
 * What every backend reads. Lists come oldest first (in the order they were
 * written), finding states by fingerprint. What a read returns is the
 * caller's own copy: changing it changes nothing stored.
 */
export interface StoreReader {
  findings(query?: FindingQuery): Promise<FindingState[]>;
  scans(query?: ScanQuery): Promise<ScanRecord[]>;
  mutes(query?: MuteQuery): Promise<MuteRecord[]>;
  actions(query?: ActionQuery): Promise<ActionRecord[]>;
  digestState(): Promise<DigestState>;
  alertsState(): Promise<AlertsState>;
  /** Accounts discovery has found, by id. */
  organizationAccounts(): Promise<Record<string, OrganizationAccount>>;
}

/** Reads (which see the transaction's own writes) and writes, inside one transaction. */
export interface StoreWriter extends StoreReader {
  /** Writes finding states, by fingerprint (new ones added, known ones replaced). */
  putFindings(states: readonly FindingState[]): Promise<void>;
  deleteFindings(fingerprints: readonly string[]): Promise<void>;
  /** Adds a scan (its id new) or replaces the one with its id. */
  putScan(scan: ScanRecord): Promise<void>;
  deleteScans(ids: readonly string[]): Promise<void>;
  /** Writes mutes by id: a new one goes after every earlier one. */
  putMutes(mutes: readonly MuteRecord[]): Promise<void>;
  /** Writes an action-log entry by id: a new one goes after every earlier one. */
  putAction(record: ActionRecord): Promise<void>;
  setDigestState(patch: Partial<DigestState>): Promise<void>;
  setAlertsState(patch: Partial<AlertsState>): Promise<void>;
  putOrganizationAccounts(accounts: Readonly<Record<string, OrganizationAccount>>): Promise<void>;
  /**
   * The history's clock: `now`, but later than every time it gave before and
   * than both cursors, in every process on this store. Changes are stamped
   * with it, and the digest closes its window with it; a backend shared by
   * several processes holds its clock until the transaction ends, so a
   * change stamped before a window closed is written before anyone reads
   * that window.
   */
  tick(now: Date): Promise<string>;
}

/** Values by key, each kept until a time (then gone, or soon removed). */
export interface Shelf {
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown, until: Date): Promise<void>;
  delete(key: string): Promise<void>;
}

/** A shelf in memory: what one process needs. */
export class MemoryShelf implements Shelf {
  private readonly items = new Map<string, { value: unknown; until: number }>();

  async get(key: string): Promise<unknown> {
    const item = this.items.get(key);
    return item && item.until > Date.now() ? structuredClone(item.value) : undefined;
  }

  async put(key: string, value: unknown, until: Date): Promise<void> {
    const now = Date.now();
    for (const [k, v] of this.items) if (v.until <= now) this.items.delete(k);
    this.items.set(key, { value: structuredClone(value), until: until.getTime() });
  }

  async delete(key: string): Promise<void> {
    this.items.delete(key);
  }
}

export interface TransactionOptions {
  /**
   * Names held for the transaction, against every other transaction (of any
   * process on the same store) that names one of them: `account:<id>` around
   * a scan's write, for one.
   */
  lock?: readonly string[];
}

/**
 * The bot's database, whichever backend keeps it: the JSON file (one
 * process) or PostgreSQL (several bot replicas and workers). Both pass one
 * test suite (test/store/contract.test.ts).
 */
export interface Store extends StoreReader {
  readonly backend: 'file' | 'postgres';
  /** Where it is, for messages: the file's path, or the server and database (never a password). */
  readonly location: string;
  /**
   * Runs `work` in one transaction: every write in it lands, or none (a
   * throw from `work` rolls it back and is rethrown). Transactions must not
   * be nested.
   */
  transaction<T>(work: (tx: StoreWriter) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Runs `work` while holding `key` against every other process on this
   * store (a fix and its account's other fixes, across bot replicas): work
   * that spans AWS calls, not one transaction. In one process, calls with
   * one key also run one after the other.
   */
  exclusive<T>(key: string, work: () => Promise<T>): Promise<T>;
  /**
   * Short-lived values every process on this store sees (a fix's
   * confirmation, between Fix and Apply): in this process's memory for the
   * file (it has one process), in a table for PostgreSQL, so a click that
   * reaches another bot replica finds what this one showed.
   */
  readonly shelf: Shelf;
  /** Set when this process can no longer write safely (the file's lock was taken over): nothing more is written. */
  readonly lockLost: Error | undefined;
  /** Everything, as one document (the file's shape): for `store migrate` and checks of the whole. */
  snapshot(): Promise<StoreData>;
  /**
   * Fills a store that holds no history yet with a snapshot, in one
   * transaction, order kept (`store migrate`). A store that holds any
   * history is refused (STORE_NOT_EMPTY): nothing is merged or overwritten.
   */
  load(data: StoreData): Promise<void>;
  /** Waits for pending writes and lets go of the database. */
  close(): Promise<void>;
}

/** The lock a write about one account holds (a scan's, a mute's, a config sync's). */
export function accountLock(accountId: string): string {
  return `account:${accountId}`;
}

/** Raised by `load` on a store that already holds a history. */
export function storeNotEmpty(location: string): AuditBotError {
  return new AuditBotError(
    'STORE_NOT_EMPTY',
    `The bot's database at ${location} already holds a history: nothing was moved into it (nothing is merged or overwritten). Name an empty database, or remove that one first.`,
  );
}
