import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, runCli } from '../../src/cli.js';
import { fakeSessions } from '../helpers/aws.js';
import { SlackStub, signedPost, slashCommandBody } from '../helpers/slack.js';

const SECRET = '0123456789abcdef0123456789abcdef';
const stub = new SlackStub();
let configPath: string;

function sink() {
  let text = '';
  return { write: (chunk: string) => ((text += chunk), true), get text() { return text; }, isTTY: false };
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  await stub.start();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'audit-serve-'));
  configPath = path.join(dir, 'audit.config.yml');
  await writeFile(configPath, 'accounts:\n  - alias: sandbox\n    accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly\n');
});

afterAll(() => stub.stop());

describe('aws-audit-bot serve (npm start)', () => {
  it('refuses to start without Slack settings, naming each variable and where to get it', async () => {
    const stderr = sink();
    const code = await runCli(['serve'], { stdout: sink(), stderr, env: { AUDIT_CONFIG: configPath } });
    expect(code).toBe(EXIT.usage);
    expect(stderr.text).toContain('SLACK_BOT_TOKEN is not set: get it at api.slack.com/apps');
    expect(stderr.text).toContain('SLACK_SIGNING_SECRET is not set');
    expect(stderr.text.trim().split('\n')).toHaveLength(3);
  });

  it('serves HTTP mode on PORT at /slack/events and stops gracefully on SIGTERM', async () => {
    const port = await freePort();
    const signals = new EventEmitter();
    const exit = runCli(['serve'], {
      stdout: sink(),
      stderr: sink(),
      env: { AUDIT_CONFIG: configPath, SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: SECRET, PORT: String(port), SLACK_API_URL: stub.apiUrl, LOG_LEVEL: 'silent' },
      sessions: fakeSessions(),
      signals,
    });
    const url = `http://127.0.0.1:${port}/slack/events`;
    let answer: Awaited<ReturnType<typeof signedPost>> | undefined;
    for (let i = 0; i < 100 && !answer; i++) {
      answer = await signedPost(url, SECRET, slashCommandBody({ text: 'help', response_url: stub.responseUrl() })).catch(() => undefined);
      if (!answer) await new Promise((r) => setTimeout(r, 50));
    }
    expect(answer?.status).toBe(200);
    expect(answer?.body).toContain('/audit');
    signals.emit('SIGTERM');
    expect(await exit).toBe(EXIT.clean);
    await expect(fetch(url, { method: 'POST' })).rejects.toThrow();
    // The database was opened next to the config and released on the way out.
    const data = path.join(path.dirname(configPath), 'data');
    expect(await readdir(data)).toEqual([]);
  });

  it('refuses to start on a database it cannot read, and leaves the file as it was', async () => {
    const data = path.join(path.dirname(configPath), 'data');
    await mkdir(data, { recursive: true });
    await writeFile(path.join(data, 'audit-db.json'), '{ not json');
    const stderr = sink();
    const code = await runCli(['serve'], {
      stdout: sink(),
      stderr,
      env: { AUDIT_CONFIG: configPath, SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: SECRET, PORT: String(await freePort()), SLACK_API_URL: stub.apiUrl, LOG_LEVEL: 'silent' },
    });
    expect(code).toBe(EXIT.usage);
    expect(stderr.text).toContain('audit-db.json is not valid JSON');
    expect(await readFile(path.join(data, 'audit-db.json'), 'utf8')).toBe('{ not json');
    expect(await readdir(data)).toEqual(['audit-db.json']);
  });
});
