/**
 * Socket Mode end to end: the app asks apps.connections.open (with the app
 * token) for a WebSocket URL, connects to a local stand-in for Slack's
 * socket server, receives a slash command envelope and acknowledges it.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.js';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import type { SlackApp } from '../../src/slack/app.js';
import { createBot } from '../../src/serve.js';
import { AuditService } from '../../src/audit/service.js';
import type { FileStore } from '../../src/store/store.js';
import { fakeSessions } from '../helpers/aws.js';
import { SlackStub } from '../helpers/slack.js';
import { tempStore } from '../helpers/store.js';

const APP_TOKEN = 'xapp-1-A0APP-1-abcdef0123456789';
const stub = new SlackStub();
let wss: WebSocketServer;
let slack: SlackApp;
const received: Record<string, unknown>[] = [];
let socket: WebSocket | undefined;
let store: FileStore;
let healthPort: number | undefined;

beforeAll(async () => {
  await stub.start();
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (data) => received.push(JSON.parse(String(data)) as Record<string, unknown>));
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0APP' }, debug_info: { host: 'local' } }));
  });
  stub.on('apps.connections.open', () => ({ ok: true, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/link` }));
  const config = parseConfig(
    'accounts:\n  - alias: sandbox\n    accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly\n',
    '/x/audit.config.yml',
  );
  const logger = createLogger({ format: 'json', level: 'silent' });
  const audits = new AuditService({ sessions: fakeSessions(), thresholds: config.thresholds, concurrency: 2, logger });
  ({ store } = await tempStore());
  slack = createBot({
    env: { mode: 'socket', botToken: 'xoxb-1-2-abc', appToken: APP_TOKEN, apiUrl: stub.apiUrl, healthPort: 0 },
    config,
    checks: ALL_CHECKS,
    audits,
    store,
    logger,
  });
  ({ port: healthPort } = await slack.start());
});

afterAll(async () => {
  await slack.stop();
  await store.close();
  await new Promise((resolve) => wss.close(resolve));
  await stub.stop();
});

describe('Socket Mode', () => {
  it('connects with the app token through SLACK_API_URL and acknowledges a slash command over the socket', async () => {
    const open = stub.callsOf('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]!.token).toBe(APP_TOKEN);
    socket!.send(
      JSON.stringify({
        envelope_id: 'env-1',
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: {
          command: '/audit',
          text: 'help',
          user_id: 'U0ALICE01',
          channel_id: 'C0AUDIT01',
          team_id: 'T0TEST',
          response_url: stub.responseUrl(),
          trigger_id: 't',
          api_app_id: 'A0APP',
        },
      }),
    );
    await stub.waitFor(() => received.some((m) => m.envelope_id === 'env-1'), 'the acknowledgement');
    const ack = received.find((m) => m.envelope_id === 'env-1') as { payload: { response_type: string; text: string } };
    expect(ack.payload.response_type).toBe('ephemeral');
    expect(ack.payload.text).toContain('/audit');
  });

  it('serves /healthz on HEALTH_PORT: 200 while connected, 503 while the connection is lost, 200 once it is back', async () => {
    const health = async () => {
      const response = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
      return { code: response.status, body: (await response.json()) as { status: string; slack: { mode: string; state: string } } };
    };
    expect(await health()).toMatchObject({ code: 200, body: { status: 'ok', slack: { mode: 'socket', state: 'connected' } } });
    // Slack is down for a while: the socket drops and a new one cannot be opened yet.
    const open = () => ({ ok: true, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/link` });
    stub.on('apps.connections.open', () => ({ ok: false, error: 'internal_error' }));
    const opened = stub.callsOf('apps.connections.open').length;
    socket!.terminate();
    await stub.waitFor(() => stub.callsOf('apps.connections.open').length > opened, 'a reconnection attempt');
    const down = await health();
    expect(down.code).toBe(503);
    expect(down.body.status).toBe('unhealthy');
    expect(down.body.slack.state).not.toBe('connected');
    // Slack is back: the client reconnects by itself, and the probe says so.
    stub.on('apps.connections.open', open);
    let back = down;
    for (let i = 0; i < 600 && back.code !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      back = await health();
    }
    expect(back).toMatchObject({ code: 200, body: { slack: { state: 'connected' } } });
    expect((await fetch(`http://127.0.0.1:${healthPort}/slack/events`)).status).toBe(404);
  }, 60_000);
});
