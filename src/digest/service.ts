import PQueue from 'p-queue';
import type { AuditResult, Check } from '../audit/types.js';
import type { AccountConfig, Config } from '../config.js';
import { errorMessage } from '../errors.js';
import { computeDigest, digestTotals, readDigestSource, type DigestData, type ScanOutcome } from '../store/digest.js';
import type { History } from '../store/history.js';
import type { DigestState, OrganizationAccount, Store } from '../store/contract.js';
import type { Logger } from '../log.js';
import type { RenderDigestInput, RenderedDigest } from '../slack/render/digest.js';

/** Accounts scanned at once by the digest (each audit bounds its own AWS calls per service and region). */
export const DIGEST_ACCOUNT_CONCURRENCY = 4;

/** One scan of one account, recorded in the history. */
export type ScanAccount = (account: AccountConfig) => Promise<{ result: AuditResult; scanId: string }>;

/** Audits many accounts at once (the job queue); one outcome per account, in their order. */
export type ScanAll = (accounts: readonly AccountConfig[], what: 'digest' | 'alerts') => Promise<ScanOutcome[]>;

export interface DigestServiceOptions {
  config: Config;
  checks: readonly Check[];
  store: Store;
  /** The history the scans are recorded in: its clock closes the digest's window. */
  history: History;
  scan: ScanAccount;
  /** With a job queue: every account audited as a job (workers take them); the in-process `scan` otherwise. */
  scanAll?: ScanAll;
  /** When the next scheduled digest is due (written with the cursor, in one write); absent without a schedule. */
  nextDue?: () => DigestState['due'];
  /** Renders a digest into its messages (the bot's: Slack's Block Kit, src/slack/render/digest.ts). */
  render: (input: RenderDigestInput) => RenderedDigest;
  /** Where it is posted; needed to post (not for a dry run). */
  poster?: DigestPoster;
  logger: Logger;
  now?: () => Date;
  /** Accounts scanned at once. */
  concurrency?: number;
  /** Whether a fix is offered for a check's findings in an account (the details' menus then list it). */
  fixable?: (accountId: string, fix: string) => boolean;
  /** With organization discovery: refreshed before every digest; its news goes in the digest and is marked said when posted. */
  organization?: {
    refresh(options: { force: boolean }): Promise<unknown>;
    news(accounts: Readonly<Record<string, OrganizationAccount>>): NonNullable<DigestData['organization']>;
    /** The accounts whose news is now said (to write back). */
    markReported(accounts: Readonly<Record<string, OrganizationAccount>>, news: NonNullable<DigestData['organization']>): Record<string, OrganizationAccount>;
  };
}

/** A message of the digest, as the renderer made it (or a plain line: that the details could not all be posted). */
type DigestMessage = { text: string; blocks?: RenderedDigest['main']['blocks'] };

/** Where a rendered digest goes: its summary in the channel, its details in the summary's thread. */
export interface DigestPoster {
  /** Posts the summary; where it landed is where the details go. */
  postSummary(channel: string, message: DigestMessage): Promise<{ channel: string; ts: string }>;
  postInThread(at: { channel: string; ts: string }, message: DigestMessage): Promise<void>;
  uploadInThread(at: { channel: string; ts: string }, file: NonNullable<RenderedDigest['csv']>): Promise<void>;
}

export interface DigestRun {
  /** The digest, as computed and rendered. */
  digest: DigestData;
  rendered: RenderedDigest;
  dryRun: boolean;
  /** Slack accepted the main message (and the cursor moved). */
  posted: boolean;
  /** The main message, when posted. */
  ts?: string;
  /** Why it was not posted, or what part of the details could not be posted. */
  error?: string;
  /** Accounts that could not be audited. */
  failed: number;
}

/**
 * The digest: scan every account (recording each scan in the history), then
 * post one message to `digest.channel` with what changed since the last
 * digest, details in its thread and a CSV. The cursor (the end of the window
 * reported) moves only once Slack accepted the main message: a crash before
 * that re-posts the same window next time, never skips it. One digest at a
 * time: a second request while one is under way joins it.
 */
export class DigestService {
  private current: Promise<DigestRun> | undefined;
  /**
   * Where the latest digest is: waiting for the one before it, scanning (its
   * window still open: a request joins it), or posting (its window closed: a
   * request waits for it, then runs anew).
   */
  private phase: 'idle' | 'waiting' | 'scanning' | 'posting' = 'idle';
  private readonly now: () => Date;

  constructor(private readonly options: DigestServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Whether a digest is being prepared or posted now. */
  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Resolves when the digest under way (if any) is done. */
  async drain(): Promise<void> {
    await this.current?.catch(() => undefined);
  }

  /**
   * Runs the digest once. A dry run scans and renders but posts nothing and
   * moves no cursor. A real run while another is under way joins it.
   */
  run(options: { dryRun?: boolean; requester?: string } = {}): Promise<DigestRun & { joined: boolean }> {
    const dryRun = options.dryRun ?? false;
    const requester = options.requester ?? 'schedule';
    if (dryRun) return this.prepareAndPost(true, requester).then((r) => ({ ...r, joined: false }));
    const under = this.current;
    // Its window is still open: it will report what this request would.
    if (under && (this.phase === 'waiting' || this.phase === 'scanning')) return under.then((r) => ({ ...r, joined: true }));
    // Nothing under way, or one already posting (its window closed): run anew, after it.
    this.phase = under ? 'waiting' : 'scanning';
    const work = (under ? under.catch(() => undefined) : Promise.resolve()).then(() => {
      this.phase = 'scanning';
      return this.prepareAndPost(false, requester);
    });
    const tracked = work.finally(() => {
      if (this.current === tracked) {
        this.current = undefined;
        this.phase = 'idle';
      }
    });
    this.current = tracked;
    return tracked.then((r) => ({ ...r, joined: false }));
  }

  private async prepareAndPost(dryRun: boolean, requester: string): Promise<DigestRun> {
    const { config, logger } = this.options;
    const channel = config.digest?.channel;
    if (!dryRun && (!channel || !this.options.poster)) throw new Error('No digest channel is configured (`digest.channel`).');
    const { store } = this.options;
    const since = (await store.digestState()).cursor;
    const org = this.options.organization;
    // The organization's accounts as they are now: the ones that joined are audited in this digest.
    await org?.refresh({ force: true });
    logger.info({ accounts: config.accounts.length, since, dryRun, requester }, 'digest started');
    const outcomes = await this.scanAll();
    // The window closes now, on the history's clock: a scan recorded from here on is news for the next digest.
    const until = new Date(await this.options.history.stamp());
    if (!dryRun) this.phase = 'posting';
    const news = org?.news(await store.organizationAccounts());
    const digest = { ...computeDigest(await readDigestSource(store, outcomes), outcomes, since, until), ...(news ? { organization: news } : {}) };
    const rendered = this.options.render({ digest, checks: this.options.checks, ...(this.options.fixable ? { fixable: this.options.fixable } : {}) });
    const failed = outcomes.filter((o) => o.failure !== undefined).length;
    if (dryRun) return { digest, rendered, dryRun, posted: false, failed };

    const poster = this.options.poster!;
    let at: { channel: string; ts: string };
    try {
      at = await poster.postSummary(channel!, rendered.main);
    } catch (error) {
      logger.error({ err: errorMessage(error), channel }, 'the digest could not be posted; the cursor stays, so the next digest covers this window too');
      return { digest, rendered, dryRun, posted: false, error: errorMessage(error), failed };
    }
    // Slack has it: the cursor moves, and (one write, so a crash cannot leave one without the other) the next due time.
    let cursorError: string | undefined;
    try {
      const due = this.options.nextDue?.();
      await store.transaction(
        async (tx) => {
          await tx.setDigestState({
            cursor: until.toISOString(),
            lastPostedAt: this.now().toISOString(),
            totals: digestTotals(digest),
            ...(due !== undefined ? { due } : {}),
          });
          if (org && news) await tx.putOrganizationAccounts(org.markReported(await tx.organizationAccounts(), news));
          // Discovery writes the same accounts under this lock (a replica marking one as left meanwhile is not overwritten).
        },
        org && news ? { lock: ['organization'] } : {},
      );
    } catch (error) {
      // The message is out; its details still follow. The next digest will cover this window again.
      cursorError = `the digest was posted, but its cursor could not be saved (${errorMessage(error)}): the next digest repeats this window`;
      logger.error({ err: errorMessage(error) }, 'the digest cursor could not be saved');
    }
    logger.info({ channel: at.channel, ts: at.ts, quiet: rendered.quiet, followUps: rendered.followUps.length, failed }, 'digest posted');

    // The details, in the thread. A failure here is told in the thread (when possible) and logged; the summary stands.
    let detailError: string | undefined = cursorError;
    try {
      for (const followUp of rendered.followUps) await poster.postInThread(at, followUp);
      if (rendered.csv) await poster.uploadInThread(at, rendered.csv);
    } catch (error) {
      detailError = [cursorError, `part of the details could not be posted: ${errorMessage(error)}`].filter(Boolean).join('; ');
      logger.warn({ err: errorMessage(error) }, 'part of the digest details could not be posted');
      await poster
        .postInThread(at, {
          text: `:warning: Part of the details could not be posted (${errorMessage(error).slice(0, 300)}). \`aws-audit-bot digest --dry-run\` prints the digest.`,
        })
        .catch(() => undefined);
    }
    return { digest, rendered, dryRun, posted: true, ts: at.ts, failed, ...(detailError !== undefined ? { error: detailError } : {}) };
  }

  private scanAll(): Promise<ScanOutcome[]> {
    if (this.options.scanAll) return this.options.scanAll(this.options.config.accounts, 'digest');
    return scanAccounts(this.options.config.accounts, this.options.scan, {
      concurrency: this.options.concurrency ?? DIGEST_ACCOUNT_CONCURRENCY,
      logger: this.options.logger,
      what: 'digest',
    });
  }
}

/** Scans accounts, a few at a time; a failed account is an outcome, not an exception (the digest and the alerts alike). */
export async function scanAccounts(
  accounts: readonly AccountConfig[],
  scan: ScanAccount,
  options: { concurrency: number; logger: Logger; what: string },
): Promise<ScanOutcome[]> {
  const queue = new PQueue({ concurrency: options.concurrency });
  return Promise.all(
    accounts.map((account) =>
      queue.add(async (): Promise<ScanOutcome> => {
        try {
          const { result, scanId } = await scan(account);
          return { alias: account.alias, accountId: account.accountId, scanId, errors: result.errors.length };
        } catch (error) {
          options.logger.warn(
            { alias: account.alias, accountId: account.accountId, err: errorMessage(error) },
            `${options.what}: account could not be audited`,
          );
          return { alias: account.alias, accountId: account.accountId, errors: 0, failure: errorMessage(error) };
        }
      }),
    ),
  ) as Promise<ScanOutcome[]>;
}
