import { randomUUID } from 'node:crypto';
import type { AuditResult, Severity } from '../audit/types.js';
import { applyScan, type DiffOutcome, type FindingState } from './diff.js';
import { configMuteChanges, planConfigMuteSync, type ConfigMuteRule } from './config-mutes.js';
import { accountLock, type Store } from './contract.js';

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
  /** The scan was already recorded under this id (nothing was written again). */
  repeated: boolean;
}

/** A state as the store compares it: what JSON keeps of it (an absent field and an undefined one are alike). */
const stored = (state: FindingState): string => JSON.stringify(state);

/**
 * Keeps the finding history: each finished audit becomes a scan record and
 * moves the finding states of its account (new, still open, resolved within
 * its scope, reopened), in one transaction that holds the account.
 */
export class History {
  private readonly now: () => Date;

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
   * something changes, account by account (each holding its account, like
   * a scan's write). Each recorded scan does the same in its own write.
   */
  async syncConfigMutes(): Promise<{ added: number; ended: number }> {
    const rules = this.configMutes;
    const counts = { added: 0, ended: 0 };
    if (!rules) return counts;
    const [findings, mutes] = await Promise.all([this.store.findings(), this.store.mutes()]);
    const check = planConfigMuteSync(findings, mutes, rules.rules, rules.aliasesOf, this.now());
    const accounts = new Set([...check.add.map((m) => m.accountId), ...check.end.map((e) => e.mute.accountId)]);
    for (const accountId of [...accounts].sort()) {
      await this.store.transaction(
        async (tx) => {
          const now = new Date(await tx.tick(this.now()));
          const [states, held] = await Promise.all([tx.findings({ accountId }), tx.mutes({ accountId })]);
          const plan = planConfigMuteSync(states, held, rules.rules, rules.aliasesOf, now);
          await tx.putMutes(configMuteChanges(held, plan, now));
          counts.added += plan.add.length;
          counts.ended += plan.end.length;
        },
        { lock: [accountLock(accountId)] },
      );
    }
    return counts;
  }

  /**
   * The history's time: now, but never earlier than a time it gave before
   * (two records in one millisecond, a clock stepped back, or another
   * process's clock behind this one's, still come in order). Changes are
   * stamped with it when recorded, and the digest closes its window with it,
   * so every change falls in exactly one window.
   */
  stamp(): Promise<string> {
    return this.store.transaction((tx) => tx.tick(this.now()));
  }

  /**
   * Records a finished audit. With `scanId` (a job's own id), a scan already
   * recorded under it (the job's earlier attempt got that far before its
   * worker stopped) is not recorded again: `repeated` says so.
   */
  async record(result: AuditResult, alias: string, options: { scanId?: string } = {}): Promise<RecordedScan> {
    const scanId = options.scanId ?? randomUUID();
    const accountId = result.account.accountId;
    return this.store.transaction(
      async (tx) => {
        const [known] = options.scanId !== undefined ? await tx.scans({ id: scanId }) : [];
        // Recorded already: what the scan would change now, written nowhere.
        if (known) return { scanId, diff: applyScan(await tx.findings({ accountId }), result, known.startedAt), repeated: true };
        // What the account's write needs is read first (the account's lock is held): the clock, which every
        // process's scans share, is held for the writes alone.
        const before = await tx.findings({ accountId });
        const held = this.configMutes ? await tx.mutes({ accountId }) : [];
        const mine = await tx.scans({ alias });
        const recordedAt = await tx.tick(this.now());
        const diff = applyScan(before, result, recordedAt);
        const forgetBefore = Date.parse(recordedAt) - RESOLVED_KEPT_DAYS * 86_400_000;
        const kept = diff.states.filter((f) => f.resolvedAt === null || Date.parse(f.resolvedAt) >= forgetBefore);
        const was = new Map(before.map((s) => [s.fingerprint, stored(s)]));
        const keptIds = new Set(kept.map((s) => s.fingerprint));
        // Only what changed is written: one account's states, and of those only the ones the scan moved.
        await tx.putFindings(kept.filter((s) => was.get(s.fingerprint) !== stored(s)));
        await tx.deleteFindings(before.filter((s) => !keptIds.has(s.fingerprint)).map((s) => s.fingerprint));
        await tx.putScan({
          id: scanId,
          alias,
          accountId,
          startedAt: result.startedAt,
          checkIds: result.scope.checkIds,
          regions: result.scope.regions,
          findings: result.findings.length,
          errors: result.errors.length,
        });
        if (this.configMutes) {
          // The scan's new findings get their mutes from the config in the same write: no report sees them unmuted.
          const at = new Date(recordedAt);
          await tx.putMutes(configMuteChanges(held, planConfigMuteSync(kept, held, this.configMutes.rules, this.configMutes.aliasesOf, at), at));
        }
        // The scans kept: the newest SCANS_KEPT of the alias, this one included.
        if (mine.length + 1 > SCANS_KEPT) await tx.deleteScans(mine.slice(0, mine.length + 1 - SCANS_KEPT).map((s) => s.id));
        return { scanId, diff, repeated: false };
      },
      { lock: [accountLock(accountId)] },
    );
  }

  /**
   * What the Home tab shows of an account: its last scan (and whether it ran
   * every check), and its open findings now by severity, muted ones counted
   * apart. Open findings come from the whole history, so a partial audit
   * (`/audit prod s3`) does not hide what a full one found.
   */
  async lastAudit(alias: string, accountId: string, allCheckIds: readonly string[], muted: ReadonlyMap<string, unknown>): Promise<LastAudit | undefined> {
    const [scan] = await this.store.scans({ alias, last: 1 });
    if (!scan) return undefined;
    const bySeverity: Partial<Record<Severity, number>> = {};
    let mutedCount = 0;
    for (const f of await this.store.findings({ accountId, open: true })) {
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
