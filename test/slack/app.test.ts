/**
 * The Bolt app factory on its own, through Bolt's real request path: a
 * listener that throws is logged and its user told, under the command or
 * click (response_url) or in their messages with the app, never with the raw
 * error; the work it tracks is finished before stop() resolves.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createSlackApp, HANDLER_FAILED_TEXT, type SlackApp } from '../../src/slack/app.js';
import { interactionBody, SlackStub, signedPost, slashCommandBody } from '../helpers/slack.js';

const SECRET = '0123456789abcdef0123456789abcdef';
const stub = new SlackStub();
const lines: string[] = [];
let slack: SlackApp;
let url: string;
let stopped = false;

beforeAll(async () => {
  await stub.start();
  const logger = createLogger({ format: 'json', level: 'info', write: (line: string) => void lines.push(line) });
  slack = createSlackApp({
    env: { mode: 'http', botToken: 'xoxb-1-2-abc', signingSecret: SECRET, port: 0, apiUrl: stub.apiUrl },
    logger,
    health: { storeLost: () => undefined, auditsRunning: () => 0 },
  });
  slack.app.command('/audit', async ({ ack }) => {
    await ack();
    throw new Error('secret internals: db at /var/lib/x');
  });
  slack.app.event('app_home_opened', async () => {
    throw new Error('home tab broke');
  });
  slack.app.view('broken_modal', async ({ ack }) => {
    await ack();
    throw new Error('modal handler broke');
  });
  const { port } = await slack.start(0);
  url = `http://127.0.0.1:${port}/slack/events`;
});

afterAll(async () => {
  if (!stopped) await slack.stop();
  await stub.stop();
});

afterEach(() => stub.reset());

describe('the Slack app', () => {
  it('tells the user under their command when a handler fails, and logs what failed', async () => {
    const responseUrl = stub.responseUrl();
    const answer = await signedPost(url, SECRET, slashCommandBody({ text: 'prod', response_url: responseUrl, user_id: 'U0ALICE01' }));
    expect(answer.status).toBe(200);
    const id = responseUrl.split('/').pop();
    await stub.waitFor(() => stub.responseUrlPosts.some((p) => p.id === id), 'the failure told under the command');
    const told = stub.responseUrlPosts.find((p) => p.id === id)!.body;
    expect(told).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: HANDLER_FAILED_TEXT });
    expect(JSON.stringify(told)).not.toContain('secret internals');
    expect(lines.some((l) => l.includes('a Slack handler failed') && l.includes('secret internals') && l.includes('U0ALICE01'))).toBe(true);
  });

  it('tells the user in their messages with the app when the payload has no response_url (a modal submission)', async () => {
    const body = interactionBody({
      type: 'view_submission',
      user: { id: 'U0BOB0001', team_id: 'T0TEST' },
      api_app_id: 'A0APP',
      team: { id: 'T0TEST', domain: 'test' },
      view: { id: 'V1', type: 'modal', callback_id: 'broken_modal', state: { values: {} }, private_metadata: '' },
    });
    const answer = await signedPost(url, SECRET, body);
    expect(answer.status).toBe(200);
    await stub.waitFor(() => stub.callsOf('chat.postMessage').length > 0, 'the failure told in a direct message');
    expect(stub.callsOf('chat.postMessage')[0]!.args).toMatchObject({ channel: 'U0BOB0001', text: HANDLER_FAILED_TEXT });
  });

  it('only logs a failure nobody asked for (an event: the Home tab opened), and tells nobody', async () => {
    const event = JSON.stringify({
      type: 'event_callback',
      team_id: 'T0TEST',
      api_app_id: 'A0APP',
      event: { type: 'app_home_opened', user: 'U0CAROL01', channel: 'D0CAROL01', tab: 'home', event_ts: '1700000000.000100' },
      event_id: 'Ev0HOME0001',
      event_time: 1700000000,
    });
    const answer = await signedPost(url, SECRET, event, { contentType: 'application/json' });
    expect(answer.status).toBe(200);
    await stub.waitFor(() => lines.some((l) => l.includes('home tab broke')), 'the failure logged');
    // A failure someone asked for, after it: told; the event's was not.
    const responseUrl = stub.responseUrl();
    await signedPost(url, SECRET, slashCommandBody({ text: 'prod', response_url: responseUrl }));
    await stub.waitFor(() => stub.responseUrlPosts.some((p) => p.id === responseUrl.split('/').pop()), 'the later failure told');
    expect(stub.callsOf('chat.postMessage')).toEqual([]);
  });

  it('stop() waits for the work it tracks', async () => {
    let finished = false;
    void slack.track(new Promise<void>((resolve) => setTimeout(resolve, 200)).then(() => void (finished = true)));
    await slack.stop();
    stopped = true;
    expect(finished).toBe(true);
  });
});
