import type { Check } from '../audit/types.js';
import type { AccountConfig } from '../config.js';
import type { AuditService } from '../audit/service.js';
import type { Logger } from '../log.js';
import type { PostgresStore } from '../store/postgres/store.js';
import { WORKER_ALIVE_SECONDS, type ScanJobData, type ScanJobOutput, type ScanWorker } from './jobs.js';
import type { ScanQueue } from './scan-queue.js';

export interface WorkerDeps {
  queue: ScanQueue;
  store: PostgresStore;
  audits: AuditService;
  checks: readonly Check[];
  /** The accounts as the config (and discovery) have them now. */
  accounts: () => readonly AccountConfig[];
  /** Discovery, asked again when a job names an account not known here yet. */
  refreshAccounts?: () => Promise<unknown>;
  logger: Logger;
}

/**
 * One job: the account's audit, recorded in the history under the job's id
 * (an attempt after a worker died finds it recorded, and records nothing
 * twice), one audit of an account at a time across every worker.
 */
export function scanJobHandler(deps: WorkerDeps): (job: { id: string; data: ScanJobData }) => Promise<ScanJobOutput> {
  const find = (data: ScanJobData) => deps.accounts().find((a) => a.alias === data.alias && a.accountId === data.accountId);
  return async (job) => {
    const data = job.data;
    if (typeof data?.alias !== 'string' || typeof data.accountId !== 'string' || typeof data.requester !== 'string')
      throw new Error('the job does not name an account');
    let account = find(data);
    if (!account && deps.refreshAccounts) {
      await deps.refreshAccounts();
      account = find(data);
    }
    if (!account) throw new Error(`this worker's config has no account ${data.alias} (${data.accountId}): give every worker the bot's config`);
    const known = account;
    const ids = Array.isArray(data.checkIds) ? new Set(data.checkIds) : undefined;
    const checks = ids ? deps.checks.filter((c) => ids.has(c.id)) : deps.checks;
    if (ids && checks.length === 0) throw new Error('the job names no check this worker knows: run the same version of the bot everywhere');
    return deps.store.exclusive(`audit:${known.accountId}`, async () => {
      const { run } = deps.audits.start(known, checks, data.requester, {
        scanId: job.id,
        ...(typeof data.sessionName === 'string' ? { sessionName: data.sessionName } : {}),
      });
      const result = await run.result;
      if (run.scanId === undefined) throw new Error('the scan was not recorded');
      return { scanId: run.scanId, errors: result.errors.length, findings: result.findings.length, ...(data.wantResult ? { result } : {}) };
    });
  };
}

/** Starts a worker: `dedicated` for `aws-audit-bot worker`, `in-process` for serve's own. */
export function startWorker(deps: WorkerDeps, options: { concurrency: number; kind: 'dedicated' | 'in-process' }): Promise<ScanWorker> {
  return deps.queue.work(scanJobHandler(deps), options);
}

/**
 * serve's own worker, while no dedicated one runs: checked now and every
 * `everyMs`; started when none is alive, stopped when one is (its jobs
 * under way finish).
 */
export class FallbackWorker {
  private own: ScanWorker | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: WorkerDeps,
    private readonly concurrency: number,
    private readonly everyMs = 10_000,
  ) {}

  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => {
      this.checking = this.checking.then(() => this.check()).catch(() => undefined);
    }, this.everyMs);
    this.timer.unref();
  }

  get running(): boolean {
    return this.own !== undefined;
  }

  private async check(): Promise<void> {
    const live = await this.deps.store.liveWorkers(WORKER_ALIVE_SECONDS);
    const dedicated = live.filter((w) => w.kind === 'dedicated').length;
    if (dedicated === 0 && !this.own) {
      this.own = await startWorker(this.deps, { concurrency: this.concurrency, kind: 'in-process' });
      this.deps.logger.info({ concurrency: this.concurrency }, 'no worker process is running: this process takes the audit jobs itself');
    } else if (dedicated > 0 && this.own) {
      const own = this.own;
      this.own = undefined;
      await own.stop();
      this.deps.logger.info({ workers: dedicated }, 'worker processes are running: this process no longer takes audit jobs');
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.checking;
    await this.own?.stop();
    this.own = undefined;
  }
}
