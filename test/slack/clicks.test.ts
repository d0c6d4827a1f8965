import type { BlockAction } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { clickedMessage } from '../../src/slack/clicks.js';

const click = (container: Record<string, unknown> | undefined, message?: Record<string, unknown>) =>
  ({ container, ...(message ? { message } : {}) }) as unknown as Pick<BlockAction, 'container' | 'message'>;

describe('clickedMessage', () => {
  it('names the channel message a click came from, and the thread its replies belong in', () => {
    expect(clickedMessage(click({ type: 'message', channel_id: 'C1', message_ts: '1.1' }))).toEqual({ channel: 'C1', ts: '1.1', threadTs: '1.1' });
    // A thread reply (a digest detail): replies join its thread, read from the container or the message.
    expect(clickedMessage(click({ type: 'message', channel_id: 'C1', message_ts: '1.2', thread_ts: '1.0' }))).toEqual({
      channel: 'C1',
      ts: '1.2',
      threadTs: '1.0',
    });
    expect(clickedMessage(click({ type: 'message', channel_id: 'C1', message_ts: '1.2' }, { thread_ts: '0.9' }))).toEqual({
      channel: 'C1',
      ts: '1.2',
      threadTs: '0.9',
    });
  });

  it('is undefined for a click that is not on a channel message: ephemeral, Home tab, modal, or incomplete', () => {
    expect(clickedMessage(click({ type: 'message', channel_id: 'C1', message_ts: '1.1', is_ephemeral: true }))).toBeUndefined();
    expect(clickedMessage(click({ type: 'view', view_id: 'V1' }))).toBeUndefined();
    expect(clickedMessage(click({ type: 'message', message_ts: '1.1' }))).toBeUndefined();
    expect(clickedMessage(click(undefined))).toBeUndefined();
  });
});
