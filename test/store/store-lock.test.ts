/**
 * The database lock across processes and PID namespaces, as operators run
 * the bot: the bot in one container and `aws-audit-bot digest` (a
 * Kubernetes CronJob) in another, both PID 1, on one volume. Each holder is
 * a real process (test/fixtures/hold-store.mjs over the built store); the
 * namespaces come from `unshare --pid --fork` (root only: skipped, and said
 * so, where it is not allowed).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actionEntry } from '../helpers/store.js';
import { FileStore } from '../../src/store/store.js';
import { PROCESS_TEST_TIMEOUT_MS, runCliProcess } from '../helpers/cli-process.js';

const FIXTURE = path.resolve('test/fixtures/hold-store.mjs');
const STALE_MS = 5_000;
const canUnshare = spawnSync('unshare', ['--pid', '--fork', 'true']).status === 0;

let dir: string;
let file: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'audit-lock-'));
  file = path.join(dir, 'audit-db.json');
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

interface Holder {
  child: ChildProcess;
  /** When it was spawned: its lock cannot go stale before this plus STALE_MS, however slow the machine. */
  spawnedAt: number;
  /** The next line the holder prints. */
  next(): Promise<string>;
  send(line: string): void;
}

function holder(options: { namespace?: boolean } = {}): Holder {
  // --kill-child: killing unshare kills the namespace's PID 1 with it, as killing a container does.
  const command = options.namespace ? ['unshare', '--pid', '--fork', '--kill-child=SIGKILL', process.execPath] : [process.execPath];
  const spawnedAt = Date.now();
  const child = spawn(command[0]!, [...command.slice(1), FIXTURE, file, String(STALE_MS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const w = waiting.shift();
    if (w) w(line);
    else lines.push(line);
  });
  return {
    child,
    spawnedAt,
    next: () => (lines.length ? Promise.resolve(lines.shift()!) : new Promise((resolve) => waiting.push(resolve))),
    send: (line) => child.stdin!.write(`${line}\n`),
  };
}

const actions = async () => (JSON.parse(await readFile(file, 'utf8')) as { actions: { id: string }[] }).actions.map((a) => a.id);

describe('the database lock between processes', () => {
  it(
    'refuses a second process while the first is alive, within a heartbeat, and names the holder',
    async () => {
      const bot = holder();
      expect(await bot.next()).toMatch(/^locked \d+$/);
      const other = holder();
      const refused = await other.next();
      expect(refused).toContain('refused STORE_LOCKED');
      expect(refused).toContain(`is in use by another bot (host ${os.hostname()}, process ${bot.child.pid}`);
      // The holder still holds it and writes.
      bot.send('write after-refusal');
      expect(await bot.next()).toBe('wrote after-refusal');
      expect(await actions()).toEqual(['after-refusal']);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'takes over the lock of a holder killed with SIGKILL once it is stale, with no file to delete',
    async () => {
      const crashed = holder();
      expect(await crashed.next()).toMatch(/^locked/);
      crashed.child.kill('SIGKILL');
      await new Promise((resolve) => crashed.child.once('exit', resolve));
      const next = await FileStore.open(file, { staleMs: STALE_MS });
      // It waited for the lock to go stale: no sooner than the dead holder's last refresh allowed.
      expect(Date.now() - crashed.spawnedAt).toBeGreaterThanOrEqual(STALE_MS);
      await next.update((d) => void d.actions.push(actionEntry('after-crash')));
      await next.close();
      expect(await actions()).toEqual(['after-crash']);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});

describe.skipIf(!canUnshare)('the database lock across PID namespaces (two containers, each process PID 1)', () => {
  it(
    'refuses `aws-audit-bot digest` in another PID namespace while the bot holds the lock as PID 1 there',
    async () => {
      const bot = holder({ namespace: true });
      expect(await bot.next()).toBe('locked 1');
      bot.send('write before');
      expect(await bot.next()).toBe('wrote before');
      const config = path.join(dir, 'audit.config.yml');
      await writeFile(
        config,
        'accounts:\n  - alias: prod\n    accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly\n    regions: [us-east-1]\nstore:\n  path: audit-db.json\n',
      );
      const before = await readFile(file, 'utf8');
      const digest = await runCliProcess(['digest', '--dry-run'], {
        env: {
          PATH: process.env.PATH ?? '',
          AUDIT_CONFIG: config,
          AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
          AWS_ACCESS_KEY_ID: 'AKIABOTBOTBOTBOTBOTB',
          AWS_SECRET_ACCESS_KEY: 'x',
          AWS_REGION: 'us-east-1',
        },
        prefix: ['unshare', '--pid', '--fork'],
      });
      expect(digest.code).toBe(2);
      expect(digest.stderr).toContain('is in use by another bot (host');
      expect(digest.stderr).toContain('process 1,');
      // Nothing written, and the bot's lock is still its own: it goes on writing.
      expect(await readFile(file, 'utf8')).toBe(before);
      bot.send('write still-mine');
      expect(await bot.next()).toBe('wrote still-mine');
      bot.send('close');
      expect(await bot.next()).toBe('closed');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'lets a PID 1 in a new namespace take over from a crashed PID 1 of another, and refuses while that one lives',
    async () => {
      const first = holder({ namespace: true });
      expect(await first.next()).toBe('locked 1');
      const second = holder({ namespace: true });
      expect(await second.next()).toMatch(/^refused STORE_LOCKED: .*process 1,/);
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));
      const third = holder({ namespace: true });
      expect(await third.next()).toBe('locked 1');
      // Taken over because its heartbeat stopped, not because anything removed it.
      expect(Date.now() - first.spawnedAt).toBeGreaterThanOrEqual(STALE_MS);
      third.send('write taken-over');
      expect(await third.next()).toBe('wrote taken-over');
      expect(await actions()).toEqual(['taken-over']);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
