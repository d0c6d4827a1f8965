/**
 * `aws-audit-bot digest` as a process, against the local Slack stub: a crash
 * between Slack accepting the digest and the cursor being written (the
 * process is killed while Slack's answer is on its way) re-posts the same
 * window next time, never skips it; `--dry-run` prints and moves nothing.
 * AWS is unreachable here, so the account is reported as not audited, with why.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROCESS_TEST_TIMEOUT_MS, runCliProcess, type CliRun } from '../helpers/cli-process.js';
import { SlackStub } from '../helpers/slack.js';

const stub = new SlackStub();
let dir: string;
let db: string;

beforeAll(async () => {
  await stub.start();
  dir = await mkdtemp(path.join(os.tmpdir(), 'audit-digest-cli-'));
  db = path.join(dir, 'db.json');
  await writeFile(
    path.join(dir, 'audit.config.yml'),
    'accounts:\n  - alias: prod\n    accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly\n    regions: [us-east-1]\ndigest:\n  channel: C0DIGEST1\nstore:\n  path: db.json\n',
  );
  await writeFile(
    db,
    JSON.stringify({
      schemaVersion: 1,
      scans: [],
      findings: [
        {
          fingerprint: 'b'.repeat(32),
          checkId: 'ec2.sg-risky-ports',
          accountId: '123456789012',
          region: 'us-east-1',
          resourceId: 'sg-0seeded',
          severity: 'critical',
          message: 'SSH (22) is open to 0.0.0.0/0.',
          firstSeen: '2026-11-12T10:00:00.000Z',
          lastSeen: '2026-11-12T10:00:00.000Z',
          resolvedAt: null,
          reopenedAt: null,
        },
      ],
      mutes: [],
      actions: [],
      digest: { cursor: '2026-11-09T09:00:00.000Z', lastPostedAt: '2026-11-09T09:00:05.000Z', due: null, totals: {} },
    }),
  );
});

afterAll(() => stub.stop());
beforeEach(() => stub.reset());

let child: ChildProcess | undefined;

function digest(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCliProcess(['digest', ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      AUDIT_CONFIG: path.join(dir, 'audit.config.yml'),
      SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
      SLACK_API_URL: stub.apiUrl,
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: 'AKIABOTBOTBOTBOTBOTB',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_REGION: 'us-east-1',
      AWS_MAX_ATTEMPTS: '1',
      ...env,
    },
    onChild: (c) => (child = c),
  });
}

const cursor = async () => (JSON.parse(await readFile(db, 'utf8')) as { digest: { cursor: string | null } }).digest.cursor;
const mains = () => stub.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === undefined);

describe('aws-audit-bot digest', () => {
  it(
    're-posts the same window after a crash between the post and the cursor write; never skips',
    async () => {
      // Slack takes the message, and the bot dies before it hears back.
      stub.on('chat.postMessage', () => {
        child?.kill('SIGKILL');
        return { ok: true, channel: 'C0DIGEST1', ts: '1700000000.000100' };
      });
      const crashed = await digest([]);
      expect(crashed.signal).toBe('SIGKILL');
      expect(mains()).toHaveLength(1);
      expect(JSON.stringify(mains()[0]!.args)).toContain('sg-0seeded');
      expect(await cursor()).toBe('2026-11-09T09:00:00.000Z');

      stub.reset();
      const again = await digest([]);
      expect(again.stderr).toContain('Posted the digest in C0DIGEST1 (1 account could not be audited)');
      // Posted, but its only account could not be audited: not a success for a scheduler to ignore.
      expect(again.stderr).toContain('No account could be audited (1 of 1)');
      expect(again.code).toBe(3);
      expect(mains()).toHaveLength(1);
      const posted = JSON.stringify(mains()[0]!.args);
      expect(posted).toContain('sg-0seeded');
      // The account could not be audited (AWS is unreachable), and the digest says so and why.
      expect(posted).toMatch(/Could not audit/);
      expect(posted).toContain('prod');
      expect(Date.parse((await cursor())!)).toBeGreaterThan(Date.parse('2026-11-12T10:00:00.000Z'));
    },
    PROCESS_TEST_TIMEOUT_MS * 2,
  );

  it(
    '--dry-run prints the digest and moves no cursor; posting needs SLACK_BOT_TOKEN',
    async () => {
      const before = await cursor();
      const dry = await digest(['--dry-run'], { SLACK_BOT_TOKEN: '' });
      expect(dry.code).toBe(3);
      expect(dry.stdout).toContain('Security digest');
      expect(dry.stdout).toMatch(/Could not audit/);
      expect(dry.stdout).not.toContain('<!date^');
      expect(dry.stderr).toContain('Dry run: nothing was posted and the digest cursor did not move.');
      expect(stub.calls).toHaveLength(0);
      expect(await cursor()).toBe(before);

      const noToken = await digest([], { SLACK_BOT_TOKEN: '' });
      expect(noToken.code).toBe(2);
      expect(noToken.stderr).toContain('SLACK_BOT_TOKEN is not set');
      expect(stub.calls).toHaveLength(0);
    },
    PROCESS_TEST_TIMEOUT_MS * 2,
  );

  it(
    'stops on a store.path that holds JSON of something else, and leaves it byte for byte',
    async () => {
      const other = await mkdtemp(path.join(os.tmpdir(), 'audit-not-a-store-'));
      const packageJson = await readFile('package.json', 'utf8');
      for (const content of [packageJson, '{}']) {
        await writeFile(path.join(other, 'db.json'), content);
        await writeFile(
          path.join(other, 'audit.config.yml'),
          'accounts:\n  - alias: prod\n    accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly\n    regions: [us-east-1]\nstore:\n  path: db.json\n',
        );
        const run = await digest(['--dry-run'], { AUDIT_CONFIG: path.join(other, 'audit.config.yml') });
        expect(run.code).toBe(2);
        expect(run.stderr).toContain('is not a database of this bot (it has no numeric schemaVersion');
        expect(await readFile(path.join(other, 'db.json'), 'utf8')).toBe(content);
      }
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
