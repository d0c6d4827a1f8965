import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountConfig } from '../../src/config.js';
import { queueSchema, ScanQueue } from '../../src/queue/scan-queue.js';
import { FallbackWorker, scanJobHandler } from '../../src/queue/worker.js';
import type { AuditService } from '../../src/audit/service.js';
import type { AuditResult } from '../../src/audit/types.js';
import { createLogger } from '../../src/log.js';
import { PostgresStore } from '../../src/store/postgres/store.js';
import { databaseUrl, freshSchema } from '../helpers/backends.js';

const logger = createLogger({ level: 'silent' });
const settings = { concurrency: 2, jobTimeoutSeconds: 30, retries: 1, retryDelaySeconds: 1, maintenanceSeconds: 1 };
const account = (alias: string, accountId: string): AccountConfig => ({ alias, accountId, roleArn: `arn:aws:iam::${accountId}:role/audit` });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
  cleanup = [];
});

async function open(schema = freshSchema(), giveUpMs?: number) {
  const store = await PostgresStore.open(databaseUrl(), { schema });
  const queue = await ScanQueue.open({ store, settings, logger, pollMs: 100, ...(giveUpMs ? { giveUpMs } : {}) });
  cleanup.push(async () => {
    await queue.close(1_000);
    await store.dropSchema();
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${queueSchema(schema)}" CASCADE`);
    await client.end();
    await store.close();
  });
  return { store, queue, schema };
}

/** An AuditService stand-in: each audit takes `ms`, and says when it ran. */
function fakeAudits(ms: number, log: string[], fail?: (alias: string) => string | undefined): AuditService {
  return {
    start(a: AccountConfig, _checks: unknown, _requester: string, options: { scanId?: string } = {}) {
      const run: { scanId: string | undefined; result: Promise<AuditResult> } = {
        scanId: undefined,
        result: Promise.resolve({} as AuditResult),
      };
      run.result = (async () => {
        log.push(`${a.alias} in`);
        await sleep(ms);
        log.push(`${a.alias} out`);
        const why = fail?.(a.alias);
        if (why) throw new Error(why);
        run.scanId = options.scanId;
        return { errors: [], findings: [] } as unknown as AuditResult;
      })();
      return { run, joined: false };
    },
  } as unknown as AuditService;
}

describe('the scan queue (PostgreSQL, pg-boss)', () => {
  it('runs every account as a job, one audit of an account at a time across two workers, and reports the accounts whose job failed', async () => {
    const { store, queue, schema } = await open();
    // A second worker process on the same database: its own store and queue connections.
    const other = await PostgresStore.open(databaseUrl(), { schema });
    const otherQueue = await ScanQueue.open({ store: other, settings, logger, pollMs: 100 });
    cleanup.push(async () => {
      await otherQueue.close(1_000);
      await other.close();
    });
    const accounts = [account('prod', '111111111111'), account('prod-eu', '111111111111'), account('dev', '222222222222'), account('gone', '333333333333')];
    const log: string[] = [];
    const deps = (s: PostgresStore, q: ScanQueue) => ({
      queue: q,
      store: s,
      // This worker's config knows every account but `gone`.
      accounts: () => accounts.filter((a) => a.alias !== 'gone'),
      audits: fakeAudits(300, log, (alias) => (alias === 'dev' ? 'AccessDenied: not authorized to perform sts:AssumeRole' : undefined)),
      checks: [],
      logger,
    });
    const w1 = await queue.work(scanJobHandler(deps(store, queue)), { concurrency: 2, kind: 'dedicated' });
    const w2 = await otherQueue.work(scanJobHandler(deps(other, otherQueue)), { concurrency: 2, kind: 'dedicated' });
    cleanup.push(
      () => w1.stop(),
      () => w2.stop(),
    );
    expect((await store.liveWorkers(20)).map((w) => w.kind)).toEqual(['dedicated', 'dedicated']);

    const outcomes = await queue.scanAll(accounts, 'digest', 'digest');
    expect(outcomes.map((o) => [o.alias, o.failure === undefined ? 'ok' : o.failure])).toEqual([
      ['prod', 'ok'],
      ['prod-eu', 'ok'],
      ['dev', 'AccessDenied: not authorized to perform sts:AssumeRole'],
      ['gone', expect.stringContaining("this worker's config has no account gone")],
    ]);
    // The scan ids are the jobs' ids, distinct.
    expect(new Set(outcomes.filter((o) => o.scanId).map((o) => o.scanId)).size).toBe(2);
    // prod and prod-eu are one account: never audited at once, whichever worker took them.
    const prod = log.filter((l) => l.startsWith('prod'));
    expect([prod.slice(0, 2), prod.slice(2, 4)].map((pair) => pair.map((l) => l.split(' ')[1]))).toEqual([
      ['in', 'out'],
      ['in', 'out'],
    ]);
    // dev was tried twice (retries: 1), with a delay between.
    expect(log.filter((l) => l === 'dev in')).toHaveLength(2);

    await w1.stop();
    expect((await store.liveWorkers(20)).length).toBe(1);
  }, 60_000);

  it("serve's own worker runs while no worker process does, and stops when one starts", async () => {
    const { store, queue } = await open();
    const deps = { queue, store, accounts: () => [], audits: fakeAudits(10, []), checks: [], logger };
    const fallback = new FallbackWorker(deps, 2, 100);
    cleanup.push(() => fallback.stop());
    await fallback.start();
    expect(fallback.running).toBe(true);
    expect((await store.liveWorkers(20)).map((w) => w.kind)).toEqual(['in-process']);
    const dedicated = await queue.work(scanJobHandler(deps), { concurrency: 1, kind: 'dedicated' });
    cleanup.push(() => dedicated.stop());
    const end = Date.now() + 15_000;
    while (fallback.running && Date.now() < end) await sleep(50);
    expect(fallback.running).toBe(false);
    expect((await store.liveWorkers(20)).map((w) => w.kind)).toEqual(['dedicated']);
  }, 60_000);

  it('gives up on jobs nobody takes while no worker is alive, and says so', async () => {
    const { queue } = await open(freshSchema(), 500);
    // No worker at all: with the give-up time shortened, the outcome says why rather than waiting for ever.
    const outcomes = await queue.scanAll([account('prod', '111111111111'), account('dev', '222222222222')], 'digest', 'digest');
    expect(outcomes.map((o) => o.failure)).toEqual([expect.stringContaining('no worker took its job'), expect.stringContaining('no worker took its job')]);
  }, 60_000);
});
