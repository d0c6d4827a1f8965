import { randomUUID } from 'node:crypto';
import type { AuditResult } from '../audit/types.js';
import { applyScan, type DiffOutcome, type FindingState } from './diff.js';
import type { Store } from './store.js';

/** Scans kept per account (their summaries; findings live in the finding states). */
export const SCANS_KEPT = 20;

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
  constructor(private readonly store: Store) {}

  async record(result: AuditResult, alias: string): Promise<RecordedScan> {
    const scanId = randomUUID();
    let diff: DiffOutcome | undefined;
    await this.store.update((data) => {
      diff = applyScan(data.findings as FindingState[], result, result.startedAt);
      data.findings = diff.states;
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
      const mine = data.scans.filter((s) => s.alias === alias);
      if (mine.length > SCANS_KEPT) {
        const drop = new Set(mine.slice(0, mine.length - SCANS_KEPT).map((s) => s.id));
        data.scans = data.scans.filter((s) => !drop.has(s.id));
      }
    });
    return { scanId, diff: diff! };
  }

  /** Open findings of an account now, and when it was last scanned (for the Home tab). */
  summary(alias: string, accountId: string): { lastScan: string | null; open: FindingState[] } {
    const scans = this.store.data.scans.filter((s) => s.alias === alias);
    const open = (this.store.data.findings as FindingState[]).filter((f) => f.accountId === accountId && f.resolvedAt === null);
    return { lastScan: scans.at(-1)?.startedAt ?? null, open };
  }
}
