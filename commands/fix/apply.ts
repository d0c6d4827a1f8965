import { FIX_TEXT } from '../../src/slack/render/fix.js';
import type { ActionArgs, FixDeps } from '../deps.js';
import { actionValue, answer, markOriginal, parseFixValue, tell, type Click } from './answers.js';

/** The confirmation's fix button (or its dry run): guards, live precheck, apply, and the outcome for the clicker, the thread and the report. */
export async function applyFix(fix: FixDeps, { body, action }: ActionArgs, click: Click): Promise<void> {
  const parsed = parseFixValue(actionValue(action));
  if (!parsed) return tell(click, FIX_TEXT.badButton);
  const where = fix.memory.originOf(parsed.requestId);
  const outcome = await fix.remediation.execute({
    user: body.user.id,
    ref: parsed.ref,
    requestId: parsed.requestId,
    thread: where?.thread,
    message: where?.message,
  });
  await answer(click, outcome);
  if (outcome.kind === 'applied' || outcome.kind === 'dry-run' || outcome.kind === 'failed') await markOriginal(fix, click, outcome.record);
}

/** Cancel on a confirmation: it can no longer be acted on. */
export async function cancelFix(fix: FixDeps, { body, action }: ActionArgs, click: Click): Promise<void> {
  const requestId = actionValue(action);
  const cancelled = typeof requestId === 'string' && (await fix.remediation.cancel(requestId, body.user.id));
  // (Cancel and the fix button pressed together: the fix got there first, and its answer says what happened.)
  if (cancelled) await tell(click, FIX_TEXT.cancelled, true);
}
