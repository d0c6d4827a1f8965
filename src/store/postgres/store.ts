import { createHash } from 'node:crypto';
import pg from 'pg';
import { AuditBotError, errorMessage } from '../../errors.js';
import type {
  ActionQuery,
  AlertsState,
  DigestState,
  FindingQuery,
  MuteQuery,
  OrganizationAccount,
  ScanQuery,
  Store,
  StoreReader,
  StoreWriter,
  Shelf,
  TransactionOptions,
} from '../contract.js';
import { storeNotEmpty } from '../contract.js';
import type { FindingState } from '../diff.js';
import { emptyStore, isEmptyHistory, nextTick, SCHEMA_VERSION, type ActionRecord, type MuteRecord, type ScanRecord, type StoreData } from '../records.js';
import { InTurn } from '../in-turn.js';
import { MIGRATIONS } from './migrations.js';
import { redactUrl } from './url.js';

export { redactUrl } from './url.js';

/** The schema the bot's tables live in, unless `store.schema` names another. */
export const DEFAULT_SCHEMA = 'audit_bot';

export interface PostgresStoreOptions {
  schema?: string;
  /** Connections for transactions. */
  poolSize?: number;
  /** Connections that hold `exclusive` keys (a fix holds two, a worker's audit one each): at least 20. */
  lockPoolSize?: number;
  /** False: a database without the bot's tables (or behind this bot's migrations) is refused, not migrated (`store status`, `accounts`). */
  migrate?: boolean;
  /** Told of connection errors of idle clients (the pool replaces them). */
  onError?: (error: Error) => void;
}

function unreachable(location: string, error: unknown): AuditBotError {
  const code = (error as { code?: string }).code;
  const hint =
    code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT'
      ? ' Check that PostgreSQL runs there and that store.url (or DATABASE_URL) names it.'
      : code === '28P01' || code === '28000'
        ? ' Check the user and password in the URL.'
        : code === '3D000'
          ? ' Create the database first (createdb), or name an existing one.'
          : '';
  return new AuditBotError('STORE_UNREADABLE', `Cannot use the bot's database at ${location}: ${errorMessage(error)}.${hint}`, { cause: error });
}

/** The lock id of a name: a 64-bit hash (advisory locks take integers), of the schema and the name. */
export function lockId(schema: string, name: string): string {
  return BigInt.asIntN(64, BigInt(`0x${createHash('sha256').update(`${schema}\u0000${name}`).digest('hex').slice(0, 16)}`)).toString();
}

type Queryable = Pick<pg.PoolClient, 'query'>;

/** A WHERE clause of equalities (columns whose value is undefined are left out) and its parameters. */
function whereOf(columns: Record<string, unknown>, also: readonly string[] = []): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const parts = Object.entries(columns)
    .filter(([, v]) => v !== undefined)
    .map(([column, v]) => `${column} = $${params.push(v)}`);
  parts.push(...also);
  return { where: parts.length ? ` WHERE ${parts.join(' AND ')}` : '', params };
}

/** The contract's reads, on a pool (each its own statement) or on a transaction's client. */
class SqlReader implements StoreReader {
  constructor(
    readonly db: Queryable,
    protected readonly schema: string,
  ) {}

  protected t(table: string): string {
    return `"${this.schema}".${table}`;
  }

  protected async bodies<T>(sql: string, params: unknown[]): Promise<T[]> {
    const result = await this.db.query<{ body: T }>(sql, params);
    return result.rows.map((r) => r.body);
  }

  findings(query: FindingQuery = {}): Promise<FindingState[]> {
    const { where, params } = whereOf({ account_id: query.accountId, fingerprint: query.fingerprint }, query.open ? ['open'] : []);
    return this.bodies(`SELECT body FROM ${this.t('findings')}${where} ORDER BY fingerprint COLLATE "C"`, params);
  }

  async scans(query: ScanQuery = {}): Promise<ScanRecord[]> {
    const { where, params } = whereOf({ id: query.id, alias: query.alias, account_id: query.accountId });
    if (query.last === undefined) return this.bodies(`SELECT body FROM ${this.t('scans')}${where} ORDER BY seq`, params);
    const newest = await this.bodies<ScanRecord>(
      `SELECT body FROM ${this.t('scans')}${where} ORDER BY seq DESC LIMIT $${params.push(Math.max(0, query.last))}`,
      params,
    );
    return newest.reverse();
  }

  mutes(query: MuteQuery = {}): Promise<MuteRecord[]> {
    const { where, params } = whereOf({ id: query.id, fingerprint: query.fingerprint, account_id: query.accountId });
    return this.bodies(`SELECT body FROM ${this.t('mutes')}${where} ORDER BY seq`, params);
  }

  actions(query: ActionQuery = {}): Promise<ActionRecord[]> {
    const { where, params } = whereOf({ id: query.id, request_id: query.requestId, fingerprint: query.fingerprint });
    return this.bodies(`SELECT body FROM ${this.t('actions')}${where} ORDER BY seq`, params);
  }

  protected async meta<T>(key: string): Promise<T> {
    const result = await this.db.query<{ value: T }>(`SELECT value FROM ${this.t('meta')} WHERE key = $1`, [key]);
    return result.rows[0]!.value;
  }

  async digestState(): Promise<DigestState> {
    return { ...emptyStore().digest, ...(await this.meta<DigestState>('digest')) };
  }

  async alertsState(): Promise<AlertsState> {
    return { ...emptyStore().alerts, ...(await this.meta<AlertsState>('alerts')) };
  }

  async organizationAccounts(): Promise<Record<string, OrganizationAccount>> {
    const result = await this.db.query<{ account_id: string; body: OrganizationAccount }>(
      `SELECT account_id, body FROM ${this.t('organization_accounts')} ORDER BY account_id COLLATE "C"`,
    );
    return Object.fromEntries(result.rows.map((r) => [r.account_id, r.body]));
  }
}

/** JSON for a jsonb parameter (undefined fields dropped, as the file drops them). */
const json = (value: unknown): string => JSON.stringify(value);

/** A transaction: its client, inside BEGIN … COMMIT. */
class SqlWriter extends SqlReader implements StoreWriter {
  async putFindings(states: readonly FindingState[]): Promise<void> {
    if (states.length === 0) return;
    await this.db.query(
      `INSERT INTO ${this.t('findings')} (fingerprint, account_id, open, body)
       SELECT x->>'fingerprint', x->>'accountId', (x->'resolvedAt') = 'null'::jsonb OR NOT (x ? 'resolvedAt'), x FROM jsonb_array_elements($1::jsonb) AS x
       ON CONFLICT (fingerprint) DO UPDATE SET account_id = EXCLUDED.account_id, open = EXCLUDED.open, body = EXCLUDED.body`,
      [json(states)],
    );
  }

  async deleteFindings(fingerprints: readonly string[]): Promise<void> {
    if (fingerprints.length === 0) return;
    await this.db.query(`DELETE FROM ${this.t('findings')} WHERE fingerprint = ANY($1::text[])`, [fingerprints]);
  }

  async putScan(scan: ScanRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.t('scans')} (id, alias, account_id, body) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (id) DO UPDATE SET alias = EXCLUDED.alias, account_id = EXCLUDED.account_id, body = EXCLUDED.body`,
      [scan.id, scan.alias, scan.accountId, json(scan)],
    );
  }

  async deleteScans(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query(`DELETE FROM ${this.t('scans')} WHERE id = ANY($1::text[])`, [ids]);
  }

  async putMutes(mutes: readonly MuteRecord[]): Promise<void> {
    if (mutes.length === 0) return;
    // In the order given: seq follows it for new ones.
    await this.db.query(
      `INSERT INTO ${this.t('mutes')} (id, fingerprint, account_id, body)
       SELECT x->>'id', x->>'fingerprint', x->>'accountId', x FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(x, n) ORDER BY n
       ON CONFLICT (id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, account_id = EXCLUDED.account_id, body = EXCLUDED.body`,
      [json(mutes)],
    );
  }

  async putAction(record: ActionRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.t('actions')} (id, request_id, fingerprint, body) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (id) DO UPDATE SET request_id = EXCLUDED.request_id, fingerprint = EXCLUDED.fingerprint, body = EXCLUDED.body`,
      [record.id, record.requestId, record.fingerprint, json(record)],
    );
  }

  async setDigestState(patch: Partial<DigestState>): Promise<void> {
    await this.db.query(`UPDATE ${this.t('meta')} SET value = value || $1::jsonb WHERE key = 'digest'`, [json(patch)]);
  }

  async setAlertsState(patch: Partial<AlertsState>): Promise<void> {
    await this.db.query(`UPDATE ${this.t('meta')} SET value = value || $1::jsonb WHERE key = 'alerts'`, [json(patch)]);
  }

  async putOrganizationAccounts(accounts: Readonly<Record<string, OrganizationAccount>>): Promise<void> {
    const entries = Object.entries(accounts);
    if (entries.length === 0) return;
    await this.db.query(
      `INSERT INTO ${this.t('organization_accounts')} (account_id, body)
       SELECT e.key, e.value FROM jsonb_each($1::jsonb) AS e
       ON CONFLICT (account_id) DO UPDATE SET body = EXCLUDED.body`,
      [json(accounts)],
    );
  }

  async tick(now: Date): Promise<string> {
    // The clock's row stays locked until this transaction ends: every other tick waits, so stamps are
    // handed out in commit order, and a window closed by a tick sees every change stamped before it.
    const rows = await this.db.query<{ time: string | null }>(
      `SELECT CASE key WHEN 'clock' THEN value #>> '{}' ELSE value->>'cursor' END AS time
       FROM ${this.t('meta')} WHERE key IN ('clock', 'digest', 'alerts') ORDER BY key FOR UPDATE`,
    );
    const next = nextTick(
      rows.rows.map((r) => r.time),
      now,
    );
    await this.db.query(`UPDATE ${this.t('meta')} SET value = to_jsonb($1::text) WHERE key = 'clock'`, [next]);
    return next;
  }
}

/**
 * The PostgreSQL backend: for several bot replicas and workers on one
 * history. Each record is a row (a scan writes its account's rows only);
 * a transaction's names (`lock`) are transaction-level advisory locks, and
 * `exclusive` holds a session-level one on a connection of its own for as
 * long as the work runs (a process that dies lets go of it with its
 * connection).
 */
export class PostgresStore extends SqlReader implements Store {
  readonly backend = 'postgres' as const;
  readonly shelf: Shelf = {
    get: async (key) =>
      (await this.pool.query<{ value: unknown }>(`SELECT value FROM ${this.t('shelf')} WHERE key = $1 AND until > now()`, [key])).rows[0]?.value,
    put: async (key, value, until) => {
      await this.pool.query(`DELETE FROM ${this.t('shelf')} WHERE until < now() - interval '1 hour'`);
      await this.pool.query(
        `INSERT INTO ${this.t('shelf')} (key, value, until) VALUES ($1, $2::jsonb, $3) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, until = EXCLUDED.until`,
        [key, json(value), until],
      );
    },
    delete: async (key) => {
      await this.pool.query(`DELETE FROM ${this.t('shelf')} WHERE key = $1`, [key]);
    },
  };
  readonly lockLost = undefined;
  private readonly held = new InTurn();
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly lockPool: pg.Pool,
    schema: string,
    readonly location: string,
    private readonly url: string,
    private readonly onError: ((error: Error) => void) | undefined,
  ) {
    super(pool, schema);
  }

  /** Refuses a database this bot has not migrated (a mistyped schema is not created by a read). */
  private async checkMigrated(): Promise<void> {
    const found = await this.pool.query<{ present: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'migrations') AS present`,
      [this.schema],
    );
    if (!found.rows[0]?.present)
      throw new AuditBotError(
        'STORE_UNREADABLE',
        `There is no bot database at ${this.location}: check store.schema and the URL (a bot started on it creates it).`,
      );
    const applied = new Set((await this.migrations()).map((m) => m.version));
    const missing = MIGRATIONS.filter((m) => !applied.has(m.version));
    if (missing.length > 0)
      throw new AuditBotError(
        'STORE_UNREADABLE',
        `The bot's database at ${this.location} lacks migration${missing.length === 1 ? '' : 's'} ${missing.map((m) => m.version).join(', ')}: start the bot (or a worker) of this version once to apply them.`,
      );
  }

  /** Connects, creates the schema and applies the migrations it lacks (one process at a time), then checks what it found. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const schema = options.schema ?? DEFAULT_SCHEMA;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
      throw new AuditBotError('CONFIG_INVALID', `store.schema "${schema.slice(0, 80)}" is not a plain schema name (lower-case letters, digits and _).`);
    const location = `${redactUrl(url)} (schema ${schema})`;
    const config: pg.PoolConfig = {
      connectionString: url,
      connectionTimeoutMillis: 10_000,
      application_name: 'aws-audit-bot',
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      // The server drops the session of a host that vanished (a lost node) within about a minute, and its
      // advisory locks with it: the next worker or replica is not kept waiting for hours.
      options: '-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3',
    };
    const pool = new pg.Pool({ ...config, max: options.poolSize ?? 10 });
    // A key's holder keeps its connection while it works: waiting for one is normal, failing for want of one is not.
    const lockPool = new pg.Pool({ ...config, max: Math.max(20, options.lockPoolSize ?? 0), connectionTimeoutMillis: 120_000 });
    const onError = (error: Error) => options.onError?.(error);
    pool.on('error', onError);
    lockPool.on('error', onError);
    const store = new PostgresStore(pool, lockPool, schema, location, url, options.onError);
    try {
      if (options.migrate === false) await store.checkMigrated();
      else await store.migrate();
    } catch (error) {
      await store.close();
      if (error instanceof AuditBotError) throw error;
      throw unreachable(location, error);
    }
    return store;
  }

  /** Applies the migrations this database lacks; refuses one migrated by a newer bot, or whose migrations differ from ours. */
  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      // One process migrates at a time (replicas starting together); the others wait, then find it done.
      await client.query('SELECT pg_advisory_lock($1)', [lockId(this.schema, 'migrations')]);
      try {
        // Created only when missing: CREATE SCHEMA IF NOT EXISTS asks for the database's CREATE privilege even when it exists.
        const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.schema]);
        if (exists.rowCount === 0) await client.query(`CREATE SCHEMA "${this.schema}"`);
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${this.t('migrations')} (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
        );
        const applied = (await client.query<{ version: number; name: string; checksum: string }>(`SELECT version, name, checksum FROM ${this.t('migrations')}`))
          .rows;
        const known = new Map(MIGRATIONS.map((m) => [m.version, m]));
        for (const row of applied) {
          const mine = known.get(row.version);
          if (!mine)
            throw new AuditBotError(
              'STORE_UNREADABLE',
              `The bot's database at ${this.location} was migrated by a newer version of the bot (migration ${row.version}, "${row.name}"; this one knows up to ${MIGRATIONS.at(-1)!.version}). Run that version, or a newer one.`,
            );
          if (checksum(mine.sql) !== row.checksum)
            throw new AuditBotError(
              'STORE_UNREADABLE',
              `The bot's database at ${this.location} has migration ${row.version} ("${row.name}") in another form than this bot's: it was not made by this release. The bot changes nothing in it.`,
            );
        }
        const done = new Set(applied.map((r) => r.version));
        for (const migration of MIGRATIONS) {
          if (done.has(migration.version)) continue;
          await client.query('BEGIN');
          try {
            await client.query(migration.sql.replaceAll('{schema}', `"${this.schema}"`));
            await client.query(`INSERT INTO ${this.t('migrations')} (version, name, checksum) VALUES ($1, $2, $3)`, [
              migration.version,
              migration.name,
              checksum(migration.sql),
            ]);
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw new AuditBotError(
              'STORE_UNREADABLE',
              `Migration ${migration.version} ("${migration.name}") of the bot's database at ${this.location} failed: ${errorMessage(error)}. Nothing of it was applied.`,
              { cause: error },
            );
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [lockId(this.schema, 'migrations')]).catch(() => undefined);
      }
    } finally {
      client.release();
    }
  }

  /** The migrations applied, oldest first (for `store status` and tests). */
  async migrations(): Promise<{ version: number; name: string }[]> {
    return (await this.pool.query<{ version: number; name: string }>(`SELECT version, name FROM ${this.t('migrations')} ORDER BY version`)).rows;
  }

  async transaction<T>(work: (tx: StoreWriter) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    // A connection that fails between statements is reported, not left to crash the process (its next statement fails).
    const onClientError = (error: Error) => this.onError?.(error);
    client.on('error', onClientError);
    try {
      await client.query('BEGIN');
      try {
        // In one order, so that two transactions naming the same locks cannot each wait for the other.
        for (const name of [...new Set(options.lock ?? [])].sort()) await client.query('SELECT pg_advisory_xact_lock($1)', [lockId(this.schema, name)]);
        const result = await work(new SqlWriter(client, this.schema));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      }
    } finally {
      client.off('error', onClientError);
      client.release(broken);
    }
  }

  exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    // In this process one after the other (one connection each, not one per waiter); across processes, the advisory lock.
    return this.held.run(key, async () => {
      const client = await this.lockPool.connect();
      const id = lockId(this.schema, `exclusive:${key}`);
      let broken = false;
      // The connection sits idle while the work runs: if it dies (a database restart, a failover), so does the
      // lock. That is said, never an unhandled error that would end the process in the middle of a fix.
      const onLost = (error: Error) => {
        broken = true;
        this.onError?.(new Error(`the connection holding ${key} was lost (${error.message}); that work is no longer held against other processes`));
      };
      client.on('error', onLost);
      try {
        await client.query('SELECT pg_advisory_lock($1)', [id]);
        try {
          return await work();
        } finally {
          if (!broken)
            await client.query('SELECT pg_advisory_unlock($1)', [id]).catch(() => {
              // A connection that cannot unlock is dropped: its lock goes with it.
              broken = true;
            });
        }
      } finally {
        client.off('error', onLost);
        client.release(broken);
      }
    });
  }

  async snapshot(): Promise<StoreData> {
    // One consistent view, even while bots write (a copy taken from a live database is of one moment).
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const r = new SqlReader(client, this.schema);
      const scans = await r.scans();
      const findings = await r.findings();
      const mutes = await r.mutes();
      const actions = await r.actions();
      const digest = await r.digestState();
      const alerts = await r.alertsState();
      const accounts = await r.organizationAccounts();
      const clock = (await client.query<{ value: string | null }>(`SELECT value FROM ${this.t('meta')} WHERE key = 'clock'`)).rows[0]?.value ?? null;
      await client.query('COMMIT');
      return { schemaVersion: SCHEMA_VERSION, scans, findings, mutes, actions, digest, alerts, organization: { accounts }, clock };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async load(data: StoreData): Promise<void> {
    await this.transaction(
      async (writer) => {
        const tx = writer as SqlWriter;
        const counts = await tx.db.query<{ n: string }>(
          `SELECT (SELECT count(*) FROM ${this.t('scans')}) + (SELECT count(*) FROM ${this.t('findings')}) + (SELECT count(*) FROM ${this.t('mutes')})
            + (SELECT count(*) FROM ${this.t('actions')}) + (SELECT count(*) FROM ${this.t('organization_accounts')}) AS n`,
        );
        const [digest, alerts] = [await tx.digestState(), await tx.alertsState()];
        if (Number(counts.rows[0]!.n) > 0 || !isEmptyHistory({ ...emptyStore(), digest, alerts })) throw storeNotEmpty(this.location);
        const q = (sql: string, rows: unknown[]) => (rows.length ? tx.db.query(sql, [json(rows)]) : undefined);
        await q(
          `INSERT INTO ${this.t('scans')} (id, alias, account_id, body) SELECT x->>'id', x->>'alias', x->>'accountId', x FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(x, n) ORDER BY n`,
          data.scans,
        );
        await tx.putFindings(data.findings as FindingState[]);
        await tx.putMutes(data.mutes);
        await q(
          `INSERT INTO ${this.t('actions')} (id, request_id, fingerprint, body) SELECT x->>'id', x->>'requestId', x->>'fingerprint', x FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(x, n) ORDER BY n`,
          data.actions,
        );
        await tx.putOrganizationAccounts(data.organization.accounts);
        await tx.setDigestState(data.digest);
        await tx.setAlertsState(data.alerts);
        await tx.db.query(`UPDATE ${this.t('meta')} SET value = $1::jsonb WHERE key = 'clock'`, [json(data.clock ?? null)]);
      },
      { lock: ['load'] },
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Work that holds a key is waited for a while (a fix finishing); after that its connection is let go (and its lock with it).
    const grace = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
    await Promise.race([this.held.idle(), grace(10_000)]);
    await Promise.race([Promise.all([this.pool.end(), this.lockPool.end()]), grace(5_000)]);
  }

  /** A worker process says it is alive (every few seconds while it runs). */
  async workerSeen(worker: { id: string; host: string; pid: number; kind: 'dedicated' | 'in-process'; concurrency: number }): Promise<void> {
    const refreshed = await this.pool.query(`UPDATE ${this.t('workers')} SET seen_at = now() WHERE id = $1`, [worker.id]);
    if (refreshed.rowCount) return;
    // A worker starting: rows of workers that died long ago go.
    await this.pool.query(`DELETE FROM ${this.t('workers')} WHERE seen_at < now() - interval '1 day'`);
    await this.pool.query(
      `INSERT INTO ${this.t('workers')} (id, host, pid, kind, concurrency) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET seen_at = now()`,
      [worker.id, worker.host, worker.pid, worker.kind, worker.concurrency],
    );
  }

  /** A worker that stops says so (one that dies is forgotten once not seen for a while). */
  async workerGone(id: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.t('workers')} WHERE id = $1`, [id]);
  }

  /** The workers seen within `withinSeconds`, by the database's clock. */
  async liveWorkers(withinSeconds: number): Promise<{ id: string; host: string; pid: number; kind: string; concurrency: number }[]> {
    return (
      await this.pool.query<{ id: string; host: string; pid: number; kind: string; concurrency: number }>(
        `SELECT id, host, pid, kind, concurrency FROM ${this.t('workers')} WHERE seen_at > now() - $1 * interval '1 second' ORDER BY started_at`,
        [withinSeconds],
      )
    ).rows;
  }

  /** The connection string and schema (the job queue lives beside the history, in a schema of its own). */
  get connection(): { url: string; schema: string } {
    return { url: this.url, schema: this.schema };
  }

  /** Drops the schema and everything in it (tests, on their own schema). */
  async dropSchema(): Promise<void> {
    await this.pool.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`);
  }
}

function checksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex').slice(0, 16);
}
