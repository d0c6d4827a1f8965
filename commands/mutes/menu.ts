import { errorMessage } from '../../src/errors.js';
import { defaultMuteDay } from '../../src/store/mutes.js';
import { clickedMessage } from '../../src/slack/clicks.js';
import { tellClicker } from '../../src/slack/post.js';
import { DETAILS_PREFIX, FIX_PREFIX } from '../../src/slack/render/blocks.js';
import { FIX_TEXT } from '../../src/slack/render/fix.js';
import { MUTE_TEXT, renderMuteModal, type MuteModalMetadata } from '../../src/slack/render/mutes.js';
import { mayMute } from '../access.js';
import type { ActionArgs, Deps } from '../deps.js';
import { findingInView } from '../findings.js';
import { openDetails } from '../details/open.js';
import { startFix } from '../fix/start.js';

/** How long the mute menu waits for the access check before opening the modal anyway (Slack's trigger_id lasts 3 s; the submission is checked again). */
const ACCESS_WAIT_BEFORE_MODAL_MS = 1_500;

/** A finding menu (reports and digests): Details, Mute and Fix entries name the finding by scan id and fingerprint; the server looks it up. */
export async function openMuteMenu(deps: Deps, { body, action, client, respond }: ActionArgs): Promise<void> {
  const userId = body.user.id;
  const tell = (text: string) => tellClicker(client, body, respond, text, deps.logger);
  const value = action.type === 'static_select' ? action.selected_option?.value : action.type === 'button' ? action.value : undefined;
  // "Details" entries.
  if (typeof value === 'string' && value.startsWith(DETAILS_PREFIX)) return openDetails(deps, { body, client, respond }, value.slice(DETAILS_PREFIX.length));
  // "Fix" entries of a "Mute or fix…" menu.
  if (typeof value === 'string' && value.startsWith(FIX_PREFIX)) {
    if (!deps.fix) return tell(FIX_TEXT.notOffered);
    return startFix(deps, deps.fix, { body, client, respond, ref: value.slice(FIX_PREFIX.length) });
  }
  const lookup = await deps.mutes.lookup(value);
  deps.logger.info({ user: userId, ref: typeof value === 'string' ? value.slice(0, 120) : null, found: lookup.found }, 'mute requested');
  if (!lookup.found) return tell(MUTE_TEXT.lookupFailed(lookup.reason));
  // The modal must open within 3 s of the click (trigger_id). Access is decided here when that is quick (the
  // user-group cache is fresh, or Slack answers fast); otherwise the modal opens and the submission decides.
  const may = await Promise.race([mayMute(deps.access, userId), new Promise<'slow'>((r) => setTimeout(() => r('slow'), ACCESS_WAIT_BEFORE_MODAL_MS))]);
  if (may !== 'slow' && !may.allowed) return tell(may.reason);
  const { state } = lookup.finding;
  if (state.resolvedAt !== null) {
    return tell(MUTE_TEXT.resolved(state.resolvedAt));
  }
  const clicked = clickedMessage(body);
  const metadata: MuteModalMetadata = { ref: value as string };
  if (clicked) {
    metadata.channel = clicked.channel;
    // A menu in a thread reply (the digest's details): the note joins that thread.
    metadata.threadTs = clicked.threadTs;
  } else if (body.response_url) {
    metadata.responseUrl = body.response_url;
  }
  try {
    await client.views.open({
      trigger_id: body.trigger_id,
      view: renderMuteModal({
        ...(await findingInView(deps, lookup.finding)),
        initialDay: defaultMuteDay(deps.now(), deps.muteTimeZone),
        timeZone: deps.muteTimeZone,
        metadata,
      }),
    });
  } catch (error) {
    deps.logger.warn({ user: userId, err: errorMessage(error) }, 'the mute modal could not be opened');
    await tell(MUTE_TEXT.dialogFailed(errorMessage(error)));
  }
}
