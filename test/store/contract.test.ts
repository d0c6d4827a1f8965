import { afterEach, describe, expect, it } from 'vitest';
import type { AuditResult, Finding } from '../../src/audit/types.js';
import type { Store } from '../../src/store/contract.js';
import type { FindingState } from '../../src/store/diff.js';
import { History, SCANS_KEPT } from '../../src/store/history.js';
import type { ActionRecord, MuteRecord, ScanRecord, StoreData } from '../../src/store/records.js';
import { BACKENDS, openBackend, type OpenedBackend } from '../helpers/backends.js';

const A = '111111111111';
const B = '222222222222';

function state(fingerprint: string, accountId = A, over: Partial<FindingState> = {}): FindingState {
  return {
    fingerprint,
    checkId: 'iam.user-console-mfa',
    accountId,
    region: 'global',
    resourceId: fingerprint,
    severity: 'high',
    message: `User ${fingerprint} has no MFA`,
    firstSeen: '2026-11-01T00:00:00.000Z',
    lastSeen: '2026-11-01T00:00:00.000Z',
    resolvedAt: null,
    reopenedAt: null,
    ...over,
  };
}

function scan(id: string, alias = 'prod', accountId = A): ScanRecord {
  return { id, alias, accountId, startedAt: '2026-11-01T00:00:00.000Z', checkIds: ['iam.user-console-mfa'], regions: ['global'], findings: 1, errors: 0 };
}

function mute(id: string, fingerprint: string, over: Partial<MuteRecord> = {}): MuteRecord {
  return {
    id,
    fingerprint,
    accountId: A,
    reason: 'accepted risk',
    mutedBy: 'U0ALICE01',
    mutedAt: '2026-11-01T00:00:00.000Z',
    expiresAt: '2027-01-01T00:00:00.000Z',
    unmutedBy: null,
    unmutedAt: null,
    ...over,
  };
}

function action(id: string, over: Partial<ActionRecord> = {}): ActionRecord {
  return {
    id,
    at: '2026-11-01T00:00:00.000Z',
    requestId: `request-${id}`,
    result: 'refused',
    action: 'iam.deactivate-access-key',
    fingerprint: 'f1',
    accountId: A,
    alias: 'prod',
    checkId: 'iam.access-key-rotation',
    user: 'U0ALICE01',
    ...over,
  };
}

function finding(name: string, accountId = A): Finding {
  return {
    checkId: 'iam.user-console-mfa',
    severity: 'high',
    accountId,
    region: 'global',
    resource: { type: 'AWS::IAM::User', id: name },
    message: `User ${name} has no MFA`,
    fingerprint: `${accountId}:${name}`,
  };
}

function audit(accountId: string, startedAt: string, names: string[]): AuditResult {
  return {
    account: { alias: accountId === A ? 'prod' : 'dev', accountId },
    startedAt,
    finishedAt: startedAt,
    scope: { checkIds: ['iam.user-console-mfa'], regions: ['global'] },
    findings: names.map((n) => finding(n, accountId)),
    errors: [],
    stats: { durationMs: 1, apiCalls: 1, checksRun: 1, regions: 1 },
  } as unknown as AuditResult;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A promise and the function that settles it: the first holder says it holds, so the test starts the second only then (no guess at timing). */
function signal(): { wait: Promise<void>; give: () => void } {
  let give: () => void = () => undefined;
  const wait = new Promise<void>((r) => (give = r));
  return { wait, give };
}

/** Waits until `check` holds (a busy machine may take a while), at most 15 s. */
async function until(check: () => boolean): Promise<void> {
  const end = Date.now() + 15_000;
  while (!check() && Date.now() < end) await sleep(20);
}

describe.each(BACKENDS)('the store contract, on the %s backend', (backend) => {
  let opened: OpenedBackend | undefined;
  const open = async (): Promise<Store> => {
    opened = await openBackend(backend);
    return opened.store;
  };
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  it('starts empty, with cursors and a clock not yet set', async () => {
    const store = await open();
    expect(store.backend).toBe(backend);
    expect(await store.findings()).toEqual([]);
    expect(await store.scans()).toEqual([]);
    expect(await store.mutes()).toEqual([]);
    expect(await store.actions()).toEqual([]);
    expect(await store.digestState()).toEqual({ cursor: null, lastPostedAt: null, due: null, totals: {} });
    expect(await store.alertsState()).toEqual({ cursor: null, lastPostedAt: null });
    expect(await store.organizationAccounts()).toEqual({});
    expect((await store.snapshot()).clock).toBeNull();
  });

  it('writes finding states by fingerprint, reads them by account, fingerprint and open, in fingerprint order, and deletes them', async () => {
    const store = await open();
    await store.transaction(async (tx) => {
      await tx.putFindings([state('c'), state('a', B), state('b', A, { resolvedAt: '2026-11-02T00:00:00.000Z' })]);
    });
    expect((await store.findings()).map((f) => f.fingerprint)).toEqual(['a', 'b', 'c']);
    expect((await store.findings({ accountId: A })).map((f) => f.fingerprint)).toEqual(['b', 'c']);
    expect((await store.findings({ accountId: A, open: true })).map((f) => f.fingerprint)).toEqual(['c']);
    expect(await store.findings({ fingerprint: 'a' })).toEqual([state('a', B)]);
    // Replaced whole: a field no longer there is gone.
    await store.transaction(async (tx) => {
      await tx.putFindings([{ ...state('c', A, { message: 'changed', resolvedAt: '2026-11-03T00:00:00.000Z' }) }]);
      await tx.deleteFindings(['a', 'nope']);
    });
    expect(await store.findings({ fingerprint: 'c' })).toEqual([state('c', A, { message: 'changed', resolvedAt: '2026-11-03T00:00:00.000Z' })]);
    expect(await store.findings({ open: true })).toEqual([]);
    expect((await store.findings()).map((f) => f.fingerprint)).toEqual(['b', 'c']);
    // Fields it does not know (a newer bot's) are kept as they are.
    await store.transaction((tx) => tx.putFindings([{ ...state('d'), tags: { Team: 'pay' }, somethingNew: [1, { x: 'y' }] } as FindingState]));
    expect((await store.findings({ fingerprint: 'd' }))[0]).toMatchObject({ tags: { Team: 'pay' }, somethingNew: [1, { x: 'y' }] });
  });

  it('keeps scans in the order written, replaces one by id in place, and reads the newest of an alias or account', async () => {
    const store = await open();
    await store.transaction(async (tx) => {
      for (const id of ['s1', 's2', 's3']) await tx.putScan(scan(id));
      await tx.putScan(scan('d1', 'dev', B));
      await tx.putScan({ ...scan('s1'), errors: 7 });
    });
    expect((await store.scans()).map((s) => s.id)).toEqual(['s1', 's2', 's3', 'd1']);
    expect((await store.scans({ id: 's1' }))[0]!.errors).toBe(7);
    expect((await store.scans({ alias: 'prod', last: 2 })).map((s) => s.id)).toEqual(['s2', 's3']);
    expect((await store.scans({ accountId: B, last: 1 })).map((s) => s.id)).toEqual(['d1']);
    expect(await store.scans({ alias: 'nobody' })).toEqual([]);
    await store.transaction((tx) => tx.deleteScans(['s2', 'd1']));
    expect((await store.scans()).map((s) => s.id)).toEqual(['s1', 's3']);
  });

  it('keeps mutes and action-log entries in the order written, changed in place, found by id, fingerprint, account and request', async () => {
    const store = await open();
    await store.transaction(async (tx) => {
      await tx.putMutes([mute('m1', 'f1'), mute('m2', 'f2', { accountId: B })]);
      await tx.putMutes([mute('m3', 'f1'), { ...mute('m1', 'f1'), unmutedAt: '2026-11-05T00:00:00.000Z', unmutedBy: 'U0BOB0001' }]);
      await tx.putAction(action('a1'));
      await tx.putAction(action('a2', { fingerprint: 'f2', requestId: 'click-2' }));
      await tx.putAction({ ...action('a1'), result: 'applied' });
    });
    expect((await store.mutes()).map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    expect((await store.mutes({ fingerprint: 'f1' })).map((m) => [m.id, m.unmutedBy])).toEqual([
      ['m1', 'U0BOB0001'],
      ['m3', null],
    ]);
    expect((await store.mutes({ accountId: B })).map((m) => m.id)).toEqual(['m2']);
    expect((await store.mutes({ id: 'm3' })).map((m) => m.id)).toEqual(['m3']);
    expect((await store.actions()).map((a) => [a.id, a.result])).toEqual([
      ['a1', 'applied'],
      ['a2', 'refused'],
    ]);
    expect((await store.actions({ requestId: 'click-2' })).map((a) => a.id)).toEqual(['a2']);
    expect((await store.actions({ fingerprint: 'f1' })).map((a) => a.id)).toEqual(['a1']);
    expect(await store.actions({ id: 'zzz' })).toEqual([]);
  });

  it('merges the digest and alerts states and writes organization accounts by id', async () => {
    const store = await open();
    await store.transaction(async (tx) => {
      await tx.setDigestState({ cursor: '2026-11-02T09:00:00.000Z', totals: { [A]: { high: 2 } } });
      await tx.setDigestState({ due: { at: '2026-11-09T09:00:00.000Z', schedule: '0 9 * * 1', timezone: 'UTC' } });
      await tx.setAlertsState({ cursor: '2026-11-02T10:00:00.000Z' });
      await tx.putOrganizationAccounts({
        [B]: { alias: 'dev', name: 'Dev', firstSeen: '2026-11-01T00:00:00.000Z', leftAt: null, joinedReported: false, leftReported: false },
      });
      await tx.putOrganizationAccounts({
        [B]: { alias: 'dev', name: 'Dev', firstSeen: '2026-11-01T00:00:00.000Z', leftAt: null, joinedReported: true, leftReported: false },
      });
    });
    expect(await store.digestState()).toEqual({
      cursor: '2026-11-02T09:00:00.000Z',
      lastPostedAt: null,
      due: { at: '2026-11-09T09:00:00.000Z', schedule: '0 9 * * 1', timezone: 'UTC' },
      totals: { [A]: { high: 2 } },
    });
    expect(await store.alertsState()).toEqual({ cursor: '2026-11-02T10:00:00.000Z', lastPostedAt: null });
    expect((await store.organizationAccounts())[B]).toMatchObject({ joinedReported: true });
  });

  it('lands every write of a transaction or none: a throw rolls it back, clock included, and is rethrown', async () => {
    const store = await open();
    await store.transaction((tx) => tx.putFindings([state('kept')]));
    await expect(
      store.transaction(async (tx) => {
        await tx.putFindings([state('lost')]);
        await tx.putScan(scan('lost'));
        await tx.deleteFindings(['kept']);
        await tx.tick(new Date('2030-01-01T00:00:00.000Z'));
        // Its own writes are visible to it.
        expect((await tx.findings()).map((f) => f.fingerprint)).toEqual(['lost']);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await store.findings()).map((f) => f.fingerprint)).toEqual(['kept']);
    expect(await store.scans()).toEqual([]);
    expect((await store.snapshot()).clock).toBeNull();
    // And the store goes on working.
    expect(await store.transaction(async () => 'after')).toBe('after');
  });

  it('returns copies: changing what a read returned changes nothing stored', async () => {
    const store = await open();
    await store.transaction((tx) => tx.putFindings([state('a')]));
    const [read] = await store.findings();
    read!.message = 'tampered';
    expect((await store.findings())[0]!.message).toBe('User a has no MFA');
    const digest = await store.digestState();
    digest.totals.x = { high: 1 };
    expect((await store.digestState()).totals).toEqual({});
  });

  it('ticks later than now, than every earlier tick and than both cursors', async () => {
    const store = await open();
    const t1 = await store.transaction((tx) => tx.tick(new Date('2026-11-01T00:00:00.000Z')));
    expect(t1).toBe('2026-11-01T00:00:00.000Z');
    // The clock stepped back: still later.
    const t2 = await store.transaction((tx) => tx.tick(new Date('2026-10-01T00:00:00.000Z')));
    expect(t2).toBe('2026-11-01T00:00:00.001Z');
    await store.transaction((tx) => tx.setDigestState({ cursor: '2026-12-01T00:00:00.000Z' }));
    expect(await store.transaction((tx) => tx.tick(new Date('2026-11-02T00:00:00.000Z')))).toBe('2026-12-01T00:00:00.001Z');
    await store.transaction((tx) => tx.setAlertsState({ cursor: '2026-12-05T00:00:00.000Z' }));
    expect(await store.transaction((tx) => tx.tick(new Date('2026-11-02T00:00:00.000Z')))).toBe('2026-12-05T00:00:00.001Z');
    expect(await store.transaction((tx) => tx.tick(new Date('2027-01-01T00:00:00.000Z')))).toBe('2027-01-01T00:00:00.000Z');
  });

  it('runs transactions that name one lock one after the other', async () => {
    const store = await open();
    const events: string[] = [];
    const holds = signal();
    const first = store.transaction(
      async (tx) => {
        events.push('first in');
        holds.give();
        await sleep(150);
        await tx.putFindings([state('first')]);
        events.push('first out');
      },
      { lock: ['account:1'] },
    );
    await holds.wait;
    const second = store.transaction(
      async (tx) => {
        events.push('second in');
        // It sees what the first wrote: that one committed before this one began.
        events.push(`second sees ${(await tx.findings()).map((f) => f.fingerprint).join(',')}`);
      },
      { lock: ['account:1'] },
    );
    await Promise.all([first, second]);
    expect(events).toEqual(['first in', 'first out', 'second in', 'second sees first']);
  });

  it('holds an exclusive key for work that spans awaits, one holder at a time, and lets go after a throw', async () => {
    const store = await open();
    const events: string[] = [];
    const hold = (name: string, ms: number, fail = false) =>
      store.exclusive('fix:account:1', async () => {
        events.push(`${name} in`);
        await sleep(ms);
        events.push(`${name} out`);
        if (fail) throw new Error(`${name} failed`);
        return name;
      });
    const results = await Promise.allSettled([hold('a', 100, true), hold('b', 10), store.exclusive('fix:account:2', async () => 'other')]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['a failed', 'b', 'other']);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
  });

  it('keeps short-lived values on its shelf until their time, for every process on the store', async () => {
    const store = await open();
    await store.shelf.put('confirmation:1', { user: 'U0ALICE01', state: { keys: ['AKIA1'] } }, new Date(Date.now() + 60_000));
    await store.shelf.put('confirmation:old', { user: 'U0BOB0001' }, new Date(Date.now() - 1_000));
    expect(await store.shelf.get('confirmation:1')).toEqual({ user: 'U0ALICE01', state: { keys: ['AKIA1'] } });
    expect(await store.shelf.get('confirmation:old')).toBeUndefined();
    expect(await store.shelf.get('nope')).toBeUndefined();
    if (backend === 'postgres') {
      // Another replica sees it.
      const other = await opened!.another();
      expect(await other.shelf.get('confirmation:1')).toMatchObject({ user: 'U0ALICE01' });
      await other.shelf.delete('confirmation:1');
    } else await store.shelf.delete('confirmation:1');
    expect(await store.shelf.get('confirmation:1')).toBeUndefined();
  });

  it('moves a whole history into an empty store without loss (store migrate), and refuses one that holds a history', async () => {
    const store = await open();
    const history = new History(store, { now: () => new Date('2026-11-02T00:00:00.000Z') });
    await history.record(audit(A, '2026-11-02T00:00:00.000Z', ['alice', 'bob']), 'prod');
    await history.record(audit(B, '2026-11-02T00:00:00.000Z', ['carol']), 'dev');
    await history.record(audit(A, '2026-11-03T00:00:00.000Z', ['alice']), 'prod');
    await store.transaction(async (tx) => {
      await tx.putMutes([mute('m1', `${A}:alice`, { source: 'config', rule: 'abc', label: 'mutes[0]' })]);
      await tx.putAction(action('a1', { state: { userName: 'deploy-bot', accessKeyIds: ['AKIA1'] }, why: { code: 'muted', until: '2027-01-01' } }));
      await tx.setDigestState({ cursor: '2026-11-02T12:00:00.000Z', totals: { [A]: { high: 1, low: 0 } } });
      await tx.putOrganizationAccounts({
        [B]: { alias: 'dev', name: 'Dev', firstSeen: '2026-11-01T00:00:00.000Z', leftAt: null, joinedReported: true, leftReported: false },
      });
    });
    const data: StoreData = await store.snapshot();
    expect(data.findings).toHaveLength(3);
    expect(data.scans).toHaveLength(3);

    for (const target of BACKENDS) {
      const other = await openBackend(target);
      try {
        await other.store.load(data);
        expect(await other.store.snapshot()).toEqual(data);
        // The history goes on where it was: same clock, same open findings.
        const next = new History(other.store, { now: () => new Date('2026-11-01T00:00:00.000Z') });
        expect(Date.parse(await next.stamp())).toBeGreaterThan(Date.parse(data.clock!));
        await expect(other.store.load(data)).rejects.toMatchObject({ code: 'STORE_NOT_EMPTY' });
        expect(await other.store.snapshot()).toMatchObject({ findings: data.findings, scans: data.scans });
      } finally {
        await other.cleanup();
      }
    }
  });

  it('records scans through the history: only its account moves, the last scans per alias are kept, a repeated scan id is recorded once', async () => {
    const store = await open();
    let now = new Date('2026-11-02T00:00:00.000Z');
    const history = new History(store, { now: () => now });
    await history.record(audit(B, '2026-11-01T00:00:00.000Z', ['carol']), 'dev');
    const first = await history.record(audit(A, '2026-11-02T00:00:00.000Z', ['alice', 'bob']), 'prod');
    expect(first.diff.opened.map((f) => f.resource.id)).toEqual(['alice', 'bob']);
    now = new Date('2026-11-03T00:00:00.000Z');
    const second = await history.record(audit(A, '2026-11-03T00:00:00.000Z', ['alice']), 'prod', { scanId: 'job-1' });
    expect(second).toMatchObject({ scanId: 'job-1', repeated: false });
    expect(second.diff.resolved.map((f) => f.resourceId)).toEqual(['bob']);
    // The job's attempt after a crash: the scan is there already, nothing is written twice.
    const again = await history.record(audit(A, '2026-11-03T00:00:00.000Z', ['alice']), 'prod', { scanId: 'job-1' });
    expect(again.repeated).toBe(true);
    expect((await store.scans({ alias: 'prod' })).map((s) => s.id)).toEqual([first.scanId, 'job-1']);
    expect((await store.findings({ accountId: B })).map((f) => [f.resourceId, f.resolvedAt])).toEqual([['carol', null]]);
    expect((await store.findings({ accountId: A, open: true })).map((f) => f.resourceId)).toEqual(['alice']);
    for (let i = 0; i < SCANS_KEPT + 3; i++) await history.record(audit(A, `2026-11-04T00:00:${String(i).padStart(2, '0')}.000Z`, ['alice']), 'prod');
    expect(await store.scans({ alias: 'prod' })).toHaveLength(SCANS_KEPT);
    expect(await store.scans({ alias: 'dev' })).toHaveLength(1);
    const home = await history.lastAudit('prod', A, ['iam.user-console-mfa'], new Map());
    expect(home).toMatchObject({ bySeverity: { high: 1 }, complete: true, muted: 0 });
  });
});

describe('the PostgreSQL store across processes', () => {
  let opened: OpenedBackend | undefined;
  afterEach(async () => {
    await opened?.cleanup();
    opened = undefined;
  });

  it('holds an exclusive key against another process on the same database, and a transaction lock too', async () => {
    opened = await openBackend('postgres');
    const one = opened.store;
    const two = await opened.another();
    const events: string[] = [];
    const oneHolds = signal();
    const a = one.exclusive('fix:account:1', async () => {
      events.push('one in');
      oneHolds.give();
      await sleep(200);
      events.push('one out');
    });
    await oneHolds.wait;
    const b = two.exclusive('fix:account:1', async () => {
      events.push('two in');
    });
    await Promise.all([a, b]);
    expect(events).toEqual(['one in', 'one out', 'two in']);

    const order: string[] = [];
    const t1Holds = signal();
    const t1 = one.transaction(
      async () => {
        order.push('t1 in');
        t1Holds.give();
        await sleep(150);
        order.push('t1 out');
      },
      { lock: ['account:9'] },
    );
    await t1Holds.wait;
    const t2 = two.transaction(async () => void order.push('t2 in'), { lock: ['account:9'] });
    await Promise.all([t1, t2]);
    expect(order).toEqual(['t1 in', 't1 out', 't2 in']);
  });

  it('stamps in one order across processes, and a window closed by a tick sees every change stamped before it', async () => {
    opened = await openBackend('postgres');
    const stores = [opened.store, await opened.another(), await opened.another()];
    // Three processes with clocks far apart record at once; every stamp is distinct and ordered as committed.
    const clocks = ['2026-11-02T00:00:00.000Z', '2026-11-01T00:00:00.000Z', '2026-11-03T00:00:00.000Z'];
    const histories = stores.map((s, i) => new History(s, { now: () => new Date(clocks[i]!) }));
    await Promise.all(
      histories.flatMap((h, i) =>
        Array.from({ length: 5 }, (_, n) => h.record(audit(i === 1 ? B : A, clocks[i]!, [`user-${i}-${n}`]), i === 1 ? 'dev' : 'prod')),
      ),
    );
    const firstSeen = (await stores[0]!.findings()).map((f) => f.firstSeen);
    expect(new Set(firstSeen).size).toBe(15);
    const until = await histories[1]!.stamp();
    expect(firstSeen.every((t) => t < until)).toBe(true);
    // Two processes writing one account's scans at once: neither loses the other's.
    const prodScans = await stores[2]!.scans({ alias: 'prod' });
    expect(prodScans).toHaveLength(10);
  });

  it("survives the loss of a lock's connection while its work runs: said, not a crash", async () => {
    const { PostgresStore, lockId } = await import('../../src/store/postgres/store.js');
    const { databaseUrl, freshSchema } = await import('../helpers/backends.js');
    const errors: string[] = [];
    const schema = freshSchema();
    const store = await PostgresStore.open(databaseUrl(), { schema, onError: (e) => errors.push(e.message) });
    const admin = await PostgresStore.open(databaseUrl(), { schema });
    try {
      const done = await store.exclusive('fix:account:1', async () => {
        // The server ends the session that holds the lock (a restart, a failover, an administrator).
        const key = BigInt.asUintN(64, BigInt(lockId(schema, 'exclusive:fix:account:1')));
        await admin.transaction(async (tx) => {
          await (tx as unknown as { db: { query(sql: string, values: unknown[]): Promise<unknown> } }).db.query(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 1",
            [String(key >> 32n), String(key & 0xffffffffn)],
          );
        });
        await until(() => errors.length > 0);
        return 'finished';
      });
      expect(done).toBe('finished');
      expect(errors.join(' ')).toContain('the connection holding fix:account:1 was lost');
      // The key can be held again.
      expect(await store.exclusive('fix:account:1', async () => 'again')).toBe('again');
    } finally {
      await store.dropSchema();
      await Promise.all([store.close(), admin.close()]);
    }
  });

  it('applies its migrations once, records them, and refuses a database migrated by a newer bot', async () => {
    opened = await openBackend('postgres');
    const store = opened.store as import('../../src/store/postgres/store.js').PostgresStore;
    expect(await store.migrations()).toEqual([
      { version: 1, name: 'history' },
      { version: 2, name: 'workers' },
      { version: 3, name: 'shelf' },
    ]);
    const again = (await opened.another()) as typeof store;
    expect(await again.migrations()).toEqual([
      { version: 1, name: 'history' },
      { version: 2, name: 'workers' },
      { version: 3, name: 'shelf' },
    ]);
    await store.transaction(async (tx) => {
      await (tx as unknown as { db: { query(sql: string): Promise<unknown> } }).db.query(
        `INSERT INTO "${(store as unknown as { schema: string }).schema}".migrations (version, name, checksum) VALUES (99, 'from the future', 'x')`,
      );
    });
    await expect(opened.another()).rejects.toMatchObject({
      code: 'STORE_UNREADABLE',
      message: expect.stringContaining('newer version of the bot (migration 99'),
    });
  });

  it('says where and why when the server cannot be reached, without the password', async () => {
    const { PostgresStore } = await import('../../src/store/postgres/store.js');
    const error = await PostgresStore.open('postgres://audit:s3cret@127.0.0.1:1/audit').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORE_UNREADABLE' });
    expect((error as Error).message).toContain('postgres://audit:***@127.0.0.1:1/audit');
    expect((error as Error).message).toContain('Check that PostgreSQL runs there');
    expect((error as Error).message).not.toContain('s3cret');
  });
});
