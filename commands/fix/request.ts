import { errorMessage } from '../../src/errors.js';
import type { Failure } from '../../src/remediation/service.js';
import { failedAnswer, FIX_TEXT, requestMessage, requestPostedText } from '../../src/slack/render/fix.js';
import type { ActionArgs, FixDeps } from '../deps.js';
import { actionValue, parseFixValue, refused, tell, type Click } from './answers.js';

/**
 * "Ask for approval" (the two-person rule): the request is filed, then posted
 * in the finding's thread, or, for a report only the requester saw, to the
 * other remediators in their messages with the app. A request nobody could be
 * shown is withdrawn.
 */
export async function requestFix(fix: FixDeps, { body, action, client }: ActionArgs, click: Click): Promise<void> {
  const parsed = parseFixValue(actionValue(action));
  if (!parsed) return tell(click, FIX_TEXT.badButton);
  const { remediation } = fix;
  const where = fix.memory.originOf(parsed.requestId);
  const requested = await remediation.request({
    user: body.user.id,
    ref: parsed.ref,
    requestId: parsed.requestId,
    thread: where?.thread,
    message: where?.message,
  });
  if (!requested.ok) return refused(click, requested.refusal, await remediation.attempt(parsed.requestId), true);
  const { record, repeat } = requested.value;
  if (repeat) return tell(click, FIX_TEXT.alreadyRequested, true);
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
    const why: Failure = targets.length === 0 ? { code: 'request-not-posted' } : { code: 'request-not-posted', error: errors[0] ?? 'unknown error' };
    await remediation.withdraw(record.id, why);
    return tell(click, failedAnswer(why), true);
  }
  await tell(click, requestPostedText(Boolean(where?.thread), others), true);
}
