import type { WebClient } from '@slack/web-api';
import type { DigestPoster } from '../digest/service.js';
import { postMessage, uploadInThread } from './post.js';

/**
 * The digest posted through Slack's Web API: the summary in the channel, the
 * details and the CSV in its thread, links not unfurled. The digest service
 * posts it a piece at a time (it decides what a failed piece means).
 */
export function slackDigestPoster(client: WebClient): DigestPoster {
  return {
    postSummary: (channel, message) => postMessage(client, channel, message),
    postInThread: async (at, message) => void (await postMessage(client, at.channel, message, at.ts)),
    uploadInThread: (at, file) => uploadInThread(client, at, file),
  };
}
