import cron, { type ScheduledTask, type TaskOptions } from 'node-cron';
import type { DigestRun } from './digest/service.js';
import { errorMessage } from './errors.js';
import type { Store } from './store/contract.js';
import type { Logger } from './log.js';

/** When a schedule fires next, from now, as the store keeps it; null when it never does. */
export function nextDue(schedule: string, timezone: string): { at: string; schedule: string; timezone: string } | null {
  // A task that is never started: node-cron computes the time without scheduling anything.
  const task = cron.createTask(schedule, () => undefined, { timezone });
  try {
    const next = task.getNextRuns(1)[0];
    return next ? { at: next.toISOString(), schedule, timezone } : null;
  } finally {
    void task.destroy();
  }
}

export interface DigestScheduleOptions {
  /** Cron expression (5 or 6 fields), evaluated in `timezone`. */
  schedule: string;
  timezone: string;
  store: Store;
  /** Runs the digest once (joining one under way). */
  run: () => Promise<DigestRun>;
  logger: Logger;
  now?: () => Date;
  /** node-cron's task factory (tests may wrap it). */
  createTask?: (expression: string, fn: () => Promise<void>, options: TaskOptions) => ScheduledTask;
}

/** A node-cron task and the run it started: stopped and drained the same way for the digest and the alerts. */
abstract class ScheduledJob {
  protected task: ScheduledTask | undefined;
  protected running: Promise<void> | undefined;

  /** Stops the schedule: nothing more starts from it (a run under way goes on; `drain` waits for it). */
  async stop(): Promise<void> {
    const task = this.task;
    this.task = undefined;
    if (task) await task.destroy();
  }

  /** Resolves when the run under way (if any) is done. */
  async drain(): Promise<void> {
    await this.running;
  }

  /** Runs `work` unless a run is under way (which then covers this one). */
  protected once(work: () => Promise<void>): Promise<void> {
    if (this.running) return this.running;
    this.running = work().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }
}

/**
 * The weekly digest on a node-cron schedule, with two promises kept across
 * restarts: the time the next digest is due is written to the store, so a
 * bot that was down then posts the missed digest at start-up (once, however
 * many were missed); and a digest is never run twice at once.
 */
export class DigestSchedule extends ScheduledJob {
  private readonly now: () => Date;

  constructor(private readonly options: DigestScheduleOptions) {
    super();
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Starts the schedule, and starts posting the missed digest when one was
   * due while the bot was down (`catchUp` settles when it is done; it never rejects).
   */
  async start(): Promise<{ catchUp: Promise<void> | undefined; nextRun: Date | undefined }> {
    const { schedule, timezone, store, logger } = this.options;
    const create = this.options.createTask ?? cron.createTask;
    const cronLogger = logger.child({ component: 'node-cron' });
    this.task = create(schedule, () => this.fire('scheduled'), {
      timezone,
      name: 'digest',
      noOverlap: true,
      logger: {
        info: (m) => cronLogger.info(String(m)),
        warn: (m) => cronLogger.warn(String(m)),
        error: (m, e) => cronLogger.error({ err: e ? errorMessage(e) : undefined }, String(m)),
        debug: (m) => cronLogger.debug(String(m)),
      },
    });
    const nextRun = this.nextRun();
    const { due } = await store.digestState();
    const sameSchedule = due !== null && due.schedule === schedule && due.timezone === timezone;
    const missed = sameSchedule && Date.parse(due.at) <= this.now().getTime();
    if (!missed && !sameSchedule) await this.writeDue(nextRun);
    await this.task.start();
    logger.info({ schedule, timezone, nextRun: nextRun?.toISOString(), missed: missed ? due.at : undefined }, 'digest scheduled');
    let catchUp: Promise<void> | undefined;
    if (missed) {
      logger.info({ dueAt: due.at }, 'the bot was down when the digest was due: posting it now');
      catchUp = this.fire('catch-up');
    }
    return { catchUp, nextRun };
  }

  /** The next time the schedule fires, from now. */
  private nextRun(): Date | undefined {
    return this.task?.getNextRuns(1)[0];
  }

  private async writeDue(next: Date | undefined): Promise<void> {
    const { schedule, timezone } = this.options;
    await this.options.store.transaction((tx) => tx.setDigestState({ due: next ? { at: next.toISOString(), schedule, timezone } : null }));
  }

  private fire(reason: 'scheduled' | 'catch-up'): Promise<void> {
    return this.once(() =>
      // Every bot replica on one PostgreSQL fires: one posts, holding the digest; the others then find it posted.
      this.options.store.exclusive('digest:scheduled', () => this.fireHeld(reason)),
    );
  }

  private async fireHeld(reason: 'scheduled' | 'catch-up'): Promise<void> {
    const { due } = await this.options.store.digestState();
    if (due && due.schedule === this.options.schedule && due.timezone === this.options.timezone && Date.parse(due.at) > this.now().getTime()) {
      this.options.logger.info({ reason, nextDue: due.at }, 'the digest of this time was posted already (by another bot process on the same database)');
      return;
    }
    try {
      const run = await this.options.run();
      // Only a posted digest moves the due time on: one that failed is still due (and caught up at the next start).
      if (run.posted) await this.writeDue(this.nextRun());
      else this.options.logger.error({ reason, err: run.error }, 'the digest was not posted; it stays due');
    } catch (error) {
      this.options.logger.error({ reason, err: errorMessage(error) }, 'the digest failed; it stays due');
    }
  }
}

export interface AlertScheduleOptions {
  schedule: string;
  timezone: string;
  /** Where the alerts' cursor is: a run another bot process already made for this firing is not made again. */
  store?: Store;
  now?: () => Date;
  run: () => Promise<{ posted: boolean; error?: string }>;
  logger: Logger;
  createTask?: (expression: string, fn: () => Promise<void>, options: TaskOptions) => ScheduledTask;
}

/**
 * The alerts on their node-cron schedule. No catch-up: a run missed while the
 * bot was down is covered by the next one (its window starts at the cursor).
 */
export class AlertSchedule extends ScheduledJob {
  constructor(private readonly options: AlertScheduleOptions) {
    super();
  }

  async start(): Promise<Date | undefined> {
    const { schedule, timezone, logger } = this.options;
    const create = this.options.createTask ?? cron.createTask;
    this.task = create(schedule, () => this.fire(), { timezone, name: 'alerts', noOverlap: true });
    await this.task.start();
    const next = this.task.getNextRuns(1)[0];
    logger.info({ schedule, timezone, nextRun: next?.toISOString() }, 'alerts scheduled');
    return next;
  }

  private fire(): Promise<void> {
    const firedAt = (this.options.now ?? (() => new Date()))().getTime();
    const store = this.options.store;
    return this.once(() => (store ? store.exclusive('alerts:scheduled', () => this.fireHeld(firedAt)) : this.fireHeld(firedAt)));
  }

  private async fireHeld(firedAt: number): Promise<void> {
    const cursor = (await this.options.store?.alertsState())?.cursor;
    // Every bot replica on one PostgreSQL fires: the first runs; the others find its window closed after this firing.
    if (cursor && Date.parse(cursor) >= firedAt) {
      this.options.logger.info({ cursor }, 'the alerts of this time ran already (in another bot process on the same database)');
      return;
    }
    try {
      const run = await this.options.run();
      if (run.error) this.options.logger.error({ err: run.error }, 'the alert run did not finish; the next run covers its window');
    } catch (error) {
      this.options.logger.error({ err: errorMessage(error) }, 'the alert run failed; the next run covers its window');
    }
  }
}
