import { randomUUID } from 'node:crypto';
import type { BlockAction, RespondFn } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { clickedMessage } from '../../src/slack/clicks.js';
import { confirmationBlocks, previewFailedText } from '../../src/slack/render/fix.js';
import type { Deps, FixDeps } from '../deps.js';
import { refused, tell, type Click } from './answers.js';
import type { Origin } from './memory.js';

/**
 * "Fix" chosen in a finding's menu: every guard, then a live, read-only
 * precheck, then a confirmation only the clicker sees, saying exactly what
 * will change. Its buttons carry only the finding reference and a request id;
 * the server keeps the rest.
 */
export async function startFix(
  deps: Pick<Deps, 'logger'>,
  fix: FixDeps,
  input: { body: BlockAction; client: WebClient; respond: RespondFn | undefined; ref: string },
): Promise<void> {
  const { body, client, respond, ref } = input;
  const { remediation } = fix;
  const click: Click = { body, client, respond, log: deps.logger };
  const user = body.user.id;
  const requestId = randomUUID();
  const clicked = clickedMessage(body);
  const origin: Origin = { at: Date.now() };
  if (clicked) {
    origin.thread = { channel: clicked.channel, ts: clicked.threadTs };
    origin.message = { channel: clicked.channel, ts: clicked.ts };
  }
  const guarded = await remediation.guard(user, ref, requestId, origin);
  if (!guarded.ok) return refused(click, guarded.refusal, await remediation.attempt(requestId));
  const fixable = guarded.value;
  const preview = await remediation.preview(fixable, user, requestId, ref);
  if (!preview.ok) return tell(click, previewFailedText(preview.refusal));
  // The message the fix was chosen in, as it is now: the outcome's line is added to it later.
  if (origin.message && !fix.memory.message(origin.message)) {
    const blocks = body.message?.blocks as KnownBlock[] | undefined;
    if (Array.isArray(blocks)) fix.memory.keepMessage(origin.message, { text: String(body.message?.text ?? ''), blocks });
  }
  fix.memory.rememberOrigin(requestId, origin);
  const blocks = confirmationBlocks({
    change: preview.value,
    verb: fixable.action.verb,
    mode: remediation.mode,
    requireApproval: remediation.requireApproval,
    value: `${String(ref)} ${requestId}`,
    requestId,
  });
  if (respond && body.response_url) await respond({ response_type: 'ephemeral', replace_original: false, text: preview.value, blocks });
  else await client.chat.postMessage({ channel: user, text: preview.value, blocks });
}
