import type { AuditResult } from '../audit/types.js';

/** What the queue's two sides share: the bot that enqueues audits and the workers that take them. */

/** What a job asks: one audit of one account, for one requester (`digest`, `alerts`). */
export interface ScanJobData {
  alias: string;
  accountId: string;
  requester: string;
  /** Only these checks (an `/audit prod s3`); every check when absent. */
  checkIds?: string[];
  /** The AssumeRole session name (who asked, for CloudTrail); from `requester` when absent. */
  sessionName?: string;
  /** The asker wants the whole result back (an `/audit` renders it). */
  wantResult?: boolean;
}

/** What a finished job answers: the scan the history recorded. */
export interface ScanJobOutput {
  scanId: string;
  errors: number;
  findings: number;
  /** With `wantResult`. */
  result?: AuditResult;
}

export interface ScanWorker {
  id: string;
  /** Takes no new jobs; those under way finish. */
  stop(): Promise<void>;
}

/** A worker seen within this long is alive (each refreshes its row every 5 s). */
export const WORKER_ALIVE_SECONDS = 20;
