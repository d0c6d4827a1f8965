import type { RunAuditOptions, runAudit } from './runner.js';
import type { AuditProgress, AuditResult, Check } from './types.js';
import type { HttpTimeouts } from '../aws/timeouts.js';
import { roleSessionName, type RoleSessions } from '../aws/session.js';
import type { AccountConfig, Thresholds } from '../config.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

/** The requester of the scheduled digest's scans (not a Slack user). */
export const DIGEST_REQUESTER = 'digest';
/** The requester of the alerts' scans. */
export const ALERTS_REQUESTER = 'alerts';
const SCHEDULED = new Set([DIGEST_REQUESTER, ALERTS_REQUESTER]);

export interface RunningAudit {
  key: string;
  account: AccountConfig;
  checkIds: string[];
  /** Slack user ids of everyone waiting for this run; the first one's id is in the AssumeRole session name. */
  requesters: string[];
  startedAt: Date;
  progress: AuditProgress;
  result: Promise<AuditResult>;
  /** The history's id of this scan, set before `result` resolves (when the service records scans). */
  scanId?: string;
  /** Calls `listener` on every progress event until the run ends; returns an unsubscribe function. */
  onProgress(listener: (progress: AuditProgress) => void): () => void;
}

export interface AuditServiceOptions {
  sessions: RoleSessions;
  thresholds: Thresholds;
  concurrency: number;
  /** Each HTTP attempt's limits and the audit's deadline (`audit.*`); the runner's defaults otherwise. */
  timeouts?: HttpTimeouts;
  deadlineMs?: number;
  logger: Logger;
  /** The runner (tests may wrap it). */
  run?: (options: RunAuditOptions) => Promise<AuditResult>;
  env?: NodeJS.ProcessEnv;
  /** Called with each finished audit before anyone waiting for it sees the result: the history records it and answers with the scan id. */
  onFinished?: (result: AuditResult, account: AccountConfig, options: { scanId?: string }) => Promise<{ scanId: string } | undefined>;
}

/**
 * Runs audits for the Slack app. Two people auditing the same account (with
 * the same checks) at once share one run: one set of AWS calls, one result.
 */
export class AuditService {
  private readonly running = new Map<string, RunningAudit>();

  constructor(private readonly options: AuditServiceOptions) {}

  /**
   * Starts an audit, or joins the one already running for the same account
   * and checks. `requester` is a Slack user id, or `digest` for the scheduled
   * scan; the AssumeRole session is named after it (`slack-<user>`, `digest`).
   * `scanId` (a job's id) is the id the history records the scan under
   * (ignored when the audit joins one already running).
   */
  start(
    account: AccountConfig,
    checks: readonly Check[],
    requester: string,
    options: { scanId?: string; sessionName?: string } = {},
  ): { run: RunningAudit; joined: boolean } {
    const checkIds = checks.map((c) => c.id).sort();
    // By alias: two aliases of one account id may differ in regions, role or channels.
    const key = `${account.alias}:${checkIds.join(',')}`;
    const existing = this.running.get(key);
    if (existing) {
      if (!existing.requesters.includes(requester)) existing.requesters.push(requester);
      this.options.logger.info({ alias: account.alias, accountId: account.accountId, requester }, 'joined a running audit');
      return { run: existing, joined: true };
    }
    const listeners = new Set<(progress: AuditProgress) => void>();
    // The engine and the AWS SDK load at the bot's first audit, not at its start (a bot idles most of the time).
    const runner: typeof runAudit = this.options.run ?? (async (options) => (await import('./runner.js')).runAudit(options));
    const run: RunningAudit = {
      key,
      account,
      checkIds,
      requesters: [requester],
      startedAt: new Date(),
      progress: { done: 0, total: 0 },
      result: Promise.resolve() as unknown as Promise<AuditResult>, // replaced below, before anyone can read it
      onProgress(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const audited = runner({
      account,
      checks,
      thresholds: this.options.thresholds,
      concurrency: this.options.concurrency,
      ...(this.options.timeouts ? { timeouts: this.options.timeouts } : {}),
      ...(this.options.deadlineMs ? { deadlineMs: this.options.deadlineMs } : {}),
      sessions: this.options.sessions,
      // CloudTrail shows who asked: the AssumeRole session is named after the requester.
      sessionName: options.sessionName ?? roleSessionName(SCHEDULED.has(requester) ? requester : `slack-${requester}`),
      ...(this.options.env ? { env: this.options.env } : {}),
      onProgress: (progress) => {
        run.progress = progress;
        for (const listener of listeners) listener(progress);
      },
    });
    // The history records the scan first: a report never shows what the store failed to keep.
    run.result = audited.then(async (r) => {
      const recorded = await this.options.onFinished?.(r, account, options.scanId !== undefined ? { scanId: options.scanId } : {});
      if (recorded) run.scanId = recorded.scanId;
      return r;
    });
    const result = run.result;
    this.running.set(key, run);
    this.options.logger.info({ alias: account.alias, accountId: account.accountId, requester, checks: checkIds.length }, 'audit started');
    const finish = () => {
      listeners.clear();
      this.running.delete(key);
    };
    result.then(
      (r) => {
        this.options.logger.info(
          { alias: account.alias, accountId: account.accountId, findings: r.findings.length, errors: r.errors.length, ms: r.stats.durationMs },
          'audit finished',
        );
        finish();
      },
      (error: unknown) => {
        this.options.logger.warn({ alias: account.alias, accountId: account.accountId, err: errorMessage(error) }, 'audit failed');
        finish();
      },
    );
    return { run, joined: false };
  }

  /** Audits running now (for `/audit status`). */
  list(): RunningAudit[] {
    return [...this.running.values()].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  }

  /** Resolves when every running audit has ended (graceful shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled(this.list().map((r) => r.result));
  }
}
