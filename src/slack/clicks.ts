import type { BlockAction } from '@slack/bolt';

/** Where a clicked message sits: its channel and timestamp, and the thread a reply to it belongs in. */
export interface ClickedMessage {
  channel: string;
  ts: string;
  /** The thread the message is in (a digest detail is a thread reply), else the message's own thread. */
  threadTs: string;
}

type Container = { type?: string; channel_id?: string; message_ts?: string; thread_ts?: string; is_ephemeral?: boolean };

/**
 * The channel message a click came from; undefined for a click elsewhere
 * (an ephemeral message, the Home tab, a modal), which is answered through
 * its response_url or to the user instead.
 */
export function clickedMessage(body: Pick<BlockAction, 'container' | 'message'>): ClickedMessage | undefined {
  const container = body.container as Container | undefined;
  if (container?.type !== 'message' || container.is_ephemeral || !container.channel_id || !container.message_ts) return undefined;
  return { channel: container.channel_id, ts: container.message_ts, threadTs: container.thread_ts ?? body.message?.thread_ts ?? container.message_ts };
}
