import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingFingerprint } from '../../src/audit/fingerprint.js';
import type { AuditResult, Finding } from '../../src/audit/types.js';
import { History, SCANS_KEPT } from '../../src/store/history.js';
import { FileStore } from '../../src/store/store.js';

function finding(user: string): Finding {
  return {
    checkId: 'iam.user-console-mfa',
    severity: 'high',
    accountId: '123456789012',
    region: 'global',
    resource: { type: 'AWS::IAM::User', id: user },
    message: `User ${user} has no MFA.`,
    fingerprint: findingFingerprint({ checkId: 'iam.user-console-mfa', accountId: '123456789012', region: 'global', resourceId: user }),
  };
}

function scan(at: string, findings: Finding[]): AuditResult {
  return {
    account: { alias: 'prod', accountId: '123456789012' },
    startedAt: at,
    findings,
    errors: [],
    scope: { checkIds: ['iam.user-console-mfa'], regions: ['global'], skippedRegions: [] },
    stats: { durationMs: 1, apiCalls: 1, apiCallsByOperation: {}, httpAttempts: 0, retries: 0, checksRun: 1, byCheck: {} },
  };
}

/** A history on a new database file whose clock reads the time of the scan being recorded (recorded as soon as it started, here). */
async function openHistory(): Promise<{ file: string; store: FileStore; history: History; record: (result: AuditResult) => ReturnType<History['record']> }> {
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'audit-history-')), 'db.json');
  const store = await FileStore.open(file);
  let clock = new Date(0);
  const history = new History(store, { now: () => clock });
  const record = (result: AuditResult) => {
    clock = new Date(result.startedAt);
    return history.record(result, 'prod');
  };
  return { file, store, history, record };
}

describe('History', () => {
  it('records scans and moves finding states, durably, keeping the last scans per account', async () => {
    const { file, store, history, record } = await openHistory();
    const first = await record(scan('2026-11-16T09:00:00.000Z', [finding('alice'), finding('bob')]));
    expect(first.diff.opened.map((f) => f.resource.id)).toEqual(['alice', 'bob']);
    const second = await record(scan('2026-11-23T09:00:00.000Z', [finding('bob')]));
    expect(second.diff.resolved.map((s) => s.resourceId)).toEqual(['alice']);
    expect(await history.lastAudit('prod', '123456789012', ['iam.user-console-mfa'], new Map())).toEqual({
      at: new Date('2026-11-23T09:00:00.000Z'),
      bySeverity: { high: 1 },
      errors: 0,
      complete: true,
      muted: 0,
    });
    // A muted finding is counted apart; a scan that did not run every check is not complete.
    expect(
      await history.lastAudit('prod', '123456789012', ['iam.user-console-mfa', 'iam.root-mfa'], new Map([[finding('bob').fingerprint, {}]])),
    ).toMatchObject({
      bySeverity: {},
      complete: false,
      muted: 1,
    });
    expect(await history.lastAudit('other', '123456789012', [], new Map())).toBeUndefined();
    for (let i = 0; i < SCANS_KEPT + 5; i++) await record(scan(`2026-12-${String(i + 1).padStart(2, '0')}T09:00:00.000Z`, [finding('bob')]));
    await store.close();
    const written = JSON.parse(await readFile(file, 'utf8')) as {
      scans: { startedAt: string }[];
      findings: { resourceId: string; resolvedAt: string | null }[];
    };
    expect(written.scans).toHaveLength(SCANS_KEPT);
    expect(written.scans.at(-1)!.startedAt).toBe('2026-12-25T09:00:00.000Z');
    expect(written.findings.map((f) => [f.resourceId, f.resolvedAt])).toEqual(
      expect.arrayContaining([
        ['alice', '2026-11-23T09:00:00.000Z'],
        ['bob', null],
      ]),
    );
  });

  it('forgets a finding resolved more than 180 days ago, and only then', async () => {
    const { store, record } = await openHistory();
    await record(scan('2026-01-01T09:00:00.000Z', [finding('alice'), finding('bob')]));
    await record(scan('2026-01-08T09:00:00.000Z', [finding('bob')])); // alice resolved on the 8th
    await record(scan('2026-07-07T09:00:00.000Z', [finding('bob')])); // 180 days later: kept
    expect(store.data.findings.map((f) => f.resourceId).sort()).toEqual(['alice', 'bob']);
    await record(scan('2026-07-08T09:00:01.000Z', [finding('bob')]));
    expect(store.data.findings.map((f) => f.resourceId)).toEqual(['bob']);
    await store.close();
  });

  it('stamps a change after the digest cursor and after every earlier stamp, even when the clock says otherwise', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'audit-history-')), 'db.json');
    const store = await FileStore.open(file);
    let clock = new Date('2026-11-23T09:10:00.000Z');
    const history = new History(store, { now: () => clock });
    const until = await history.stamp(); // a digest closes its window
    await store.update((d) => void (d.digest.cursor = until));
    // An audit that started before the window closed is recorded after it (and the clock even stepped back).
    clock = new Date('2026-11-23T09:08:00.000Z');
    await history.record(scan('2026-11-23T09:08:00.000Z', [finding('alice')]), 'prod');
    const alice = store.data.findings.find((f) => f.resourceId === 'alice')!;
    expect(Date.parse(alice.firstSeen)).toBeGreaterThan(Date.parse(until));
    expect(alice.lastSeen).toBe('2026-11-23T09:08:00.000Z');
    expect(Date.parse(await history.stamp())).toBeGreaterThan(Date.parse(alice.firstSeen));
    await store.close();
  });
});
