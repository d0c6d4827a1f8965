import type { BlockAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { errorMessage } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { ActionRecord, ExecuteOutcome, Reason } from '../../src/remediation/service.js';
import { clickedMessage } from '../../src/slack/clicks.js';
import { tellClicker } from '../../src/slack/post.js';
import { markedMessage, outcomeBlocks, outcomeText, refusedAnswer } from '../../src/slack/render/fix.js';
import type { FixDeps } from '../deps.js';

/** One click of the fix flow: what every answer needs. */
export interface Click {
  body: BlockAction;
  client: WebClient;
  respond: RespondFn | undefined;
  log: Logger;
}

/** Says something to the clicker only: under the message, or in their messages with the app. */
export function tell(click: Click, text: string, replace = false): Promise<void> {
  return tellClicker(click.client, click.body, click.respond, text, click.log, { replace, failure: 'a fix answer could not be sent to the clicker' });
}

/** A refusal: to the clicker, and (when it names a thread) to everyone there. */
export async function refused(click: Click, refusal: Reason, record: ActionRecord | undefined, replace = false): Promise<void> {
  await tell(click, refusedAnswer(refusal), replace);
  if (record) await announce(click, record);
}

/** The log line for everyone, in the finding's thread. Without a thread (a report only its reader saw) the clicker's own answer is all there is. */
export async function announce(click: Pick<Click, 'client' | 'log'>, record: ActionRecord): Promise<void> {
  if (!record.thread) return;
  try {
    await click.client.chat.postMessage({
      channel: record.thread.channel,
      thread_ts: record.thread.ts,
      text: outcomeText(record),
      blocks: outcomeBlocks(record),
      unfurl_links: false,
    });
  } catch (error) {
    click.log.warn({ err: errorMessage(error), record: record.id }, 'a remediation note could not be posted');
  }
}

/** The clicker's confirmation becomes the outcome; everyone sees the log line in the thread. */
export async function answer(click: Click, outcome: ExecuteOutcome): Promise<void> {
  if (outcome.kind === 'refused') return refused(click, outcome.refusal, outcome.record, true);
  const record = outcome.record;
  if (click.respond && click.body.response_url) {
    await click
      .respond({ response_type: 'ephemeral', replace_original: true, text: outcomeText(record), blocks: outcomeBlocks(record) })
      .catch((error: unknown) => click.log.warn({ err: errorMessage(error) }, 'a fix answer could not be sent to the clicker'));
  }
  if (outcome.kind !== 'repeat' && outcome.kind !== 'already') await announce(click, record);
}

/** Replaces the message the click came from with the record's outcome (a thread note or a request in a channel; an ephemeral one through its response_url). */
export async function updateMessage(click: Click, record: ActionRecord): Promise<void> {
  const clicked = clickedMessage(click.body);
  try {
    if (clicked) {
      await click.client.chat.update({ channel: clicked.channel, ts: clicked.ts, text: outcomeText(record), blocks: outcomeBlocks(record) });
    } else if (click.respond && click.body.response_url) {
      await click.respond({ response_type: 'ephemeral', replace_original: true, text: outcomeText(record), blocks: outcomeBlocks(record) });
    }
  } catch (error) {
    click.log.warn({ err: errorMessage(error) }, 'a fix message could not be updated');
  }
}

/** The message the fix was chosen in gets a line saying so (see markedMessage), as long as it stays within Slack's limits. */
export async function markOriginal(fix: FixDeps, click: Pick<Click, 'client' | 'log'>, record: ActionRecord): Promise<void> {
  if (!record.message) return;
  const original = fix.memory.message(record.message);
  const marked = original && markedMessage(original, record);
  if (!marked) return;
  fix.memory.keepMessage(record.message, marked);
  try {
    await click.client.chat.update({ channel: record.message.channel, ts: record.message.ts, text: marked.text, blocks: marked.blocks });
  } catch (error) {
    click.log.warn({ err: errorMessage(error) }, 'the message a fix was chosen in could not be updated');
  }
}

/** A button's value, whatever kind of element it is. */
export function actionValue(action: BlockAction['actions'][number]): unknown {
  return 'value' in action ? action.value : undefined;
}

/** `<finding ref> <request id>`, as the confirmation's buttons carry it. */
export function parseFixValue(value: unknown): { ref: string; requestId: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const [ref, requestId, ...rest] = value.split(' ');
  return ref && requestId && rest.length === 0 && /^[0-9a-f-]{36}$/.test(requestId) ? { ref, requestId } : undefined;
}
