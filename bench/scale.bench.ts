/**
 * `npm run bench:scale`: a digest over many accounts, as users run it at
 * scale. The built CLI runs as processes against the local HTTP stand-in for
 * AWS (bench/aws-server.ts, every answer after 50 ms): `digest --dry-run`
 * over BENCH_ACCOUNTS synthetic accounts (default 1,000; each small: 4
 * users, 3 audited regions, a few buckets), on
 *
 *   json    the JSON file, the digest's own process auditing (4 accounts at once)
 *   pg-1    PostgreSQL, one `aws-audit-bot worker` process (queue.concurrency 4)
 *   pg-4    PostgreSQL, four worker processes
 *
 * and prints the digest's wall time, the store's time per scan (median and
 * 95th percentile of each scan's write, from the processes' own "scan
 * recorded" lines) and the peak RSS of every process. BENCH_ONLY=json,pg-1,pg-4
 * picks scenarios; BENCH_RUNS (default 1) repeats each, and the median is
 * printed. PostgreSQL: BENCH_DATABASE_URL, else a throw-away server from
 * scripts/test-postgres.sh. The target: pg-4 under 5 minutes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AwsStandIn } from './aws-server.js';
import { startCli } from './cli-process.js';
import { FakeAws } from './fake-aws.js';
import { smallAccount } from './synthetic.js';

const root = path.resolve(import.meta.dirname, '..');
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const DELAY = Number(process.env.BENCH_DELAY ?? 50);
const ONLY = (process.env.BENCH_ONLY ?? 'json,pg-1,pg-4').split(',').map((s) => s.trim());
const TARGET_MS = 5 * 60_000;
const workDir = mkdtempSync(path.join(os.tmpdir(), 'aws-audit-scale-'));

type Proc = ReturnType<typeof startCli>;

function config(dir: string, store: string): string {
  const file = path.join(dir, 'audit.config.yml');
  const lines = ['accounts:'];
  for (let i = 0; i < ACCOUNTS; i++) {
    const id = String(100_000_000_000 + i);
    lines.push(
      `  - alias: acct-${i}\n    accountId: "${id}"\n    roleArn: arn:aws:iam::${id}:role/AuditReadOnly\n    regions: [us-east-1, eu-west-1, eu-central-1]`,
    );
  }
  lines.push(store, 'queue:\n  concurrency: 4');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const recordTimes = (text: string): number[] => [...text.matchAll(/recordMs["=:]+([\d.]+)/g)].map((m) => Number(m[1]));
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : Number.NaN;
};

interface Result {
  wallMs: number;
  recordMedianMs: number;
  recordP95Ms: number;
  scans: number;
  digestRssMiB: number;
  workerRssMiB: number[];
  failed: string;
}

async function scenario(name: string, aws: AwsStandIn, databaseUrl: string | undefined): Promise<Result> {
  const dir = mkdtempSync(path.join(workDir, `${name}-`));
  const schema = `bench_${name.replace('-', '_')}_${process.pid}_${Date.now() % 100000}`;
  const store = name === 'json' ? 'store:\n  path: audit-db.json' : `store:\n  url: ${databaseUrl}\n  schema: ${schema}`;
  const file = config(dir, store);
  const env = {
    PATH: process.env.PATH,
    HOME: workDir,
    AUDIT_CONFIG: file,
    AWS_ENDPOINT_URL: aws.endpoint,
    AWS_ACCESS_KEY_ID: 'AKIABENCHBENCHBENCH0',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    LOG_LEVEL: 'info',
  };
  const workers: Proc[] = [];
  const count = name === 'pg-4' ? 4 : name === 'pg-1' ? 1 : 0;
  for (let i = 0; i < count; i++) workers.push(startCli(['worker'], env, workDir));
  // Every worker takes jobs before the digest starts.
  for (const w of workers) while (!w.output().includes('worker taking jobs')) await new Promise((r) => setTimeout(r, 100));
  const digest = startCli(['digest', '--dry-run'], env, workDir);
  const d = await digest.done;
  for (const w of workers) w.child.kill('SIGTERM');
  const ws = await Promise.all(workers.map((w) => w.done));
  const times = [digest, ...workers].flatMap((p) => recordTimes(p.output()));
  const failed = /(\d+) accounts? could not be audited|No account could be audited/.exec(digest.output())?.[0] ?? '';
  if (d.code !== 0) console.error(`${name}: the digest exited ${d.code}:\n${digest.output().slice(-2000)}`);
  if (databaseUrl && name !== 'json') {
    try {
      execFileSync('psql', [databaseUrl, '-qXc', `DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE;`], {
        stdio: 'ignore',
      });
    } catch {
      // leftovers of a throw-away server
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return {
    wallMs: d.wallMs,
    recordMedianMs: quantile(times, 0.5),
    recordP95Ms: quantile(times, 0.95),
    scans: times.length,
    digestRssMiB: d.rssMiB,
    workerRssMiB: ws.map((w) => w.rssMiB),
    failed,
  };
}

async function main(): Promise<void> {
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  let databaseUrl = process.env.BENCH_DATABASE_URL;
  let pgDir: string | undefined;
  if (!databaseUrl && ONLY.some((s) => s.startsWith('pg'))) {
    [databaseUrl, pgDir] = execFileSync('bash', [path.join(root, 'scripts/test-postgres.sh'), 'start'], { encoding: 'utf8' })
      .trim()
      .split(/\s+/);
  }
  const aws = new AwsStandIn(DELAY);
  await aws.start();
  aws.serve(new FakeAws(smallAccount(7, { users: 4, optedIn: [], buckets: 3 })));
  console.log(`Digest over ${ACCOUNTS} accounts (4 users, 3 regions each), ${DELAY} ms per AWS call, ${RUNS} run(s) each; ${os.cpus().length} cores.\n`);
  try {
    for (const name of ONLY) {
      const runs: Result[] = [];
      for (let r = 0; r < RUNS; r++) runs.push(await scenario(name, aws, databaseUrl));
      const mid = [...runs].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(runs.length / 2)]!;
      const range = runs.length > 1 ? ` (runs ${runs.map((x) => (x.wallMs / 1000).toFixed(0)).join(', ')} s)` : '';
      const target = name === 'pg-4' ? (mid.wallMs < TARGET_MS ? '  target < 5 min: met' : '  target < 5 min: MISSED') : '';
      console.log(
        `${name.padEnd(5)} wall ${(mid.wallMs / 1000).toFixed(1)} s${range}; store per scan: median ${mid.recordMedianMs.toFixed(1)} ms, p95 ${mid.recordP95Ms.toFixed(1)} ms (${mid.scans} scans); peak RSS: digest ${mid.digestRssMiB.toFixed(0)} MiB${mid.workerRssMiB.length ? `, workers ${mid.workerRssMiB.map((x) => x.toFixed(0)).join(' / ')} MiB` : ''}${mid.failed ? `; ${mid.failed}` : ''}${target}`,
      );
    }
  } finally {
    await aws.stop();
    if (pgDir) execFileSync('bash', [path.join(root, 'scripts/test-postgres.sh'), 'stop', pgDir]);
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
