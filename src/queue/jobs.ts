/** What the queue's two sides share: the bot that enqueues audits and the workers that take them. */

/** What a job asks: one audit of one account, for one requester (`digest`, `alerts`). */
export interface ScanJobData {
  alias: string;
  accountId: string;
  requester: string;
}

/** What a finished job answers: the scan the history recorded. */
export interface ScanJobOutput {
  scanId: string;
  errors: number;
  findings: number;
}

export interface ScanWorker {
  id: string;
  /** Takes no new jobs; those under way finish. */
  stop(): Promise<void>;
}

/** A worker seen within this long is alive (each refreshes its row every 5 s). */
export const WORKER_ALIVE_SECONDS = 20;
