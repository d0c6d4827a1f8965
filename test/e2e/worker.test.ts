/**
 * The job queue with real processes: `aws-audit-bot digest --dry-run` on
 * PostgreSQL enqueues one job per account; `aws-audit-bot worker`
 * processes take them from the local AWS stand-in. A worker killed with
 * SIGKILL in the middle of its jobs: they are failed once their time limit
 * passes and taken up by another worker; each account's scan is recorded
 * once, under its job's id.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/store.js';
import { databaseUrl, freshSchema } from '../helpers/backends.js';
import { CLI_ENTRY, runCliProcess } from '../helpers/cli-process.js';
import { LocalAws } from '../helpers/local-aws.js';

const aws = new LocalAws();
let dir: string;
let schema: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  await aws.start();
  dir = await mkdtemp(path.join(os.tmpdir(), 'audit-worker-'));
  schema = freshSchema();
  const account = (alias: string) =>
    `  - alias: ${alias}\n    accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly\n    regions: [us-east-1]\n`;
  await writeFile(
    path.join(dir, 'audit.config.yml'),
    `accounts:\n${account('prod')}${account('prod-eu')}${account('prod-us')}` +
      `store:\n  url: ${databaseUrl()}\n  schema: ${schema}\n` +
      'audit:\n  requestTimeoutSeconds: 60\n  timeoutSeconds: 120\n' +
      'queue:\n  concurrency: 2\n  jobTimeoutSeconds: 15\n  retries: 3\n  retryDelaySeconds: 1\n  maintenanceSeconds: 1\n',
  );
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await aws.stop();
  const store = await PostgresStore.open(databaseUrl(), { schema });
  await store.dropSchema();
  await store.close();
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`);
  await client.end();
});

const env = () => ({
  PATH: process.env.PATH ?? '',
  AUDIT_CONFIG: path.join(dir, 'audit.config.yml'),
  AWS_ENDPOINT_URL: aws.endpoint,
  AWS_ACCESS_KEY_ID: 'AKIABOTBOTBOTBOTBOTB',
  AWS_SECRET_ACCESS_KEY: 'secret',
  AWS_REGION: 'us-east-1',
  AWS_MAX_ATTEMPTS: '1',
});

/** A worker process; resolves once it logged that it takes jobs. */
function worker(): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, [CLI_ENTRY, 'worker'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (out.includes('worker taking jobs')) {
        clearInterval(timer);
        resolve({ child, log: () => out });
      }
      if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`the worker exited: ${out}`));
      }
    }, 50);
  });
}

async function jobRows(): Promise<{ id: string; state: string; retry_count: number; data: { alias: string } }[]> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    const q = `SELECT id::text, state::text, retry_count, data FROM "${schema}_jobs".job UNION ALL SELECT id::text, state::text, retry_count, data FROM "${schema}_jobs".archive`;
    return (await client.query(q)).rows;
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('audit jobs over worker processes (PostgreSQL)', () => {
  it('takes up the jobs of a worker killed mid-audit in another worker, each scan recorded once under its job', async () => {
    const first = await worker();
    // AWS answers nothing for now: the first worker's audits hang in flight.
    aws.intercept = () => true;
    const digest = runCliProcess(['digest', '--dry-run'], { env: env(), timeoutMs: 170_000 });
    // The first worker takes two jobs (its concurrency); the third waits.
    const end = Date.now() + 60_000;
    while ((await jobRows().catch(() => [])).filter((j) => j.state === 'active').length < 2 && Date.now() < end) await sleep(100);
    expect((await jobRows()).filter((j) => j.state === 'active')).toHaveLength(2);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    aws.intercept = undefined;
    const second = await worker();

    const run = await digest;
    expect(run.stderr).not.toContain('could not be audited');
    expect(run.code).toBe(0);
    // The digest names the account (its three aliases are one account).
    expect(run.stdout).toContain('prod');

    const jobs = await jobRows();
    expect(jobs).toHaveLength(3);
    expect(jobs.every((j) => j.state === 'completed')).toBe(true);
    // The two the killed worker had were failed by their time limit and taken again.
    expect(jobs.filter((j) => j.retry_count > 0).length).toBeGreaterThanOrEqual(2);
    const store = await PostgresStore.open(databaseUrl(), { schema });
    try {
      const scans = await store.scans();
      // One scan per job, under the job's id: nothing recorded twice, nothing lost.
      expect(scans.map((s) => s.id).sort()).toEqual(jobs.map((j) => j.id).sort());
      expect(scans.map((s) => s.alias).sort()).toEqual(['prod', 'prod-eu', 'prod-us']);
    } finally {
      await store.close();
    }
    expect(second.log()).toContain('job done');

    // SIGTERM: the worker stops taking jobs, says so, and exits cleanly.
    second.child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => second.child.once('exit', r));
    expect(code).toBe(0);
    expect(second.log()).toContain('worker stopped');
  }, 180_000);

  it("runs /audit from Slack as a job: serve, with no worker process, takes it itself and posts the report from the job's result", async () => {
    const { EventEmitter } = await import('node:events');
    const { runCli } = await import('../../src/cli.js');
    const { SlackStub, signedPost, slashCommandBody } = await import('../helpers/slack.js');
    const { fakeSessions } = await import('../helpers/aws.js');
    const http = await import('node:http');
    const slack = new SlackStub();
    await slack.start();
    const free = http.createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
    const port = (free.address() as { port: number }).port;
    await new Promise((r) => free.close(r));
    const SECRET = '0123456789abcdef0123456789abcdef';
    const signals = new EventEmitter();
    // In this process the SDK reads the endpoint from process.env.
    vi.stubEnv('AWS_ENDPOINT_URL', aws.endpoint);
    const quiet = { write: (t: string) => (process.env.DEBUG_WORKER_TEST ? process.stderr.write(t) : true), isTTY: false };
    const served = runCli(['serve'], {
      stdout: quiet,
      stderr: quiet,
      env: {
        ...env(),
        SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
        SLACK_SIGNING_SECRET: SECRET,
        PORT: String(port),
        SLACK_API_URL: slack.apiUrl,
        LOG_LEVEL: process.env.DEBUG_WORKER_TEST ? 'info' : 'silent',
      },
      sessions: fakeSessions(),
      signals,
    });
    try {
      const url = `http://127.0.0.1:${port}/slack/events`;
      const before = (await jobRows()).length;
      let answer: Awaited<ReturnType<typeof signedPost>> | undefined;
      for (let i = 0; i < 200 && !answer; i++) {
        answer = await signedPost(url, SECRET, slashCommandBody({ text: 'prod', response_url: slack.responseUrl() })).catch(() => undefined);
        if (!answer) await sleep(50);
      }
      expect(answer?.status).toBe(200);
      const end = Date.now() + 60_000;
      const report = () => slack.callsOf('chat.postMessage').find((c) => JSON.stringify(c.args).includes('prod'));
      while (!report() && Date.now() < end) await sleep(100);
      expect(report()).toBeDefined();
      // It went through the queue: one more job, done, asking for its result; its scan is recorded under the job's id.
      const jobs = await jobRows();
      expect(jobs.length).toBe(before + 1);
      const job = jobs.find((j) => (j.data as { wantResult?: boolean }).wantResult === true)!;
      expect(job.state).toBe('completed');
      const store = await PostgresStore.open(databaseUrl(), { schema });
      try {
        expect((await store.scans({ id: job.id })).map((x) => x.alias)).toEqual(['prod']);
      } finally {
        await store.close();
      }
    } finally {
      signals.emit('SIGTERM');
      await served;
      await slack.stop();
      vi.unstubAllEnvs();
    }
  }, 120_000);

  it('refuses to start on the JSON file, saying what to set', async () => {
    const json = path.join(dir, 'file.config.yml');
    await writeFile(json, 'accounts:\n  - alias: prod\n    accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly\n');
    const run = await runCliProcess(['--config', json, 'worker'], { env: { ...env(), AUDIT_CONFIG: json } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('takes its jobs from PostgreSQL');
    expect(run.stderr).toContain('set store.url (or DATABASE_URL)');
  }, 60_000);
});
