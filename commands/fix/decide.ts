import { errorMessage } from '../../src/errors.js';
import { outcomeBlocks, outcomeText } from '../../src/slack/render/fix.js';
import type { ActionArgs, FixDeps } from '../deps.js';
import { actionValue, markOriginal, refused, tell, updateMessage, type Click } from './answers.js';

/** Approve or Reject on a request: another remediator than the requester, once; the request message becomes its outcome. */
export async function decideFix(fix: FixDeps, { body, action, client }: ActionArgs, click: Click, approve: boolean): Promise<void> {
  const recordId = actionValue(action);
  const outcome = await fix.remediation.decide({ requestRecordId: typeof recordId === 'string' ? recordId : '', by: body.user.id, approve });
  if (outcome.kind === 'refused') return refused(click, outcome.refusal, outcome.record);
  // The request message becomes its outcome, for everyone who saw it.
  await updateMessage(click, outcome.record);
  if (outcome.kind === 'repeat' || outcome.kind === 'already') return;
  // A request sent privately (no thread): the requester hears of the decision in their messages with the app.
  if (!outcome.record.thread && outcome.record.user !== body.user.id) {
    await client.chat
      .postMessage({ channel: outcome.record.user, text: outcomeText(outcome.record), blocks: outcomeBlocks(outcome.record) })
      .catch((error: unknown) => click.log.warn({ err: errorMessage(error) }, 'the requester could not be told'));
  }
  // Approved and done (or not): the thread note is the request message itself; the report gets its line.
  if (outcome.kind === 'applied' || outcome.kind === 'failed') await markOriginal(fix, click, outcome.record);
  if (outcome.kind === 'stale') await tell(click, outcomeText(outcome.record));
}
