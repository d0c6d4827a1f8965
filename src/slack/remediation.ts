import { randomUUID } from 'node:crypto';
import type { App, BlockAction, RespondFn } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { ALL_ACTIONS } from '../remediation/actions/index.js';
import { CONFIRMATION_TTL_MS, undoable, type ActionRecord, type ExecuteOutcome, type MessageRef, type RemediationService } from '../remediation/service.js';
import { escapeMrkdwn, slackDate } from './render/mrkdwn.js';
import { clickedMessage } from './clicks.js';
import { mention } from './render/mutes.js';

/** Buttons of the fix flow. Values: `<finding ref> <request id>` (apply, request), or an action-log id (undo, approve, reject). */
export const FIX_ACTIONS = {
  apply: 'remediate_apply',
  cancel: 'remediate_cancel',
  request: 'remediate_request',
  approve: 'remediate_approve',
  reject: 'remediate_reject',
  undo: 'remediate_undo',
} as const;

/** Messages fixes were chosen in, as the bot last wrote them (the outcome lines are added to the newest version). */
const MESSAGES_KEPT = 200;

interface Pending {
  thread?: MessageRef;
  /** The report or digest message the fix was chosen in. */
  message?: MessageRef;
  at: number;
}

/**
 * The fix flow in Slack. "Fix" in a finding's menu → a confirmation only the
 * clicker sees, saying exactly what will change (read live) → the fix (or the
 * dry run, or a request for a second remediator's approval) → the outcome in
 * the finding's thread for everyone, with Undo for 24 hours. Every decision
 * is the server's: the controls carry only a finding reference, a request id
 * or an action-log id.
 */
export function registerRemediation(app: InstanceType<typeof App>, remediation: RemediationService, logger: Logger): { start: StartFix } {
  /** Where each confirmation was asked from, by request id (as long as a confirmation lasts). */
  const pending = new Map<string, Pending>();
  /** The text and blocks of messages fixes were chosen in, by `channel:ts`, newest last. */
  const messages = new Map<string, { text: string; blocks: KnownBlock[] }>();

  const remember = (requestId: string, entry: Pending) => {
    const now = Date.now();
    for (const [id, p] of pending) if (now - p.at > CONFIRMATION_TTL_MS) pending.delete(id);
    pending.set(requestId, entry);
  };
  const keep = (ref: MessageRef, content: { text: string; blocks: KnownBlock[] }) => {
    const key = `${ref.channel}:${ref.ts}`;
    messages.delete(key);
    messages.set(key, content);
    while (messages.size > MESSAGES_KEPT) messages.delete(messages.keys().next().value as string);
  };

  /** Says something to the clicker only: under the message, or in their messages with the app. */
  const tell = async (body: BlockAction, client: WebClient, respond: RespondFn | undefined, text: string, replace = false) => {
    try {
      if (respond && body.response_url) await respond({ response_type: 'ephemeral', replace_original: replace, text });
      else await client.chat.postMessage({ channel: body.user.id, text });
    } catch (error) {
      // (An expired response_url must not stop the log line in the thread.)
      logger.warn({ err: errorMessage(error) }, 'a fix answer could not be sent to the clicker');
    }
  };
  /** A refusal: to the clicker, and (when it names a thread) to everyone there. */
  const refused = async (
    body: BlockAction,
    client: WebClient,
    respond: RespondFn | undefined,
    reason: string,
    record: ActionRecord | undefined,
    replace = false,
  ) => {
    await tell(body, client, respond, `:no_entry: ${reason}`, replace);
    if (record) await announce(client, record);
  };

  /**
   * The log line for everyone, in the finding's thread. Without a thread (a
   * report only its reader saw) the clicker's own answer is all there is.
   */
  const announce = async (client: WebClient, record: ActionRecord) => {
    if (!record.thread) return;
    try {
      await client.chat.postMessage({
        channel: record.thread.channel,
        thread_ts: record.thread.ts,
        text: outcomeText(record),
        blocks: outcomeBlocks(record),
        unfurl_links: false,
      });
    } catch (error) {
      logger.warn({ err: errorMessage(error), record: record.id }, 'a remediation note could not be posted');
    }
  };

  /** "Fix" chosen in a finding's menu. */
  const start: StartFix = async ({ body, client, respond, ref }) => {
    const user = body.user.id;
    const requestId = randomUUID();
    const clicked = clickedMessage(body);
    const entry: Pending = { at: Date.now() };
    if (clicked) {
      entry.thread = { channel: clicked.channel, ts: clicked.threadTs };
      entry.message = { channel: clicked.channel, ts: clicked.ts };
    }
    const guarded = await remediation.guard(user, ref, requestId, entry);
    if (!guarded.ok) return refused(body, client, respond, guarded.reason, remediation.attempt(requestId));
    const fixable = guarded.value;
    const preview = await remediation.preview(fixable, user, requestId, ref);
    if (!preview.ok) {
      return tell(
        body,
        client,
        respond,
        preview.unreadable ? `:x: ${escapeMrkdwn(preview.reason)}` : `:information_source: Nothing to fix: ${escapeMrkdwn(preview.reason)}`,
      );
    }
    if (entry.message) {
      const blocks = body.message?.blocks as KnownBlock[] | undefined;
      if (Array.isArray(blocks) && !messages.has(`${entry.message.channel}:${entry.message.ts}`))
        keep(entry.message, { text: String(body.message?.text ?? ''), blocks });
    }
    remember(requestId, entry);
    const value = `${String(ref)} ${requestId}`;
    const dryRun = remediation.mode === 'dry-run';
    const approval = remediation.requireApproval;
    const blocks: KnownBlock[] = [
      { type: 'section', block_id: 'change', text: { type: 'mrkdwn', verbatim: true, text: `:wrench: *${escapeMrkdwn(preview.value)}*` } },
      {
        type: 'context',
        block_id: 'how',
        elements: [
          {
            type: 'mrkdwn',
            text: dryRun
              ? 'Dry run (`remediation.mode: dry-run`): the bot checks AWS and says what it would change, and changes nothing.'
              : `The bot checks AWS again right before acting, with the account's remediation role. Undo is offered for 24 hours.${approval ? ' Another remediator must approve (`access.requireApproval`).' : ''}`,
          },
        ],
      },
      {
        type: 'actions',
        block_id: 'confirm',
        elements: [
          approval && !dryRun
            ? { type: 'button', action_id: FIX_ACTIONS.request, style: 'primary', text: { type: 'plain_text', text: 'Ask for approval' }, value }
            : {
                type: 'button',
                action_id: FIX_ACTIONS.apply,
                style: 'danger',
                text: { type: 'plain_text', text: dryRun ? `${fixable.action.verb} (dry run)` : fixable.action.verb },
                value,
              },
          { type: 'button', action_id: FIX_ACTIONS.cancel, text: { type: 'plain_text', text: 'Cancel' }, value: requestId },
        ],
      },
    ];
    if (respond && body.response_url) await respond({ response_type: 'ephemeral', replace_original: false, text: preview.value, blocks });
    else await client.chat.postMessage({ channel: user, text: preview.value, blocks });
  };

  const parse = (value: unknown): { ref: string; requestId: string } | undefined => {
    if (typeof value !== 'string') return undefined;
    const [ref, requestId, ...rest] = value.split(' ');
    return ref && requestId && rest.length === 0 && /^[0-9a-f-]{36}$/.test(requestId) ? { ref, requestId } : undefined;
  };
  const actionValue = (action: BlockAction['actions'][number]): unknown => ('value' in action ? action.value : undefined);

  app.action<BlockAction>(FIX_ACTIONS.cancel, async ({ ack, respond, body, action, client }) => {
    await ack();
    const requestId = actionValue(action);
    const cancelled = typeof requestId === 'string' && remediation.cancel(requestId, body.user.id);
    // (Cancel and the fix button pressed together: the fix got there first, and its answer says what happened.)
    if (cancelled) await tell(body, client, respond, 'Cancelled: nothing was changed.', true);
  });

  app.action<BlockAction>(FIX_ACTIONS.apply, async ({ ack, body, action, client, respond }) => {
    await ack();
    const parsed = parse(actionValue(action));
    if (!parsed) return tell(body, client, respond, ':x: That button does not name a fix.');
    const where = pending.get(parsed.requestId);
    const outcome = await remediation.execute({
      user: body.user.id,
      ref: parsed.ref,
      requestId: parsed.requestId,
      thread: where?.thread,
      message: where?.message,
    });
    await answer(body, client, respond, outcome);
    if (outcome.kind === 'applied' || outcome.kind === 'dry-run' || outcome.kind === 'failed') await markOriginal(client, outcome.record);
  });

  app.action<BlockAction>(FIX_ACTIONS.request, async ({ ack, body, action, client, respond }) => {
    await ack();
    const parsed = parse(actionValue(action));
    if (!parsed) return tell(body, client, respond, ':x: That button does not name a fix.');
    const where = pending.get(parsed.requestId);
    const requested = await remediation.request({
      user: body.user.id,
      ref: parsed.ref,
      requestId: parsed.requestId,
      thread: where?.thread,
      message: where?.message,
    });
    if (!requested.ok) return refused(body, client, respond, requested.reason, remediation.attempt(parsed.requestId), true);
    const { record, repeat } = requested.value;
    if (repeat) return tell(body, client, respond, ':hourglass_flowing_sand: Your request is already filed; another remediator must approve it.', true);
    const text = `:raising_hand: ${mention(record.user)} asks to fix: ${escapeMrkdwn(record.change ?? '')}. Another remediator must approve.`;
    const blocks: KnownBlock[] = [
      { type: 'section', block_id: 'request', text: { type: 'mrkdwn', verbatim: true, text } },
      {
        type: 'actions',
        block_id: 'decide',
        elements: [
          { type: 'button', action_id: FIX_ACTIONS.approve, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: record.id },
          { type: 'button', action_id: FIX_ACTIONS.reject, text: { type: 'plain_text', text: 'Reject' }, value: record.id },
        ],
      },
    ];
    // In the finding's thread; a report only the requester saw is not made public: the other remediators get it in their messages with the app.
    const others = remediation.remediators.filter((u) => u !== record.user);
    const targets = where?.thread ? [{ channel: where.thread.channel, thread_ts: where.thread.ts }] : others.map((u) => ({ channel: u }));
    let posted = 0;
    const errors: string[] = [];
    for (const target of targets) {
      try {
        await client.chat.postMessage({ ...target, text, blocks, unfurl_links: false });
        posted += 1;
      } catch (error) {
        errors.push(errorMessage(error));
      }
    }
    if (posted === 0) {
      const reason = targets.length === 0 ? 'there is no other remediator to ask' : `Slack refused it (${errors[0] ?? 'unknown error'})`;
      await remediation.withdraw(record.id, `the request could not be posted: ${reason}`);
      return tell(body, client, respond, `:x: The request could not be posted: ${escapeMrkdwn(reason)}. Nothing was changed.`, true);
    }
    const whereText = where?.thread ? 'in the thread' : `to ${others.map(mention).join(', ')} in their messages with the app`;
    await tell(body, client, respond, `:hourglass_flowing_sand: Your request is posted ${whereText}; another remediator must approve it.`, true);
  });

  for (const [id, approve] of [
    [FIX_ACTIONS.approve, true],
    [FIX_ACTIONS.reject, false],
  ] as const) {
    app.action<BlockAction>(id, async ({ ack, body, action, client, respond }) => {
      await ack();
      const recordId = actionValue(action);
      const outcome = await remediation.decide({ requestRecordId: typeof recordId === 'string' ? recordId : '', by: body.user.id, approve });
      if (outcome.kind === 'refused') return refused(body, client, respond, outcome.reason, outcome.record);
      // The request message becomes its outcome, for everyone who saw it.
      await updateMessage(body, client, outcome.record, respond);
      if (outcome.kind === 'repeat' || outcome.kind === 'already') return;
      // A request sent privately (no thread): the requester hears of the decision in their messages with the app.
      if (!outcome.record.thread && outcome.record.user !== body.user.id) {
        await client.chat
          .postMessage({ channel: outcome.record.user, text: outcomeText(outcome.record), blocks: outcomeBlocks(outcome.record) })
          .catch((error: unknown) => logger.warn({ err: errorMessage(error) }, 'the requester could not be told'));
      }
      // Approved and done (or not): the thread note is the request message itself; the report gets its line.
      if (outcome.kind === 'applied' || outcome.kind === 'failed') await markOriginal(client, outcome.record);
      if (outcome.kind === 'stale') await tell(body, client, respond, outcomeText(outcome.record));
    });
  }

  app.action<BlockAction>(FIX_ACTIONS.undo, async ({ ack, body, action, client, respond }) => {
    await ack();
    const recordId = actionValue(action);
    const id = typeof recordId === 'string' ? recordId : '';
    // One undo per fix: a repeat of the click (or of another Undo of the same fix) finds it done.
    const outcome = await remediation.undo({
      recordId: id,
      user: body.user.id,
      requestId: `undo:${id}:${body.user.id}:${(action as { action_ts?: string }).action_ts ?? randomUUID()}`,
    });
    if (outcome.kind === 'refused') return refused(body, client, respond, outcome.reason, outcome.record);
    const fix = remediation.record(id);
    if (fix) await updateMessage(body, client, fix, respond);
    if (outcome.kind === 'undone' || outcome.kind === 'stale' || outcome.kind === 'failed') await announce(client, outcome.record);
    if (outcome.kind === 'undone' && fix) await markOriginal(client, fix);
    if (outcome.kind !== 'undone') await tell(body, client, respond, outcomeText(outcome.record));
  });

  /**
   * The message the fix was chosen in gets a line saying so, under its last
   * block ("Deactivated by @ana at 10:42 · Undo in the thread"), as long as it
   * stays within Slack's 50 blocks; each finding's line is replaced when it
   * changes again, and lines of other findings stay.
   */
  async function markOriginal(client: WebClient, record: ActionRecord): Promise<void> {
    if (!record.message) return;
    const key = `${record.message.channel}:${record.message.ts}`;
    const original = messages.get(key);
    if (!original) return;
    const blockId = `fix-${record.fingerprint}`.slice(0, 255);
    const kept = original.blocks.filter((b) => (b as { block_id?: string }).block_id !== blockId);
    if (kept.length >= 50) return;
    const line = `${outcomeText(record)}${undoable(record) && record.result !== 'failed' ? ' · Undo in the thread' : ''}`;
    const blocks: KnownBlock[] = [...kept, { type: 'context', block_id: blockId, elements: [{ type: 'mrkdwn', text: line.slice(0, 2000), verbatim: true }] }];
    keep(record.message, { text: original.text, blocks });
    try {
      await client.chat.update({ channel: record.message.channel, ts: record.message.ts, text: original.text, blocks });
    } catch (error) {
      logger.warn({ err: errorMessage(error) }, 'the message a fix was chosen in could not be updated');
    }
  }

  /** The clicker's confirmation becomes the outcome; everyone sees the log line in the thread. */
  async function answer(body: BlockAction, client: WebClient, respond: RespondFn, outcome: ExecuteOutcome): Promise<void> {
    if (outcome.kind === 'refused') return refused(body, client, respond, outcome.reason, outcome.record, true);
    const record = outcome.record;
    if (body.response_url) {
      await respond({ response_type: 'ephemeral', replace_original: true, text: outcomeText(record), blocks: outcomeBlocks(record) }).catch((error: unknown) =>
        logger.warn({ err: errorMessage(error) }, 'a fix answer could not be sent to the clicker'),
      );
    }
    if (outcome.kind !== 'repeat' && outcome.kind !== 'already') await announce(client, record);
  }

  /** Replaces the message the click came from with the record's outcome (a thread note or a request in a channel; an ephemeral one through its response_url). */
  async function updateMessage(body: BlockAction, client: WebClient, record: ActionRecord, respond?: RespondFn): Promise<void> {
    const clicked = clickedMessage(body);
    try {
      if (clicked) {
        await client.chat.update({ channel: clicked.channel, ts: clicked.ts, text: outcomeText(record), blocks: outcomeBlocks(record) });
      } else if (respond && body.response_url) {
        await respond({ response_type: 'ephemeral', replace_original: true, text: outcomeText(record), blocks: outcomeBlocks(record) });
      }
    } catch (error) {
      logger.warn({ err: errorMessage(error) }, 'a fix message could not be updated');
    }
  }

  return { start };
}

export type StartFix = (input: { body: BlockAction; client: WebClient; respond: RespondFn | undefined; ref: string }) => Promise<void>;

function when(iso: string): string {
  return slackDate(new Date(iso), '{date_short_pretty} {time}', iso);
}

/** One line: who, what, when, result. */
export function outcomeText(record: ActionRecord): string {
  const who = mention(record.user);
  const change = escapeMrkdwn(record.change ?? `${record.action} on a ${record.checkId} finding`);
  const approved = record.approvedBy ? `, approved by ${mention(record.approvedBy)}` : '';
  const reason = escapeMrkdwn(record.reason ?? '');
  const verbDone = ALL_ACTIONS.find((a) => a.id === record.action)?.done ?? 'Fixed';
  switch (record.result) {
    case 'applied':
      if (record.undoneAt)
        return `:leftwards_arrow_with_hook: ${verbDone} by ${who}${approved} at ${when(record.at)}, undone by ${mention(record.undoneBy ?? '')} at ${when(record.undoneAt)}: ${change}`;
      if (record.supersededBy)
        return `:white_check_mark: ${verbDone} by ${who}${approved} at ${when(record.at)}: ${change} (changed back outside the bot since, and fixed again)`;
      return `:white_check_mark: ${verbDone} by ${who}${approved} at ${when(record.at)}: ${change}`;
    case 'dry-run':
      return `:test_tube: Dry run by ${who} at ${when(record.at)}: would ${lowerFirst(change)}. Nothing was changed (\`remediation.mode: dry-run\`).`;
    case 'undone':
      return `:leftwards_arrow_with_hook: Undone by ${who} at ${when(record.at)}: ${change}`;
    case 'requested':
      return `:raising_hand: ${who} asked at ${when(record.at)} to fix: ${change}`;
    case 'rejected':
      return `:no_entry_sign: Rejected by ${mention(record.approvedBy ?? '')} at ${when(record.at)}: ${who}'s request to ${lowerFirst(change)}`;
    case 'applying':
      return `:hourglass_flowing_sand: ${who}${approved} started at ${when(record.at)}, outcome unknown (the bot stopped meanwhile): ${change}. Check AWS; Undo restores it if it was done.`;
    case 'failed':
      return `:x: Fix by ${who}${approved} failed at ${when(record.at)}: ${reason}${undoable(record) ? '. Part of it was done: Undo restores that part.' : ''}`;
    case 'undo-failed':
      return `:x: Undo by ${who} failed at ${when(record.at)}: ${reason}`;
    case 'refused':
      return `:no_entry: ${who} at ${when(record.at)}: not done, ${reason}`;
  }
}

/** The outcome as blocks: the line, and Undo while it can be undone. */
export function outcomeBlocks(record: ActionRecord): KnownBlock[] {
  const blocks: KnownBlock[] = [{ type: 'section', block_id: 'outcome', text: { type: 'mrkdwn', verbatim: true, text: outcomeText(record) } }];
  if (undoable(record)) {
    blocks.push({
      type: 'actions',
      block_id: 'undo',
      elements: [
        {
          type: 'button',
          action_id: FIX_ACTIONS.undo,
          text: { type: 'plain_text', text: 'Undo' },
          value: record.id,
          confirm: {
            title: { type: 'plain_text', text: 'Undo this fix?' },
            text: {
              type: 'mrkdwn',
              text: truncate(
                `Undo: ${escapeMrkdwn(record.change ?? record.action)}. The bot checks that the fix is still in place, then restores exactly what it changed.`,
                300,
              ),
            },
            confirm: { type: 'plain_text', text: 'Undo' },
            deny: { type: 'plain_text', text: 'Keep it' },
          },
        },
      ],
    });
  }
  return blocks;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
