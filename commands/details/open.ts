import { errorMessage } from '../../src/errors.js';
import { tellClicker } from '../../src/slack/post.js';
import { DETAILS_TEXT, renderDetailsModal } from '../../src/slack/render/details.js';
import type { ActionArgs, Deps } from '../deps.js';
import { findingInView } from '../findings.js';

/**
 * "Details" on a finding's menu: a modal with what the check says of it and
 * what the history knows, looked up from the reference the menu carried
 * (never from what the click says of the finding). Whoever sees the
 * message's menu may read it: it shows nothing the report does not name,
 * only the check's words beside it.
 */
export async function openDetails(deps: Deps, { body, client, respond }: Pick<ActionArgs, 'body' | 'client' | 'respond'>, ref: string): Promise<void> {
  const tell = (text: string) => tellClicker(client, body, respond, text, deps.logger);
  const lookup = await deps.mutes.lookup(ref);
  deps.logger.info({ user: body.user.id, ref: ref.slice(0, 120), found: lookup.found }, 'finding details requested');
  if (!lookup.found) return tell(DETAILS_TEXT.lookupFailed(lookup.reason));
  try {
    await client.views.open({ trigger_id: body.trigger_id, view: renderDetailsModal(await findingInView(deps, lookup.finding)) });
  } catch (error) {
    deps.logger.warn({ user: body.user.id, err: errorMessage(error) }, 'the details modal could not be opened');
    await tell(DETAILS_TEXT.dialogFailed(errorMessage(error)));
  }
}
