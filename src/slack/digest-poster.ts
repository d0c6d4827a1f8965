import type { WebClient } from '@slack/web-api';
import type { DigestPoster } from '../digest/service.js';

/** The digest posted through Slack's Web API: the summary in the channel, the details and the CSV in its thread, links not unfurled. */
export function slackDigestPoster(client: WebClient): DigestPoster {
  const quiet = { unfurl_links: false, unfurl_media: false } as const;
  return {
    async postSummary(channel, message) {
      const posted = await client.chat.postMessage({ channel, text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}), ...quiet });
      return { channel: posted.channel ?? channel, ts: posted.ts ?? '' };
    },
    async postInThread(at, message) {
      await client.chat.postMessage({
        channel: at.channel,
        thread_ts: at.ts,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks } : {}),
        ...quiet,
      });
    },
    async uploadInThread(at, file) {
      await client.filesUploadV2({
        channel_id: at.channel,
        thread_ts: at.ts,
        file: Buffer.from(file.content, 'utf8'),
        filename: file.filename,
        title: file.title,
      });
    },
  };
}
