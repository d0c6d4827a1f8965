/**
 * `npm run bench`: what users run, measured as they run it. The built CLI
 * (package.json's bin) runs as a child process against a local HTTP
 * stand-in for AWS (bench/aws-server.ts: each service in its own protocol,
 * a synthetic account, every answer after BENCH_DELAYS ms), reached through
 * the SDK's own endpoint override (AWS_ENDPOINT_URL). Each scenario runs
 * BENCH_RUNS times (default 3) and prints the median and range of wall time,
 * CPU (user + system) and peak RSS of the whole process, start-up included,
 * the AWS calls by operation, and the share of the audit's span with no call
 * in flight. Targets are checked at 50 ms per call; a missed one is printed
 * as MISSED (a benchmark, not a test: it exits 0 then).
 *
 * Scenarios: `--help` and `accounts` start-up; the small team account (25
 * regions, 16 users, 10 buckets); the large account (1,000 users, 17 regions
 * × 300 security groups and instances, 300 buckets, load balancers, zones,
 * distributions); the bot (`serve`) idle after start and one `/audit` of the
 * small account through Slack's signed request path. BENCH_ONLY=help,accounts,
 * small,large,bot runs only those.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AwsStandIn, type StandInStats } from './aws-server.js';
import { CLI, startCli } from './cli-process.js';

const root = path.resolve(import.meta.dirname, '..');
import { FakeAws } from './fake-aws.js';
import { TEAM_ACCOUNT, describeAccount, smallAccount, wholeAccount, type SyntheticAccount } from './synthetic.js';
import { SlackStub, signedPost, slashCommandBody } from '../test/helpers/slack.js';

function envNumber(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    console.error(`${name} must be a whole number >= ${min}, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

const RUNS = envNumber('BENCH_RUNS', 3, 1);
const DELAYS = (process.env.BENCH_DELAYS ?? '0,50').split(',').map((d) => {
  const n = Number(d.trim());
  if (!Number.isFinite(n) || n < 0 || d.trim() === '') {
    console.error(`BENCH_DELAYS must be a comma-separated list of milliseconds >= 0, got ${JSON.stringify(process.env.BENCH_DELAYS)}`);
    process.exit(2);
  }
  return n;
});
/** Targets hold at this delay per call. */
const TARGET_DELAY = 50;
const MiB = 1024 * 1024;
const SIGNING_SECRET = '0123456789abcdef0123456789abcdef';

// ---------------------------------------------------------------- one process

const workDir = mkdtempSync(path.join(os.tmpdir(), 'aws-audit-bench-'));

function awsEnv(endpoint: string, configPath: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: workDir,
    AUDIT_CONFIG: configPath,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'AKIABENCHBENCHBENCH0',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    LOG_LEVEL: 'warn',
  };
}

function writeConfig(name: string, account: SyntheticAccount, thresholds = ''): string {
  const dir = mkdtempSync(path.join(workDir, `${name}-`));
  const file = path.join(dir, 'audit.config.yml');
  // No regions: the audit discovers the enabled ones, as for an account configured without a list.
  writeFileSync(
    file,
    `accounts:\n  - alias: ${account.name}\n    accountId: "${account.accountId}"\n    roleArn: arn:aws:iam::${account.accountId}:role/AuditReadOnly\n${thresholds}`,
  );
  return file;
}

// ---------------------------------------------------------------- figures

interface Sample {
  wallMs: number;
  cpuMs: number;
  rssMiB: number;
  aws?: StandInStats;
  findings?: number;
  errors?: number;
  /** Bot scenario: RSS after start-up, idle. */
  idleRssMiB?: number;
  /** Bot scenario: from the signed /audit request to the report's last word. */
  auditMs?: number;
  /** Bot scenario: from spawn to /healthz answering. */
  readyMs?: number;
}

interface Limit {
  label: string;
  value: (s: Sample) => number | undefined;
  max: number;
  unit: string;
}

interface Outcome {
  name: string;
  delay: number | undefined;
  samples: Sample[];
  limits: Limit[];
  notes: string[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

function spread(samples: Sample[], pick: (s: Sample) => number | undefined, digits = 0): string {
  const xs = samples.map(pick).filter((x): x is number => x !== undefined && Number.isFinite(x));
  if (xs.length === 0) return 'n/a';
  if (xs.length === 1) return fmt(xs[0]!, digits);
  return `${fmt(median(xs), digits)} (${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)})`;
}

function missed(o: Outcome): string[] {
  if (o.delay !== undefined && o.delay !== TARGET_DELAY) return [];
  return o.limits.flatMap((l) => {
    const xs = o.samples.map(l.value).filter((x): x is number => x !== undefined);
    if (xs.length === 0) return [`${l.label}: not measured`];
    const m = median(xs);
    return m > l.max ? [`${l.label} ${fmt(m, l.unit === 'MiB' ? 1 : 0)} ${l.unit} > ${fmt(l.max)} ${l.unit}`] : [];
  });
}

function printOutcome(o: Outcome): void {
  const delay = o.delay === undefined ? '' : ` at ${o.delay} ms per AWS call`;
  console.log(`\n== ${o.name}${delay} (${o.samples.length} run${o.samples.length === 1 ? '' : 's'}: median (min–max))`);
  for (const note of o.notes) console.log(`   ${note}`);
  const s = o.samples;
  if (s[0]?.readyMs !== undefined)
    console.log(`   ready (spawn → /healthz answers) ${spread(s, (x) => x.readyMs)} ms; idle RSS ${spread(s, (x) => x.idleRssMiB, 1)} MiB`);
  if (s[0]?.auditMs !== undefined) console.log(`   /audit (signed request → report posted) ${spread(s, (x) => x.auditMs)} ms`);
  console.log(`   wall ${spread(s, (x) => x.wallMs)} ms; CPU ${spread(s, (x) => x.cpuMs)} ms; peak RSS ${spread(s, (x) => x.rssMiB, 1)} MiB`);
  const aws = s.map((x) => x.aws).filter((x): x is StandInStats => x !== undefined);
  if (aws.length) {
    const last = aws.at(-1)!;
    console.log(
      `   AWS calls ${fmt(last.calls)}; most in flight ${last.peakInFlight}; span ${spread(s, (x) => x.aws?.spanMs)} ms, idle (no call in flight) ${spread(s, (x) => (x.aws && x.aws.spanMs > 0 ? (100 * x.aws.idleMs) / x.aws.spanMs : undefined), 1)} %`,
    );
    if (s[0]?.findings !== undefined) console.log(`   findings ${fmt(s.at(-1)!.findings ?? 0)}; errors ${fmt(s.at(-1)!.errors ?? 0)}`);
    console.log(`   TCP connections opened: ${fmt(last.connections)}`);
    // When each operation ran, in the last run: the critical path is the chain of dependent round trips.
    const ops = Object.entries(last.byOperation).sort(([a], [b]) => (last.timeline[a]?.first ?? 0) - (last.timeline[b]?.first ?? 0) || a.localeCompare(b));
    console.log('   calls by operation (count, first request → last answer, ms into the span of the last run):');
    for (const [op, n] of ops) {
      const t = last.timeline[op];
      console.log(`     ${op.padEnd(48)} ${String(n).padStart(6)}   ${t ? `${fmt(t.first)} → ${fmt(t.last)}` : ''}`);
    }
    const problems = aws.flatMap((a) => a.problems);
    if (problems.length) {
      console.log(`   STAND-IN PROBLEMS (fix bench/, the figures above are not trustworthy): ${problems.length}`);
      for (const p of [...new Set(problems)].slice(0, 10)) console.log(`     ${p}`);
    }
  }
  const errors = s.find((x) => (x.errors ?? 0) > 0);
  if (errors) console.log('   ERRORS in the audit: the stand-in or a check misreads AWS; figures with errors understate the cost');
  const m = missed(o);
  if (o.limits.length && (o.delay === undefined || o.delay === TARGET_DELAY)) {
    console.log(`   targets (${o.limits.map((l) => `${l.label} ≤ ${fmt(l.max)} ${l.unit}`).join(', ')}): ${m.length ? `MISSED: ${m.join('; ')}` : 'OK'}`);
  }
}

// ---------------------------------------------------------------- scenarios

async function startUp(name: string, args: string[], configPath: string, limits: Limit[]): Promise<Outcome> {
  const samples: Sample[] = [];
  const runs = Math.max(RUNS, 5);
  for (let i = 0; i < runs; i++) {
    const run = await startCli(args, awsEnv('http://127.0.0.1:9', configPath), workDir).done;
    if (run.code !== 0) throw new Error(`${args.join(' ')} exited ${run.code}: ${run.stderr}`);
    samples.push({ wallMs: run.wallMs, cpuMs: run.cpuMs, rssMiB: run.rssMiB });
  }
  return { name, delay: undefined, samples, limits, notes: [] };
}

async function audit(name: string, make: () => SyntheticAccount, delay: number, limits: Limit[], thresholds = ''): Promise<Outcome> {
  const aws = new AwsStandIn(delay);
  await aws.start();
  const samples: Sample[] = [];
  let description = '';
  try {
    for (let i = 0; i < RUNS; i++) {
      const account = make();
      description = describeAccount(account);
      const configPath = writeConfig(name.split(' ')[0]!.toLowerCase(), account, thresholds);
      aws.serve(new FakeAws(account));
      const run = await startCli(['audit', account.name, '--format', 'json'], awsEnv(aws.endpoint, configPath), workDir).done;
      let findings: number | undefined;
      let errors: number | undefined;
      try {
        const json = JSON.parse(run.stdout) as { findings: unknown[]; errors: { checkId: string; region: string; code: string; message: string }[] };
        findings = json.findings.length;
        errors = json.errors.length;
        if (i === 0) for (const e of json.errors.slice(0, 10)) console.log(`   error: ${e.checkId} @ ${e.region}: ${e.code}: ${e.message.slice(0, 200)}`);
      } catch {
        throw new Error(
          `audit printed no JSON (exit ${run.code}, ${run.stdout.length} characters: ${run.stdout.slice(0, 200)} … ${run.stdout.slice(-200)}): ${run.stderr.slice(0, 2000)}`,
        );
      }
      samples.push({ wallMs: run.wallMs, cpuMs: run.cpuMs, rssMiB: run.rssMiB, aws: aws.stats(), findings, errors });
    }
  } finally {
    await aws.stop();
  }
  return { name, delay, samples, limits, notes: [`account: ${description}`] };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** VmRSS of a running process, from /proc (Linux). */
function currentRssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? (Number(kb) * 1024) / MiB : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function bot(delay: number, limits: Limit[]): Promise<Outcome> {
  const aws = new AwsStandIn(delay);
  const slack = new SlackStub();
  await Promise.all([aws.start(), slack.start()]);
  const samples: Sample[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const account = smallAccount(3, TEAM_ACCOUNT);
      const configPath = writeConfig('bot', account);
      aws.serve(new FakeAws(account));
      slack.reset();
      const port = await freePort();
      const env = {
        ...awsEnv(aws.endpoint, configPath),
        SLACK_BOT_TOKEN: 'xoxb-1-2-bench',
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        PORT: String(port),
        SLACK_API_URL: slack.apiUrl,
      };
      const spawned = performance.now();
      const { child, done } = startCli(['serve'], env, workDir);
      let readyMs: number | undefined;
      // A busy machine may take a while to start the bot: up to a minute.
      for (let tries = 0; tries < 6_000 && readyMs === undefined; tries++) {
        const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) readyMs = performance.now() - spawned;
        else await sleep(10);
      }
      if (readyMs === undefined) {
        child.kill('SIGKILL');
        const run = await done;
        throw new Error(`the bot did not answer /healthz within a minute: ${run.stderr.slice(0, 2000)}`);
      }
      // Idle: what a bot waiting for its first command holds.
      await sleep(2_000);
      const idleRssMiB = currentRssMiB(child.pid!);
      const responseUrl = slack.responseUrl();
      const responseId = responseUrl.split('/').pop()!;
      const asked = performance.now();
      const answer = await signedPost(
        `http://127.0.0.1:${port}/slack/events`,
        SIGNING_SECRET,
        slashCommandBody({ text: account.name, response_url: responseUrl }),
      );
      if (answer.status !== 200) throw new Error(`/audit answered ${answer.status}: ${answer.body}`);
      const final = () => slack.responseUrlPosts.filter((p) => p.id === responseId && !String(p.body.text).includes('Auditing'));
      await slack.waitFor(() => final().length > 0, 'the report of /audit', 120_000);
      const auditMs = performance.now() - asked;
      const stats = aws.stats();
      child.kill('SIGTERM');
      const run = await done;
      samples.push({
        wallMs: run.wallMs,
        cpuMs: run.cpuMs,
        rssMiB: run.rssMiB,
        aws: stats,
        readyMs,
        ...(idleRssMiB !== undefined ? { idleRssMiB } : {}),
        auditMs,
      });
    }
  } finally {
    await Promise.all([aws.stop(), slack.stop()]);
  }
  return {
    name: 'Bot (serve): idle after start, then one /audit of the small account',
    delay,
    samples,
    limits,
    notes: ['wall, CPU and peak RSS are the whole bot process: start, 2 s idle, the /audit, a graceful stop'],
  };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  console.log(
    `aws-audit-bot process benchmark: ${path.relative(root, CLI)} under Node ${process.version} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${fmt(os.totalmem() / 1024 ** 3)} GiB; ${RUNS} runs per scenario; AWS delays ${DELAYS.join(', ')} ms per call`,
  );
  const outcomes: Outcome[] = [];
  const report = (o: Outcome) => {
    printOutcome(o);
    outcomes.push(o);
  };
  const wall = (max: number): Limit => ({ label: 'wall', value: (s) => s.wallMs, max, unit: 'ms' });
  const cpu = (max: number): Limit => ({ label: 'CPU', value: (s) => s.cpuMs, max, unit: 'ms' });
  const rss = (max: number): Limit => ({ label: 'peak RSS', value: (s) => s.rssMiB, max, unit: 'MiB' });
  const idle = (maxPercent: number): Limit => ({
    label: 'idle share',
    value: (s) => (s.aws && s.aws.spanMs > 0 ? (100 * s.aws.idleMs) / s.aws.spanMs : undefined),
    max: maxPercent,
    unit: '%',
  });

  const small = () => smallAccount(3, TEAM_ACCOUNT);
  const startupConfig = writeConfig('startup', small());
  const large = 'Large account: 1,000 users, 17 regions × 300 security groups and 300 instances, 300 buckets';
  const scenarios: [string, () => Promise<Outcome>][] = [
    ['help', () => startUp('Start-up: aws-audit-bot --help', ['--help'], startupConfig, [wall(150), rss(60)])],
    ['accounts', () => startUp('Start-up: aws-audit-bot accounts', ['accounts'], startupConfig, [])],
    ...DELAYS.map((delay): [string, () => Promise<Outcome>] => [
      'small',
      () => audit('Small account (every region)', small, delay, [wall(800), cpu(500), rss(90), idle(10)]),
    ]),
    ...DELAYS.map((delay): [string, () => Promise<Outcome>] => [
      'large',
      () => audit(large, () => wholeAccount(300, 1_000, 2, 300, 300), delay, [wall(5_000), rss(250)], 'thresholds:\n  requiredTags: [Owner]\n'),
    ]),
    ...DELAYS.map((delay): [string, () => Promise<Outcome>] => [
      'bot',
      () => bot(delay, [{ label: 'idle RSS', value: (s) => s.idleRssMiB, max: 110, unit: 'MiB' }]),
    ]),
  ];
  // BENCH_ONLY=small,bot: only those scenarios (help, accounts, small, large, bot).
  const only = process.env.BENCH_ONLY?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const [key, run] of scenarios) if (!only?.length || only.includes(key)) report(await run());

  console.log(`\nSummary (median of ${RUNS}+ runs; targets at ${TARGET_DELAY} ms per AWS call)`);
  const header = ['scenario', 'delay', 'wall ms', 'CPU ms', 'peak RSS MiB', 'calls', 'idle %', 'targets'];
  const rows = outcomes.map((o) => {
    const med = (pick: (s: Sample) => number | undefined) => {
      const xs = o.samples.map(pick).filter((x): x is number => x !== undefined && Number.isFinite(x));
      return xs.length ? median(xs) : Number.NaN;
    };
    const m = missed(o);
    const judged = o.limits.length > 0 && (o.delay === undefined || o.delay === TARGET_DELAY);
    return [
      o.name.length > 60 ? `${o.name.slice(0, 59)}…` : o.name,
      o.delay === undefined ? '' : `${o.delay} ms`,
      fmt(med((s) => s.wallMs)),
      fmt(med((s) => s.cpuMs)),
      fmt(
        med((s) => s.rssMiB),
        1,
      ),
      o.samples[0]?.aws ? fmt(o.samples.at(-1)!.aws!.calls) : '',
      o.samples[0]?.aws
        ? fmt(
            med((s) => (s.aws && s.aws.spanMs > 0 ? (100 * s.aws.idleMs) / s.aws.spanMs : undefined)),
            1,
          )
        : '',
      judged ? (m.length ? `MISSED ${m.join('; ')}` : 'OK') : '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i > 0 && i < 7 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  const all = outcomes.flatMap((o) => missed(o).map((m) => `${o.name}: ${m}`));
  console.log(all.length ? `MISSED targets:\n  ${all.join('\n  ')}` : 'All targets met.');
}

main()
  .catch((error: unknown) => {
    // The benchmark itself broke (not a missed target): say so and fail.
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(workDir, { recursive: true, force: true }));
