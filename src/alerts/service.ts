import { severityRank, type Check, type Severity } from '../audit/types.js';
import type { Config } from '../config.js';
import { DIGEST_ACCOUNT_CONCURRENCY, scanAccounts, type DigestPoster, type ScanAccount, type ScanAll } from '../digest/service.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { computeDigest, readDigestSource, type DigestData } from '../store/digest.js';
import type { History } from '../store/history.js';
import type { Store } from '../store/contract.js';
import type { RenderAlertInput } from '../slack/render/alert.js';
import type { SlackMessage } from '../slack/render/blocks.js';

export interface AlertServiceOptions {
  config: Config & { alerts: NonNullable<Config['alerts']> };
  checks: readonly Check[];
  store: Store;
  history: History;
  scan: ScanAccount;
  /** With a job queue: the accounts audited as jobs. */
  scanAll?: ScanAll;
  render: (input: RenderAlertInput) => SlackMessage | null;
  /** Where it is posted (its summary call: one message in the channel); absent for a dry run. */
  poster?: Pick<DigestPoster, 'postSummary'>;
  logger: Logger;
  now?: () => Date;
  concurrency?: number;
  fixable?: (accountId: string, fix: string) => boolean;
  /** Before each run (organization discovery, at most every refreshMinutes). */
  beforeRun?: () => Promise<unknown>;
}

export interface AlertRun {
  /** What appeared in the window (at or above the severity), by account; null on the first run (the baseline). */
  appeared: DigestData | null;
  message: SlackMessage | null;
  posted: boolean;
  /** The first run: the cursor was set, nothing was alerted. */
  baseline: boolean;
  error?: string;
  failed: number;
}

/** Only new and resurfaced findings at or above `min`: resolved ones, and lesser ones, are not alerts. */
export function alertItems(digest: DigestData, min: Severity): DigestData {
  const keep = <T extends { state: { severity: Severity } }>(items: readonly T[]) => items.filter((i) => severityRank(i.state.severity) <= severityRank(min));
  return { ...digest, accounts: digest.accounts.map((a) => ({ ...a, new: keep(a.new), resurfaced: keep(a.resurfaced), resolved: [] })) };
}

/**
 * Alerts: a frequent audit of every account (recorded in the history like the
 * digest's), then one message in `alerts.channel` with only what appeared
 * since the last alert run: new or resurfaced, not muted, at or above
 * `alerts.minSeverity`; nothing when nothing did. Its cursor is its own (the
 * weekly digest still reports the week's news) and moves like the digest's:
 * only once Slack took the message, so a failed post is repeated, never
 * skipped. The first run sets the cursor and alerts nothing (what is open
 * already is the digest's to report). One run at a time: a second joins it.
 */
export class AlertService {
  private current: Promise<AlertRun> | undefined;
  private readonly now: () => Date;

  constructor(private readonly options: AlertServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  run(options: { dryRun?: boolean } = {}): Promise<AlertRun> {
    if (options.dryRun) return this.prepareAndPost(true);
    if (this.current) return this.current;
    const run = this.prepareAndPost(false).finally(() => {
      this.current = undefined;
    });
    this.current = run;
    return run;
  }

  async drain(): Promise<void> {
    await this.current?.catch(() => undefined);
  }

  private async prepareAndPost(dryRun: boolean): Promise<AlertRun> {
    const { config, store, logger } = this.options;
    const { alerts } = config;
    const since = (await store.alertsState()).cursor;
    await this.options.beforeRun?.();
    const outcomes = this.options.scanAll
      ? await this.options.scanAll(config.accounts, 'alerts')
      : await scanAccounts(config.accounts, this.options.scan, {
          concurrency: this.options.concurrency ?? DIGEST_ACCOUNT_CONCURRENCY,
          logger,
          what: 'alerts',
        });
    const failed = outcomes.filter((o) => o.failure !== undefined).length;
    const until = await this.options.history.stamp();
    if (since === null) {
      if (!dryRun) await this.moveCursor(until, false);
      logger.info({ until, failed }, 'alerts: first run, the cursor is set; from now on what appears is posted');
      return { appeared: null, message: null, posted: false, baseline: true, failed };
    }
    const appeared = alertItems(computeDigest(await readDigestSource(store, outcomes), outcomes, since, new Date(until)), alerts.minSeverity);
    const message = this.options.render({
      digest: appeared,
      checks: this.options.checks,
      minSeverity: alerts.minSeverity,
      ...(this.options.fixable ? { fixable: this.options.fixable } : {}),
    });
    if (dryRun) return { appeared, message, posted: false, baseline: false, failed };
    if (message === null) {
      // Nothing appeared: the window is done with, nothing is posted.
      await this.moveCursor(until, false);
      return { appeared, message, posted: false, baseline: false, failed };
    }
    if (!this.options.poster) throw new Error('No alerts channel to post to (`alerts.channel`).');
    try {
      await this.options.poster.postSummary(alerts.channel, message);
    } catch (error) {
      logger.error({ err: errorMessage(error), channel: alerts.channel }, 'the alert could not be posted; the cursor stays, so the next run posts it');
      return { appeared, message, posted: false, baseline: false, failed, error: errorMessage(error) };
    }
    try {
      await this.moveCursor(until, true);
    } catch (error) {
      logger.error({ err: errorMessage(error) }, 'the alert was posted, but its cursor could not be saved: the next run repeats it');
      return { appeared, message, posted: true, baseline: false, failed, error: `the cursor could not be saved (${errorMessage(error)})` };
    }
    logger.info({ channel: alerts.channel, accounts: appeared.accounts.filter((a) => a.new.length + a.resurfaced.length > 0).length, failed }, 'alert posted');
    return { appeared, message, posted: true, baseline: false, failed };
  }

  private moveCursor(until: string, posted: boolean): Promise<void> {
    return this.options.store.transaction((tx) => tx.setAlertsState({ cursor: until, ...(posted ? { lastPostedAt: this.now().toISOString() } : {}) }));
  }
}
