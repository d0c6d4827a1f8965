/**
 * The digest's own cost, apart from the audits: a history of 40 accounts
 * with 2,000 open findings (plus resolved ones and mutes) in a real database
 * file; recording a scan, computing the digest and rendering it. Prints wall
 * time per step, the size of the file and of what would be posted, and peak heap.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ALL_CHECKS } from '../checks/index.js';
import { findingFingerprint } from '../src/audit/fingerprint.js';
import type { AuditResult, Finding } from '../src/audit/types.js';
import { SEVERITIES } from '../src/audit/types.js';
import { computeDigest, type ScanOutcome } from '../src/store/digest.js';
import { History } from '../src/store/history.js';
import { Mutes } from '../src/store/mutes.js';
import { FileStore } from '../src/store/store.js';
import { renderDigest } from '../src/slack/render/digest.js';

const ACCOUNTS = 40;
const PER_ACCOUNT = 50;
const TARGET = { recordMs: 500, digestMs: 1_000 };

function findings(accountId: string, week: number): Finding[] {
  // Each week a fifth of the findings are fixed and as many new ones appear.
  return Array.from({ length: PER_ACCOUNT }, (_, i) => {
    const id = `res-${(i + week * (PER_ACCOUNT / 5)) % (PER_ACCOUNT * 2)}`;
    const check = ALL_CHECKS[i % ALL_CHECKS.length]!;
    return {
      checkId: check.id,
      severity: SEVERITIES[i % 4]!,
      accountId,
      region: check.scope === 'global' ? 'global' : 'eu-west-1',
      resource: { type: 'AWS::Test::Thing', id },
      message: `${check.title}: ${id} fails, with enough detail to look like a real message from AWS.`,
      fingerprint: findingFingerprint({ checkId: check.id, accountId, region: check.scope === 'global' ? 'global' : 'eu-west-1', resourceId: id }),
    };
  });
}

function result(accountId: string, week: number, at: Date): AuditResult {
  return {
    account: { alias: `acct-${accountId.slice(-2)}`, accountId },
    startedAt: at.toISOString(),
    findings: findings(accountId, week),
    errors: [],
    scope: { checkIds: ALL_CHECKS.map((c) => c.id), regions: ['global', 'eu-west-1'], skippedRegions: [] },
    stats: { durationMs: 1, apiCalls: 1, apiCallsByOperation: {}, httpAttempts: 0, retries: 0, checksRun: ALL_CHECKS.length, byCheck: {} },
  };
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'digest-bench-'));
  const file = path.join(dir, 'db.json');
  const store = await FileStore.open(file);
  // The history's clock follows the simulated weeks (a scan is recorded a minute after it starts), so the figures do not depend on today's date.
  let clock = new Date('2026-10-26T09:01:00.000Z');
  const history = new History(store, { now: () => clock });
  const ids = Array.from({ length: ACCOUNTS }, (_, i) => String(100000000000 + i));
  let peak = 0;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);

  // Four weeks of history, then mute a few findings.
  const weekStart = new Date('2026-10-26T09:00:00.000Z');
  const recordTimes: number[] = [];
  let outcomes: ScanOutcome[] = [];
  for (let week = 0; week < 4; week++) {
    const at = new Date(weekStart.getTime() + week * 7 * 86_400_000);
    clock = new Date(at.getTime() + 60_000);
    outcomes = [];
    for (const id of ids) {
      const start = process.hrtime.bigint();
      const { scanId } = await history.record(result(id, week, at), `acct-${id.slice(-2)}`);
      recordTimes.push(ms(start));
      outcomes.push({ alias: `acct-${id.slice(-2)}`, accountId: id, scanId, errors: 0 });
    }
    // Last week's digest was posted an hour after week 2's scans.
    if (week === 2)
      await store.update((d) => {
        d.digest.cursor = new Date(at.getTime() + 3_600_000).toISOString();
      });
  }
  const mutes = new Mutes(store);
  for (const state of store.data.findings.slice(0, 30)) {
    await mutes.mute({
      state: state as never,
      reason: 'accepted',
      mutedBy: 'U0ALICE01',
      expiresAt: '2027-01-01T00:00:00.000Z',
      now: new Date('2026-11-16T09:30:00.000Z'),
    });
  }

  const start = process.hrtime.bigint();
  const digest = computeDigest(store.data, outcomes, store.data.digest.cursor, new Date('2026-11-16T10:00:00.000Z'));
  const computeMs = ms(start);
  const renderStart = process.hrtime.bigint();
  const rendered = renderDigest({ digest, checks: ALL_CHECKS });
  const renderMs = ms(renderStart);
  clearInterval(sample);
  await store.close();
  const size = (await stat(file)).size;
  await rm(dir, { recursive: true, force: true });

  const sorted = [...recordTimes].sort((a, b) => a - b);
  const p50 = sorted[Math.floor(sorted.length / 2)]!;
  const max = sorted.at(-1)!;
  const changes = digest.accounts.reduce((n, a) => n + a.new.length + a.resurfaced.length + a.resolved.length, 0);
  const posted = [rendered.main, ...rendered.followUps].reduce((n, m) => n + JSON.stringify(m).length, 0);
  console.log(`\n== digest: ${ACCOUNTS} accounts, ${store.data.findings.length.toLocaleString('en-US')} finding states, 4 weeks of scans, 30 mutes`);
  console.log(
    `   database ${(size / 1024).toFixed(0)} KB; recording one scan (diff + atomic write + fsync): median ${p50.toFixed(1)} ms, worst ${max.toFixed(1)} ms`,
  );
  console.log(
    `   digest: ${changes.toLocaleString('en-US')} changes; compute ${computeMs.toFixed(1)} ms, render ${renderMs.toFixed(1)} ms; 1 message + ${rendered.followUps.length} thread replies (${(posted / 1024).toFixed(0)} KB) + CSV ${rendered.csv ? `${(rendered.csv.content.length / 1024).toFixed(0)} KB` : 'none'}`,
  );
  console.log(`   peak heap ${(peak / 1024 / 1024).toFixed(0)} MB`);
  const missed = [
    ...(max >= TARGET.recordMs ? [`recording a scan took ${max.toFixed(0)} ms >= ${TARGET.recordMs} ms`] : []),
    ...(computeMs + renderMs >= TARGET.digestMs ? [`digest took ${(computeMs + renderMs).toFixed(0)} ms >= ${TARGET.digestMs} ms`] : []),
    // A digest with nothing in it measures nothing.
    ...(changes < 1000 || rendered.followUps.length === 0
      ? [`the scenario produced ${changes} changes and ${rendered.followUps.length} thread replies: it no longer measures a big digest`]
      : []),
  ];
  console.log(
    missed.length
      ? `   TARGET MISSED: ${missed.join('; ')}`
      : `   targets met: a scan recorded in < ${TARGET.recordMs} ms, the digest computed and rendered in < ${TARGET.digestMs} ms`,
  );
  if (missed.length) process.exitCode = 1;
}

await main();
