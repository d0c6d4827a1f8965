import { randomUUID } from 'node:crypto';
import type { AuditResult, Severity } from '../audit/types.js';
import { applyScan, type DiffOutcome, type FindingState } from './diff.js';
import { applyConfigMuteSync, planConfigMuteSync, type ConfigMuteRule } from './config-mutes.js';
import type { Store } from './store.js';

/** Scans kept per account (their summaries; findings live in the finding states). */
export const SCANS_KEPT = 20;

/**
 * A resolved finding is remembered this long, so that one coming back is
 * "resurfaced" rather than new; after that it is forgotten (the database
 * does not grow forever) and would count as new again.
 */
export const RESOLVED_KEPT_DAYS = 180;

export interface RecordedScan {
  scanId: string;
  diff: DiffOutcome;
}

/**
 * Keeps the finding history: each finished audit becomes a scan record and
 * moves the finding states (new, still open, resolved within its scope,
 * reopened), in one atomic write.
 */
export class History {
  private readonly now: () => Date;
  private last = 0;

  private readonly configMutes: HistoryOptions['configMutes'];

  constructor(
    private readonly store: Store,
    options: HistoryOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.configMutes = options.configMutes;
  }

  /**
   * Brings the mutes from the config in line with its rules (at start-up:
   * the config may have changed while the bot was down); writes only when
   * something changes. Each recorded scan does the same in its own write.
   */
  async syncConfigMutes(): Promise<{ added: number; ended: number }> {
    const rules = this.configMutes;
    if (!rules) return { added: 0, ended: 0 };
    const check = planConfigMuteSync(this.store.data, rules.rules, rules.aliasesOf, this.now());
    if (check.add.length === 0 && check.end.length === 0) return { added: 0, ended: 0 };
    let counts = { added: 0, ended: 0 };
    await this.store.update((data) => {
      const now = new Date(this.stamp());
      const plan = planConfigMuteSync(data, rules.rules, rules.aliasesOf, now);
      applyConfigMuteSync(data, plan, now);
      counts = { added: plan.add.length, ended: plan.end.length };
    });
    return counts;
  }

  /**
   * The history's time: now, but never earlier than a time it gave before
   * (two records in one millisecond, or a clock stepped back, still come in
   * order). Changes are stamped with it when recorded, and the digest closes
   * its window with it, so every change falls in exactly one window.
   */
  stamp(): string {
    // After the digest's and the alerts' cursors too: a change stamped at or before one would never be reported there.
    for (const cursor of [this.store.data.digest.cursor, this.store.data.alerts.cursor])
      if (cursor !== null) this.last = Math.max(this.last, Date.parse(cursor));
    this.last = Math.max(this.now().getTime(), this.last + 1);
    return new Date(this.last).toISOString();
  }

  async record(result: AuditResult, alias: string): Promise<RecordedScan> {
    const scanId = randomUUID();
    let diff: DiffOutcome | undefined;
    await this.store.update((data) => {
      const recordedAt = this.stamp();
      diff = applyScan(data.findings as FindingState[], result, recordedAt);
      const forgetBefore = Date.parse(recordedAt) - RESOLVED_KEPT_DAYS * 86_400_000;
      data.findings = diff.states.filter((f) => f.resolvedAt === null || Date.parse(f.resolvedAt) >= forgetBefore);
      data.scans.push({
        id: scanId,
        alias,
        accountId: result.account.accountId,
        startedAt: result.startedAt,
        checkIds: result.scope.checkIds,
        regions: result.scope.regions,
        findings: result.findings.length,
        errors: result.errors.length,
      });
      if (this.configMutes) {
        // The scan's new findings get their mutes from the config in the same write: no report sees them unmuted.
        const at = new Date(recordedAt);
        applyConfigMuteSync(data, planConfigMuteSync(data, this.configMutes.rules, this.configMutes.aliasesOf, at), at);
      }
      const mine = data.scans.filter((s) => s.alias === alias);
      if (mine.length > SCANS_KEPT) {
        const drop = new Set(mine.slice(0, mine.length - SCANS_KEPT).map((s) => s.id));
        data.scans = data.scans.filter((s) => !drop.has(s.id));
      }
    });
    return { scanId, diff: diff! };
  }

  /**
   * What the Home tab shows of an account: its last scan (and whether it ran
   * every check), and its open findings now by severity, muted ones counted
   * apart. Open findings come from the whole history, so a partial audit
   * (`/audit prod s3`) does not hide what a full one found.
   */
  lastAudit(alias: string, accountId: string, allCheckIds: readonly string[], muted: ReadonlyMap<string, unknown>): LastAudit | undefined {
    const scan = this.store.data.scans.filter((s) => s.alias === alias).at(-1);
    if (!scan) return undefined;
    const bySeverity: Partial<Record<Severity, number>> = {};
    let mutedCount = 0;
    for (const f of this.store.data.findings) {
      if (f.accountId !== accountId || f.resolvedAt !== null) continue;
      if (muted.has(f.fingerprint)) mutedCount++;
      else bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
    }
    const ran = new Set(scan.checkIds);
    return { at: new Date(scan.startedAt), bySeverity, errors: scan.errors, complete: allCheckIds.every((id) => ran.has(id)), muted: mutedCount };
  }
}

export interface HistoryOptions {
  now?: () => Date;
  /** The config's mutes, and the aliases an account id goes by (what a rule's `account` names). */
  configMutes?: { rules: readonly ConfigMuteRule[]; aliasesOf: (accountId: string) => readonly string[] };
}

/** An account's last audit and its open findings, for the Home tab. */
export interface LastAudit {
  at: Date;
  /** Open, unmuted findings by severity. */
  bySeverity: Partial<Record<Severity, number>>;
  /** Checks that could not run in the last scan. */
  errors: number;
  /** False when the last scan ran only some checks (`/audit prod s3`). */
  complete: boolean;
  muted: number;
}
