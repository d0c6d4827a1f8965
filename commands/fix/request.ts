import { errorMessage } from '../../src/errors.js';
import { mention } from '../../src/slack/render/mutes.js';
import { requestMessage } from '../../src/slack/render/fix.js';
import { escapeMrkdwn } from '../../src/slack/render/mrkdwn.js';
import type { FixDeps } from '../deps.js';
import type { ActionArgs } from '../mutes/menu.js';
import { actionValue, parseFixValue, refused, tell, type Click } from './answers.js';

/**
 * "Ask for approval" (the two-person rule): the request is filed, then posted
 * in the finding's thread, or, for a report only the requester saw, to the
 * other remediators in their messages with the app. A request nobody could be
 * shown is withdrawn.
 */
export async function requestFix(fix: FixDeps, { body, action, client }: ActionArgs, click: Click): Promise<void> {
  const parsed = parseFixValue(actionValue(action));
  if (!parsed) return tell(click, ':x: That button does not name a fix.');
  const { remediation } = fix;
  const where = fix.memory.originOf(parsed.requestId);
  const requested = await remediation.request({
    user: body.user.id,
    ref: parsed.ref,
    requestId: parsed.requestId,
    thread: where?.thread,
    message: where?.message,
  });
  if (!requested.ok) return refused(click, requested.refusal, remediation.attempt(parsed.requestId), true);
  const { record, repeat } = requested.value;
  if (repeat) return tell(click, ':hourglass_flowing_sand: Your request is already filed; another remediator must approve it.', true);
  const message = requestMessage(record);
  const others = remediation.remediators.filter((u) => u !== record.user);
  const targets = where?.thread ? [{ channel: where.thread.channel, thread_ts: where.thread.ts }] : others.map((u) => ({ channel: u }));
  let posted = 0;
  const errors: string[] = [];
  for (const target of targets) {
    try {
      await client.chat.postMessage({ ...target, ...message, unfurl_links: false });
      posted += 1;
    } catch (error) {
      errors.push(errorMessage(error));
    }
  }
  if (posted === 0) {
    const reason = targets.length === 0 ? 'there is no other remediator to ask' : `Slack refused it (${errors[0] ?? 'unknown error'})`;
    await remediation.withdraw(record.id, `the request could not be posted: ${reason}`);
    return tell(click, `:x: The request could not be posted: ${escapeMrkdwn(reason)}. Nothing was changed.`, true);
  }
  const whereText = where?.thread ? 'in the thread' : `to ${others.map(mention).join(', ')} in their messages with the app`;
  await tell(click, `:hourglass_flowing_sand: Your request is posted ${whereText}; another remediator must approve it.`, true);
}
