import { runAudit, type RunAuditOptions } from '../audit/runner.js';
import type { AuditProgress, AuditResult, Check, Severity } from '../audit/types.js';
import { roleSessionName, type RoleSessions } from '../aws/session.js';
import type { AccountConfig, Thresholds } from '../config.js';
import type { Logger } from '../log.js';

export interface RunningAudit {
  key: string;
  account: AccountConfig;
  checkIds: string[];
  /** Slack user ids of everyone waiting for this run; the first one's id is in the AssumeRole session name. */
  requesters: string[];
  startedAt: Date;
  progress: AuditProgress;
  result: Promise<AuditResult>;
  /** Calls `listener` on every progress event until the run ends; returns an unsubscribe function. */
  onProgress(listener: (progress: AuditProgress) => void): () => void;
}

/** What the App Home shows of an account's last audit (until the finding history keeps it). */
export interface LastAudit {
  at: Date;
  bySeverity: Partial<Record<Severity, number>>;
  errors: number;
  /** False when only some checks ran (`/audit prod s3`). */
  complete: boolean;
}

export interface AuditServiceOptions {
  sessions: RoleSessions;
  thresholds: Thresholds;
  concurrency: number;
  logger: Logger;
  /** The runner (tests may wrap it). */
  run?: (options: RunAuditOptions) => Promise<AuditResult>;
  env?: NodeJS.ProcessEnv;
  /** Called with each finished audit before anyone waiting for it sees the result (the history records it). */
  onFinished?: (result: AuditResult, account: AccountConfig) => Promise<void>;
}

/**
 * Runs audits for the Slack app. Two people auditing the same account (with
 * the same checks) at once share one run: one set of AWS calls, one result.
 */
export class AuditService {
  private readonly running = new Map<string, RunningAudit>();
  private readonly last = new Map<string, LastAudit>();

  constructor(
    private readonly options: AuditServiceOptions,
    /** Every check the bot has: an audit that ran them all is complete. */
    private readonly allCheckIds: readonly string[] = [],
  ) {}

  /** The last audit of an account (by alias) since the bot started, if any. */
  lastAudit(alias: string): LastAudit | undefined {
    return this.last.get(alias);
  }

  /** Starts an audit, or joins the one already running for the same account and checks. */
  start(account: AccountConfig, checks: readonly Check[], requester: string): { run: RunningAudit; joined: boolean } {
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
    const runner = this.options.run ?? runAudit;
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
      sessions: this.options.sessions,
      // CloudTrail shows who asked: the AssumeRole session is named after the requester.
      sessionName: roleSessionName(`slack-${requester}`),
      ...(this.options.env ? { env: this.options.env } : {}),
      onProgress: (progress) => {
        run.progress = progress;
        for (const listener of listeners) listener(progress);
      },
    });
    // The history records the scan first: a report never shows what the store failed to keep.
    run.result = audited.then(async (r) => {
      await this.options.onFinished?.(r, account);
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
        const bySeverity: Partial<Record<Severity, number>> = {};
        for (const f of r.findings) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
        const complete = this.allCheckIds.every((id) => checkIds.includes(id));
        const previous = this.last.get(account.alias);
        // A partial audit does not replace what a full one found.
        if (complete || !previous || !previous.complete) this.last.set(account.alias, { at: new Date(r.startedAt), bySeverity, errors: r.errors.length, complete });
        this.options.logger.info({ alias: account.alias, accountId: account.accountId, findings: r.findings.length, errors: r.errors.length, ms: r.stats.durationMs }, 'audit finished');
        finish();
      },
      (error: unknown) => {
        this.options.logger.warn({ alias: account.alias, accountId: account.accountId, err: error }, 'audit failed');
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
