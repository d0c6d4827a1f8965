import type { RespondFn, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { RunningAudit } from '../../src/audit/service.js';
import type { AuditResult, Check, Severity } from '../../src/audit/types.js';
import type { AccountConfig } from '../../src/config.js';
import { errorMessage } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { messageLink, postLong, postRest, type Posted } from '../../src/slack/post.js';
import { reportPostedText, reportRestFailedText, reportRestIntroText } from '../../src/slack/render/command-answers.js';
import { renderReport, type RenderedReport } from '../../src/slack/render/report.js';
import type { Deps } from '../deps.js';
import { fixableIn, withoutMuted } from '../findings.js';

export interface ReportRequest {
  command: SlashCommand;
  respond: RespondFn;
  client: WebClient;
  account: AccountConfig;
  selected: readonly Check[];
  run: RunningAudit;
  result: AuditResult;
  postIn: 'channel' | 'ephemeral';
  minSeverity?: Severity;
  log: Logger;
}

/**
 * Per shared run: the report posted in each channel (by channel and severity
 * filter), and each rendering. Twenty people auditing one alias in one
 * channel share one run, one channel post, one CSV and one rendering; the
 * others are pointed at that post.
 */
export class SharedReports {
  private readonly shared = new WeakMap<
    RunningAudit,
    { posts: Map<string, Promise<(Posted & { incomplete?: string }) | undefined>>; renders: Map<string, RenderedReport> }
  >();

  of(run: RunningAudit) {
    let entry = this.shared.get(run);
    if (!entry) {
      entry = { posts: new Map(), renders: new Map() };
      this.shared.set(run, entry);
    }
    return entry;
  }
}

/** The report of a finished audit: in the channel (posted once per run), or only to the requester (the rest in their messages with the app). */
export async function postReport(deps: Deps, shared: SharedReports, input: ReportRequest): Promise<void> {
  const { command, respond, client, account, run, log } = input;
  // Let the acks of requests that arrived meanwhile go first: rendering a big report takes a while.
  await new Promise<void>((resolve) => setImmediate(resolve));
  const { posts, renders } = shared.of(run);
  const unmuted = await withoutMuted(deps, input.result);
  const render = (overflowTo: 'thread' | 'direct-message') => {
    const key = `${overflowTo}:${input.minSeverity ?? ''}`;
    let report = renders.get(key);
    if (!report) {
      report = renderReport({
        result: unmuted.result,
        checks: input.selected,
        alias: account.alias,
        overflowTo,
        muted: unmuted.muted,
        ...(run.scanId !== undefined ? { scanId: run.scanId } : {}),
        ...fixableIn(deps, account.accountId),
        ...(input.minSeverity ? { minSeverity: input.minSeverity } : {}),
      });
      renders.set(key, report);
    }
    return report;
  };

  if (input.postIn === 'channel') {
    const postKey = `${command.channel_id}:${input.minSeverity ?? ''}`;
    let post = posts.get(postKey);
    const first = !post;
    if (!post) {
      post = postLong(client, command.channel_id, render('thread'), log).catch((error: unknown) => {
        // Not in the channel (not invited), or a private channel: the requester still gets the report.
        log.warn({ alias: account.alias, err: errorMessage(error) }, 'posting the report in the channel failed; sending it to the requester');
        return undefined;
      });
      posts.set(postKey, post);
    }
    const posted = await post;
    if (posted) {
      const link = messageLink(command.team_domain, posted.channel, posted.ts);
      await respond({ replace_original: true, response_type: 'ephemeral', text: reportPostedText(account, link, first, posted.incomplete) });
      return;
    }
  }
  // Only the requester sees it: the main part here; the rest, and the CSV, in their messages with the app
  // (ephemeral messages have no thread, and files cannot be ephemeral).
  const report = render('direct-message');
  await respond({ replace_original: true, response_type: 'ephemeral', text: report.main.text, blocks: report.main.blocks });
  if (report.followUps.length === 0 && !report.csv) return;
  try {
    const intro = await client.chat.postMessage({ channel: command.user_id, text: reportRestIntroText(account, report.total) });
    const incomplete = await postRest(client, { channel: intro.channel ?? command.user_id, ts: intro.ts ?? '' }, report, log);
    if (incomplete) log.warn({ alias: account.alias, err: incomplete }, 'part of a report could not be posted');
  } catch (error) {
    log.warn({ alias: account.alias, err: errorMessage(error) }, 'the rest of the report could not be sent to the requester');
    await respond({ response_type: 'ephemeral', text: reportRestFailedText(account, errorMessage(error)) });
  }
}
