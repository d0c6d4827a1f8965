import type { BlockAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { SlackMessage } from './render/blocks.js';

/** A message with more to say than one post holds: the main message, what goes in its thread, and a file. */
export interface LongMessage {
  main: SlackMessage;
  followUps: readonly SlackMessage[];
  csv: { filename: string; content: string; title: string } | null;
}

/** Where a message was posted (posting to a user id answers with the DM's own id: threads and files must use that one). */
export interface Posted {
  channel: string;
  ts: string;
}

/** The main message, where everyone in `channel` sees it. */
export async function postMain(client: WebClient, channel: string, message: LongMessage): Promise<Posted> {
  const posted = await client.chat.postMessage({ channel, text: message.main.text, blocks: message.main.blocks, unfurl_links: false, unfurl_media: false });
  return { channel: posted.channel ?? channel, ts: posted.ts ?? '' };
}

/**
 * The rest of a message in the thread of `under`, and its file there. A
 * failure here does not repost anything: it is returned, to be told.
 */
export async function postRest(client: WebClient, under: Posted, message: LongMessage, log: Logger): Promise<string | undefined> {
  try {
    for (const followUp of message.followUps) {
      await client.chat.postMessage({ channel: under.channel, thread_ts: under.ts, text: followUp.text, blocks: followUp.blocks, unfurl_links: false });
    }
    if (message.csv) {
      await client.filesUploadV2({
        channel_id: under.channel,
        thread_ts: under.ts,
        file: Buffer.from(message.csv.content, 'utf8'),
        filename: message.csv.filename,
        title: message.csv.title,
      });
    }
    return undefined;
  } catch (error) {
    log.warn({ err: errorMessage(error) }, 'the rest of a message could not be posted');
    return errorMessage(error);
  }
}

/** Posts a long message in `channel`: the main message, the rest in its thread. */
export async function postLong(client: WebClient, channel: string, message: LongMessage, log: Logger): Promise<Posted & { incomplete?: string }> {
  const posted = await postMain(client, channel, message);
  const incomplete = await postRest(client, posted, message, log);
  return { ...posted, ...(incomplete ? { incomplete } : {}) };
}

/**
 * Tells the one person something: under the message or command they used
 * (its response_url, ephemeral) when there is one, else in their messages
 * with the app. Never throws: what cannot be told is logged.
 */
export async function tellUser(
  client: WebClient,
  to: { user?: string | undefined; responseUrl?: string | undefined; respond?: RespondFn | undefined },
  text: string,
  log: Logger,
  options: { replace?: boolean } = {},
): Promise<void> {
  try {
    if (to.responseUrl) {
      const message = { response_type: 'ephemeral' as const, replace_original: options.replace ?? false, text };
      if (to.respond) {
        await to.respond(message);
        return;
      }
      const answer = await fetch(to.responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) });
      if (answer.ok) return;
    }
    if (to.user) await client.chat.postMessage({ channel: to.user, text });
  } catch (error) {
    // (An expired response_url: the user's messages with the app are the last resort.)
    log.warn({ err: errorMessage(error) }, 'the user could not be told');
    if (to.responseUrl && to.user) await client.chat.postMessage({ channel: to.user, text }).catch(() => undefined);
  }
}

/** Tells the clicker something about their click (see {@link tellUser}). */
export function tellClicker(
  client: WebClient,
  body: BlockAction,
  respond: RespondFn | undefined,
  text: string,
  log: Logger,
  options: { replace?: boolean } = {},
): Promise<void> {
  return tellUser(client, { user: body.user.id, responseUrl: respond ? body.response_url : undefined, respond }, text, log, options);
}

/** A link to a message, when the workspace's domain is a plain one (it comes with the request: untrusted). */
export function messageLink(teamDomain: string | undefined, channel: string, ts: string): string | undefined {
  if (!teamDomain || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(teamDomain) || !/^[A-Z0-9]+$/.test(channel) || !/^\d+\.\d+$/.test(ts)) return undefined;
  return `https://${teamDomain}.slack.com/archives/${channel}/p${ts.replace('.', '')}`;
}
