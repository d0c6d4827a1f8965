import { randomUUID } from 'node:crypto';
import { outcomeText } from '../../src/slack/render/fix.js';
import type { ActionArgs, FixDeps } from '../deps.js';
import { actionValue, announce, markOriginal, refused, tell, updateMessage, type Click } from './answers.js';

/** Undo on a fix's outcome, within 24 hours: one undo per fix, after checking that what it did is still in place. */
export async function undoFix(fix: FixDeps, { body, action }: ActionArgs, click: Click): Promise<void> {
  const recordId = actionValue(action);
  const id = typeof recordId === 'string' ? recordId : '';
  // One undo per fix: a repeat of the click (or of another Undo of the same fix) finds it done.
  const outcome = await fix.remediation.undo({
    recordId: id,
    user: body.user.id,
    requestId: `undo:${id}:${body.user.id}:${(action as { action_ts?: string }).action_ts ?? randomUUID()}`,
  });
  if (outcome.kind === 'refused') return refused(click, outcome.refusal, outcome.record);
  const done = await fix.remediation.record(id);
  if (done) await updateMessage(click, done);
  if (outcome.kind === 'undone' || outcome.kind === 'stale' || outcome.kind === 'failed') await announce(click, outcome.record);
  if (outcome.kind === 'undone' && done) await markOriginal(fix, click, done);
  if (outcome.kind !== 'undone') await tell(click, outcomeText(outcome.record));
}
