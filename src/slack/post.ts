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

/** Posts one message in `channel` (in the thread of `threadTs` when given), links not unfurled. */
export async function postMessage(
  client: WebClient,
  channel: string,
  message: { text: string; blocks?: SlackMessage['blocks'] },
  threadTs?: string,
): Promise<Posted> {
  const posted = await client.chat.postMessage({
    channel,
    ...(threadTs ? { thread_ts: threadTs } : {}),
    text: message.text,
    ...(message.blocks ? { blocks: message.blocks } : {}),
    unfurl_links: false,
    unfurl_media: false,
  });
  return { channel: posted.channel ?? channel, ts: posted.ts ?? '' };
}

/** Uploads a file into the thread of `under`. */
export async function uploadInThread(client: WebClient, under: Posted, file: NonNullable<LongMessage['csv']>): Promise<void> {
  await client.filesUploadV2({
    channel_id: under.channel,
    thread_ts: under.ts,
    file: Buffer.from(file.content, 'utf8'),
    filename: file.filename,
    title: file.title,
  });
}

/** The main message, where everyone in `channel` sees it. */
export function postMain(client: WebClient, channel: string, message: LongMessage): Promise<Posted> {
  return postMessage(client, channel, message.main);
}

/**
 * The rest of a message in the thread of `under`, and its file there. A
 * failure here does not repost anything: it is returned, to be told.
 */
export async function postRest(client: WebClient, under: Posted, message: LongMessage, log: Logger): Promise<string | undefined> {
  try {
    for (const followUp of message.followUps) await postMessage(client, under.channel, followUp, under.ts);
    if (message.csv) await uploadInThread(client, under, message.csv);
    return undefined;
  } catch (error) {
    log.warn({ err: errorMessage(error) }, 'the rest of a report could not be posted');
    return errorMessage(error);
  }
}

/** Posts a long message in `channel`: the main message, the rest in its thread. */
export async function postLong(client: WebClient, channel: string, message: LongMessage, log: Logger): Promise<Posted & { incomplete?: string }> {
  const posted = await postMain(client, channel, message);
  const incomplete = await postRest(client, posted, message, log);
  return { ...posted, ...(incomplete ? { incomplete } : {}) };
}

/** How long a response_url gets to take an answer (Slack's own answer within seconds). */
const RESPONSE_URL_TIMEOUT_MS = 10_000;

export interface TellOptions {
  /** Replace the message the response_url belongs to (default: add an ephemeral one). */
  replace?: boolean;
  /** What the log says when the user could not be told. */
  failure?: string;
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
  options: TellOptions = {},
): Promise<void> {
  try {
    if (to.responseUrl) {
      const message = { response_type: 'ephemeral' as const, replace_original: options.replace ?? false, text };
      if (to.respond) {
        await to.respond(message);
        return;
      }
      const answer = await fetch(to.responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(RESPONSE_URL_TIMEOUT_MS),
      });
      if (answer.ok) return;
    }
    if (to.user) await client.chat.postMessage({ channel: to.user, text });
  } catch (error) {
    // (An expired response_url: the user's messages with the app are the last resort.)
    log.warn({ err: errorMessage(error) }, options.failure ?? 'the user could not be told');
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
  options: TellOptions = {},
): Promise<void> {
  return tellUser(client, { user: body.user.id, responseUrl: respond ? body.response_url : undefined, respond }, text, log, options);
}

/** A link to a message, when the workspace's domain is a plain one (it comes with the request: untrusted). */
export function messageLink(teamDomain: string | undefined, channel: string, ts: string): string | undefined {
  if (!teamDomain || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(teamDomain) || !/^[A-Z0-9]+$/.test(channel) || !/^\d+\.\d+$/.test(ts)) return undefined;
  return `https://${teamDomain}.slack.com/archives/${channel}/p${ts.replace('.', '')}`;
}
