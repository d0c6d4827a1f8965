import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ALL_CHECKS } from '../checks/index.js';
import { EXIT, runCli } from '../src/cli.js';
import { fakeSessions } from './helpers/aws.js';
import { SlackStub, signedPost, slashCommandBody } from './helpers/slack.js';

const SECRET = '0123456789abcdef0123456789abcdef';
const stub = new SlackStub();
let configPath: string;

function sink() {
  let text = '';
  return {
    write: (chunk: string) => ((text += chunk), true),
    get text() {
      return text;
    },
    isTTY: false,
  };
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
      env: {
        AUDIT_CONFIG: configPath,
        SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
        SLACK_SIGNING_SECRET: SECRET,
        PORT: String(port),
        SLACK_API_URL: stub.apiUrl,
        LOG_LEVEL: 'silent',
      },
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
    // A liveness probe's endpoint on the same port.
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', slack: { mode: 'http', state: 'listening' }, store: { state: 'ok' }, auditsRunning: 0 });
    signals.emit('SIGTERM');
    expect(await exit).toBe(EXIT.clean);
    await expect(fetch(url, { method: 'POST' })).rejects.toThrow();
    // The database was opened next to the config and released on the way out.
    const data = path.join(path.dirname(configPath), 'data');
    expect(await readdir(data)).toEqual([]);
  });

  it('gives up on a Slack it cannot reach, naming the URL and method it tried, before locking anything', async () => {
    const stderr = sink();
    const started = Date.now();
    const closed = await freePort(); // nothing listens there
    const code = await runCli(['serve'], {
      stdout: sink(),
      stderr,
      env: {
        AUDIT_CONFIG: configPath,
        SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
        SLACK_SIGNING_SECRET: SECRET,
        PORT: String(await freePort()),
        SLACK_API_URL: `http://127.0.0.1:${closed}/api/`,
        LOG_LEVEL: 'silent',
      },
    });
    expect(code).toBe(EXIT.usage);
    expect(stderr.text.trim()).toBe(
      `Cannot reach Slack: POST http://127.0.0.1:${closed}/api/auth.test failed after 3 attempts (fetch failed: ECONNREFUSED). Check the network, a proxy or firewall between the bot and Slack, and SLACK_API_URL.`,
    );
    expect(Date.now() - started).toBeLessThan(25_000);
    await expect(readdir(path.join(path.dirname(configPath), 'data'))).resolves.not.toContain('audit-db.json.lock');
  });

  it('stops with what to check when Slack refuses the bot token', async () => {
    stub.on('auth.test', () => ({ ok: false, error: 'invalid_auth' }));
    const stderr = sink();
    const code = await runCli(['serve'], {
      stdout: sink(),
      stderr,
      env: {
        AUDIT_CONFIG: configPath,
        SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
        SLACK_SIGNING_SECRET: SECRET,
        PORT: String(await freePort()),
        SLACK_API_URL: stub.apiUrl,
        LOG_LEVEL: 'silent',
      },
    });
    stub.reset();
    expect(code).toBe(EXIT.usage);
    expect(stderr.text).toContain("Slack refused SLACK_BOT_TOKEN (auth.test answered invalid_auth): check that it is this app's token");
  });

  it('refuses to start on a database it cannot read, and leaves the file as it was', async () => {
    const data = path.join(path.dirname(configPath), 'data');
    await mkdir(data, { recursive: true });
    await writeFile(path.join(data, 'audit-db.json'), '{ not json');
    const stderr = sink();
    const code = await runCli(['serve'], {
      stdout: sink(),
      stderr,
      env: {
        AUDIT_CONFIG: configPath,
        SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
        SLACK_SIGNING_SECRET: SECRET,
        PORT: String(await freePort()),
        SLACK_API_URL: stub.apiUrl,
        LOG_LEVEL: 'silent',
      },
    });
    expect(code).toBe(EXIT.usage);
    expect(stderr.text).toContain('audit-db.json is not valid JSON');
    expect(await readFile(path.join(data, 'audit-db.json'), 'utf8')).toBe('{ not json');
    expect(await readdir(data)).toEqual(['audit-db.json']);
  });
});

describe('the digest in the running bot', () => {
  it('posts a digest missed while the bot was down at start-up (once), and /audit digest posts one now (auditors only)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'audit-serve-digest-'));
    const config = path.join(dir, 'audit.config.yml');
    await writeFile(
      config,
      [
        'accounts:',
        '  - alias: sandbox',
        '    accountId: "123456789012"',
        '    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly',
        '    regions: [us-east-1]',
        'access:',
        '  auditors: [U0ALICE01]',
        'digest:',
        '  channel: C0DIGEST1',
        '  schedule: "0 9 * * 1"',
        '  timezone: UTC',
        'store:',
        '  path: state/db.json',
        '',
      ].join('\n'),
    );
    // The bot was down on Monday the 16th: that digest is still due. A finding opened in the week before.
    const db = path.join(dir, 'state', 'db.json');
    await mkdir(path.dirname(db), { recursive: true });
    const seeded = {
      schemaVersion: 1,
      scans: [],
      findings: [
        {
          fingerprint: 'a'.repeat(32),
          checkId: 'iam.user-console-mfa',
          accountId: '123456789012',
          region: 'global',
          resourceId: 'missed-week-user',
          severity: 'high',
          message: 'User missed-week-user can sign in without MFA.',
          firstSeen: '2026-11-12T10:00:00.000Z',
          lastSeen: '2026-11-12T10:00:00.000Z',
          resolvedAt: null,
          reopenedAt: null,
        },
      ],
      mutes: [],
      actions: [],
      digest: {
        cursor: '2026-11-09T09:00:00.000Z',
        lastPostedAt: '2026-11-09T09:00:05.000Z',
        due: { at: '2026-11-16T09:00:00.000Z', schedule: '0 9 * * 1', timezone: 'UTC' },
        totals: {},
      },
    };
    await writeFile(db, JSON.stringify(seeded));

    const port = await freePort();
    const env = {
      AUDIT_CONFIG: config,
      SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
      SLACK_SIGNING_SECRET: SECRET,
      PORT: String(port),
      SLACK_API_URL: stub.apiUrl,
      LOG_LEVEL: 'silent',
    };
    // AWS answers nothing here (the SDK reads these from the process): every check is an error entry, never a pass.
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:9');
    vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
    const checks = ALL_CHECKS.filter((c) => c.id === 'iam.password-policy');
    stub.reset();
    const digestPosts = () => stub.callsOf('chat.postMessage').filter((c) => c.args.channel === 'C0DIGEST1' && c.args.thread_ts === undefined);

    const signals = new EventEmitter();
    const exit = runCli(['serve'], { stdout: sink(), stderr: sink(), env, sessions: fakeSessions(), signals, checks });
    await stub.waitFor(() => digestPosts().length === 1, 'the missed digest', 15_000);
    const missed = JSON.stringify(digestPosts()[0]!.args);
    expect(missed).toContain('missed-week-user');
    expect(missed).toMatch(/could not (be checked|run)/i);

    // /audit digest: refused to a non-auditor; an auditor gets one posted now.
    const url = `http://127.0.0.1:${port}/slack/events`;
    const refusal = stub.responseUrl();
    await signedPost(url, SECRET, slashCommandBody({ text: 'digest', response_url: refusal, user_id: 'U0MALLORY' }));
    const asked = stub.responseUrl();
    await signedPost(url, SECRET, slashCommandBody({ text: 'digest', response_url: asked, user_id: 'U0ALICE01' }));
    const answers = (u: string) => stub.responseUrlPosts.filter((p) => p.id === u.split('/').pop()).map((p) => String(p.body.text));
    await stub.waitFor(() => answers(asked).some((t) => t.includes('The digest is in')), 'the /audit digest answer', 15_000);
    expect(answers(asked)[0]).toContain('Preparing the digest');
    expect(answers(refusal)).toEqual([expect.stringContaining('access.auditors')]);
    expect(digestPosts()).toHaveLength(2);
    // Nothing new since the catch-up: the second digest is quiet.
    expect(String(digestPosts()[1]!.args.text)).toMatch(/quiet/i);

    signals.emit('SIGTERM');
    expect(await exit).toBe(EXIT.clean);
    const stored = JSON.parse(await readFile(db, 'utf8')) as { digest: { cursor: string; due: { at: string } } };
    expect(Date.parse(stored.digest.cursor)).toBeGreaterThan(Date.parse('2026-11-16T09:00:00.000Z'));
    expect(Date.parse(stored.digest.due.at)).toBeGreaterThan(Date.now());

    // Restarted: the missed digest was posted already; nothing more at start-up.
    const again = new EventEmitter();
    const second = runCli(['serve'], {
      stdout: sink(),
      stderr: sink(),
      env: { ...env, PORT: String(await freePort()) },
      sessions: fakeSessions(),
      signals: again,
      checks,
    });
    await new Promise((r) => setTimeout(r, 1_000));
    again.emit('SIGTERM');
    expect(await second).toBe(EXIT.clean);
    expect(digestPosts()).toHaveLength(2);
    vi.unstubAllEnvs();
  }, 40_000);
});
