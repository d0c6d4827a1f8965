import { randomUUID } from 'node:crypto';
import os from 'node:os';
import PgBoss from 'pg-boss';
import type { AuditResult } from '../audit/types.js';
import type { AccountConfig, QueueSettings } from '../config.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { ScanOutcome } from '../store/digest.js';
import type { PostgresStore } from '../store/postgres/store.js';
import { WORKER_ALIVE_SECONDS, type ScanJobData, type ScanJobOutput, type ScanWorker } from './jobs.js';

/** The queue of account audits (pg-boss, in the history's database, in a schema of its own). */
export const SCAN_QUEUE = 'account_scan';

const HEARTBEAT_MS = 5_000;
/** Jobs nobody has taken for this long, with no worker alive, are failed (the digest says so rather than waiting for ever). */
export const NO_WORKER_GIVE_UP_MS = 120_000;
/** A queue that cannot be read for this long ends the wait (the jobs' accounts are reported as failed). */
const QUEUE_UNREADABLE_GIVE_UP_MS = 5 * 60_000;

/** The schema of the queue's tables: beside the history's. */
export function queueSchema(storeSchema: string): string {
  return `${storeSchema}_jobs`;
}

function failureOf(output: unknown): string {
  const o = output as { message?: unknown; value?: unknown } | null;
  const value = o?.value as { message?: unknown } | string | undefined;
  const message =
    typeof o?.message === 'string' ? o.message : typeof value === 'string' ? value : typeof value?.message === 'string' ? value.message : undefined;
  if (message === 'job failed by timeout in active state' || /^handler execution exceeded/.test(message ?? ''))
    return 'its job ran past the queue.jobTimeoutSeconds limit on every attempt';
  if (message === 'pg-boss shut down while active') return 'its worker was stopped while auditing it, on every attempt';
  return message ?? 'its job failed';
}

export interface ScanQueueOptions {
  store: PostgresStore;
  settings: Required<QueueSettings>;
  logger: Logger;
  /** How often the waiting side looks at its jobs. */
  pollMs?: number;
  /** Jobs nobody takes for this long while no worker is alive are given up (NO_WORKER_GIVE_UP_MS). */
  giveUpMs?: number;
}

/**
 * The job queue: the bot enqueues one job per account and waits for them;
 * workers (`aws-audit-bot worker`, or serve's own) take them, one account
 * at a time per account across all of them. pg-boss keeps the jobs: retries
 * with a doubling delay, a time limit per job after which it is failed and
 * retried (so a job whose worker died is taken up again), and upkeep shared
 * by every process.
 */
export class ScanQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly options: ScanQueueOptions,
    private readonly schema: string,
  ) {}

  static async open(options: ScanQueueOptions): Promise<ScanQueue> {
    const { url, schema: storeSchema } = options.store.connection;
    const schema = queueSchema(storeSchema);
    const { settings } = options;
    const boss = new PgBoss({
      connectionString: url,
      schema,
      max: 4,
      application_name: 'aws-audit-bot-queue',
      // The bot's schedules are its own (node-cron); pg-boss's cron is not used.
      schedule: false,
      supervise: true,
      maintenanceIntervalSeconds: settings.maintenanceSeconds,
      monitorStateIntervalSeconds: Math.max(settings.maintenanceSeconds, 60),
    });
    boss.on('error', (error) => options.logger.warn({ err: errorMessage(error) }, 'job queue error'));
    await boss.start();
    const queue = { name: SCAN_QUEUE, policy: 'standard' as const, ...jobLimits(settings) };
    if (await boss.getQueue(SCAN_QUEUE)) await boss.updateQueue(SCAN_QUEUE, queue);
    else await boss.createQueue(SCAN_QUEUE, queue);
    return new ScanQueue(boss, options, schema);
  }

  /**
   * Audits the accounts as jobs and waits for every one: completed (its scan
   * recorded), failed after its retries, or not taken while no worker is
   * alive. A failed account is an outcome, as in the digest's own scans.
   */
  async scanAll(accounts: readonly AccountConfig[], requester: string, what: string): Promise<ScanOutcome[]> {
    const { logger } = this.options;
    const jobs = accounts.map((a) => ({ id: randomUUID(), data: { alias: a.alias, accountId: a.accountId, requester } satisfies ScanJobData }));
    await this.enqueue(jobs);
    logger.info({ jobs: jobs.length, requester }, `${what}: audits queued`);
    const ends = await this.wait(jobs.map((j) => j.id));
    return jobs.map((job) => {
      const end = ends.get(job.id)!;
      const base = { alias: job.data.alias, accountId: job.data.accountId };
      if ('output' in end) return { ...base, scanId: end.output.scanId, errors: end.output.errors };
      logger.warn({ ...base, err: end.failure }, `${what}: account could not be audited`);
      return { ...base, errors: 0, failure: end.failure };
    });
  }

  /** One audit as a job (an `/audit` from Slack): its result and scan, or its failure thrown. */
  async runOne(data: ScanJobData): Promise<{ result: AuditResult; scanId: string }> {
    const id = randomUUID();
    // Someone is waiting in Slack: ahead of a digest's hundreds of jobs.
    await this.enqueue([{ id, data: { ...data, wantResult: true }, priority: 10 }]);
    const end = (await this.wait([id])).get(id)!;
    if ('failure' in end) throw new Error(end.failure);
    if (!end.output.result) throw new Error('the worker sent no result back: run the same version of the bot everywhere');
    return { result: end.output.result, scanId: end.output.scanId };
  }

  private async enqueue(jobs: readonly { id: string; data: ScanJobData; priority?: number }[]): Promise<void> {
    await this.boss.insert(
      jobs.map((j) => ({ id: j.id, name: SCAN_QUEUE, data: j.data, ...(j.priority ? { priority: j.priority } : {}), ...jobLimits(this.options.settings) })),
    );
  }

  /** Waits until every job has ended: its output, or why it failed. */
  private async wait(ids: readonly string[]): Promise<Map<string, { output: ScanJobOutput } | { failure: string }>> {
    const ends = new Map<string, { output: ScanJobOutput } | { failure: string }>();
    let idleSince: number | undefined;
    let failingSince: number | undefined;
    while (ends.size < ids.length) {
      await new Promise((r) => setTimeout(r, this.options.pollMs ?? 1_000));
      const pending = ids.filter((id) => !ends.has(id));
      let rows: Map<string, { state: string; output: unknown }>;
      try {
        rows = await this.jobStates(pending);
        failingSince = undefined;
      } catch (error) {
        // A database that does not answer for a moment (a restart, a failover) is waited out; for minutes, given up.
        failingSince ??= Date.now();
        this.options.logger.warn({ err: errorMessage(error) }, 'the job queue could not be read; trying again');
        if (Date.now() - failingSince < QUEUE_UNREADABLE_GIVE_UP_MS) continue;
        for (const id of pending) ends.set(id, { failure: `the job queue could not be read for minutes (${errorMessage(error)})` });
        break;
      }
      for (const id of pending) {
        const row = rows.get(id);
        if (row?.state === 'completed') ends.set(id, { output: row.output as ScanJobOutput });
        else if (row?.state === 'failed' || row?.state === 'cancelled' || row === undefined)
          ends.set(id, { failure: row ? failureOf(row.output) : 'its job is gone from the queue' });
      }
      // Nobody takes the jobs: no worker alive, none started for a while. Given up, said.
      const started = [...rows.values()].some((r) => r.state !== 'created');
      const live = started ? 1 : (await this.options.store.liveWorkers(WORKER_ALIVE_SECONDS).catch(() => [undefined])).length;
      if (!started && live === 0) {
        idleSince ??= Date.now();
        if (Date.now() - idleSince >= (this.options.giveUpMs ?? NO_WORKER_GIVE_UP_MS)) {
          const left = ids.filter((id) => !ends.has(id));
          await this.boss.cancel(SCAN_QUEUE, left);
          for (const id of left)
            ends.set(id, { failure: 'no worker took its job (start aws-audit-bot worker, or serve, which runs one when none is running)' });
        }
      } else idleSince = undefined;
    }
    return ends;
  }

  private async jobStates(ids: readonly string[]): Promise<Map<string, { state: string; output: unknown }>> {
    if (ids.length === 0) return new Map();
    const sql = `SELECT id::text, state::text, output FROM "${this.schema}".job WHERE id = ANY($1::uuid[])
      UNION ALL SELECT id::text, state::text, output FROM "${this.schema}".archive WHERE id = ANY($1::uuid[])`;
    const result = await this.boss.getDb().executeSql(sql, [ids]);
    return new Map((result.rows as { id: string; state: string; output: unknown }[]).map((r) => [r.id, r]));
  }

  /**
   * Takes jobs until stopped: `concurrency` at a time, each through `handle`
   * (which audits the account and records its scan under the job's id), and
   * says it is alive meanwhile.
   */
  async work(
    handle: (job: { id: string; data: ScanJobData }) => Promise<ScanJobOutput>,
    options: { concurrency: number; kind: 'dedicated' | 'in-process' },
  ): Promise<ScanWorker> {
    const worker = { id: randomUUID(), host: os.hostname(), pid: process.pid, kind: options.kind, concurrency: options.concurrency };
    const { store, logger } = this.options;
    await store.workerSeen(worker);
    const beat = setInterval(() => {
      store.workerSeen(worker).catch((error: unknown) => logger.warn({ err: errorMessage(error) }, 'the worker could not say it is alive'));
    }, HEARTBEAT_MS);
    beat.unref();
    const ids: string[] = [];
    for (let i = 0; i < options.concurrency; i++) {
      ids.push(
        await this.boss.work<ScanJobData>(SCAN_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
          const started = Date.now();
          try {
            const output = await handle(job!);
            logger.info(
              { job: job!.id, alias: job!.data.alias, ms: Date.now() - started, scanId: output.scanId, findings: output.findings, errors: output.errors },
              'job done',
            );
            return output;
          } catch (error) {
            logger.warn({ job: job!.id, alias: job!.data.alias, err: errorMessage(error) }, 'job failed; it is retried while attempts remain');
            throw error;
          } finally {
            // A loop that just finished a job asks for the next at once (the polling interval is for an empty queue).
            if (ids[i]) this.boss.notifyWorker(ids[i]!);
          }
        }),
      );
    }
    logger.info({ worker: worker.id, concurrency: options.concurrency, kind: options.kind }, 'worker taking jobs');
    return {
      id: worker.id,
      stop: async () => {
        clearInterval(beat);
        await Promise.all(ids.map((id) => this.boss.offWork({ id })));
        await store.workerGone(worker.id).catch(() => undefined);
      },
    };
  }

  /** Stops taking jobs and lets the ones under way finish (up to `timeoutMs`), then disconnects. */
  async close(timeoutMs = 30_000): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: true });
  }
}

function jobLimits(settings: Required<QueueSettings>) {
  return {
    retryLimit: settings.retries,
    retryDelay: settings.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: settings.jobTimeoutSeconds,
  };
}
