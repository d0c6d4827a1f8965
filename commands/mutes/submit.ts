import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { errorMessage } from '../../src/errors.js';
import { muteExpiry, muteReason, type Mutes } from '../../src/store/mutes.js';
import { tellUser } from '../../src/slack/post.js';
import { MUTE_EXPIRY, MUTE_REASON, MUTE_TEXT, muteNote, parseMuteMetadata, type MuteModalMetadata } from '../../src/slack/render/mutes.js';
import { mayMute } from '../access.js';
import type { Deps } from '../deps.js';
import { aliasOf } from '../findings.js';

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** The mute dialog submitted: its fields checked in the acknowledgement, then access decided again, then the mute saved and told. */
export async function submitMute(deps: Deps, { ack, body, view, client }: ViewArgs): Promise<void> {
  const values = view.state.values;
  const reason = muteReason(values[MUTE_REASON.block]?.[MUTE_REASON.action]?.value);
  const expiry = muteExpiry(values[MUTE_EXPIRY.block]?.[MUTE_EXPIRY.action]?.selected_date, deps.now(), deps.muteTimeZone);
  if ('error' in reason || 'error' in expiry) {
    const errors: Record<string, string> = {};
    if ('error' in reason) errors[MUTE_REASON.block] = reason.error;
    if ('error' in expiry) errors[MUTE_EXPIRY.block] = expiry.error;
    await ack({ response_action: 'errors', errors });
    return;
  }
  await ack();
  const userId = body.user.id;
  const metadata = parseMuteMetadata(view.private_metadata);
  const reply = (text: string, publicNote = false) => replyWhereChosen(deps, client, userId, metadata, text, publicNote);
  const lookup = await deps.mutes.lookup(metadata?.ref);
  if (!lookup.found) return reply(MUTE_TEXT.lookupFailed(lookup.reason));
  // Decided again on submission: the modal may have stayed open while access changed.
  const may = await mayMute(deps.access, userId);
  if (!may.allowed) return reply(may.reason);
  const { state, scan } = lookup.finding;
  let mute: Awaited<ReturnType<Mutes['mute']>>;
  try {
    mute = await deps.mutes.mute({ state, reason: reason.reason, mutedBy: userId, expiresAt: expiry.expiresAt, now: deps.now() });
  } catch (error) {
    deps.logger.error({ user: userId, err: errorMessage(error) }, 'a mute could not be saved');
    return reply(MUTE_TEXT.notSaved(errorMessage(error)));
  }
  deps.logger.info(
    { user: userId, fingerprint: state.fingerprint, accountId: state.accountId, checkId: state.checkId, expiresAt: mute.expiresAt },
    'finding muted',
  );
  await reply(
    muteNote(
      mute,
      state,
      aliasOf(deps, state.accountId, scan?.alias),
      deps.checks.find((c) => c.id === state.checkId),
    ),
    true,
  );
}

/**
 * Where the click came from: the message's thread (the public note), or (a
 * report only the user saw) its response_url, valid for 30 minutes; failing
 * both, the user's messages with the app.
 */
async function replyWhereChosen(
  deps: Deps,
  client: ViewArgs['client'],
  userId: string,
  metadata: MuteModalMetadata | undefined,
  text: string,
  publicNote: boolean,
): Promise<void> {
  if (publicNote && metadata?.channel && metadata.threadTs) {
    try {
      await client.chat.postMessage({ channel: metadata.channel, thread_ts: metadata.threadTs, text, unfurl_links: false });
      return;
    } catch (error) {
      deps.logger.warn({ user: userId, err: errorMessage(error) }, 'a mute note could not be posted where the mute was chosen');
    }
  }
  await tellUser(client, { user: userId, responseUrl: metadata?.responseUrl }, text, deps.logger, {
    failure: 'a mute note could not be posted where the mute was chosen',
  });
}
