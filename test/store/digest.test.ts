import { describe, expect, it } from 'vitest';
import type { FindingState } from '../../src/store/diff.js';
import { computeDigest, digestTotals, isQuiet, type ScanOutcome } from '../../src/store/digest.js';
import { emptyStore, type MuteRecord, type StoreData } from '../../src/store/store.js';

const A = '111111111111';
const B = '222222222222';
const SINCE = '2026-11-16T09:00:00.000Z';
const UNTIL = new Date('2026-11-23T09:00:00.000Z');

function state(resourceId: string, overrides: Partial<FindingState> = {}): FindingState {
  return {
    fingerprint: `fp-${resourceId}`,
    checkId: 'iam.user-console-mfa',
    accountId: A,
    region: 'global',
    resourceId,
    severity: 'high',
    message: `${resourceId} has no MFA`,
    firstSeen: '2026-11-01T09:00:00.000Z',
    lastSeen: '2026-11-23T08:00:00.000Z',
    resolvedAt: null,
    reopenedAt: null,
    ...overrides,
  };
}

function mute(resourceId: string, overrides: Partial<MuteRecord> = {}): MuteRecord {
  return {
    id: `mute-${resourceId}`,
    fingerprint: `fp-${resourceId}`,
    accountId: A,
    reason: 'accepted',
    mutedBy: 'U0ALICE01',
    mutedAt: '2026-11-02T09:00:00.000Z',
    expiresAt: '2026-12-31T00:00:00.000Z',
    unmutedBy: null,
    unmutedAt: null,
    ...overrides,
  };
}

function data(findings: FindingState[], mutes: MuteRecord[] = [], totals: StoreData['digest']['totals'] = {}): StoreData {
  const d = emptyStore();
  d.findings = findings;
  d.mutes = mutes;
  d.digest.totals = totals;
  d.scans = [{ id: 'scan-a', alias: 'a', accountId: A, startedAt: '2026-11-23T08:00:00.000Z', checkIds: [], regions: [], findings: 0, errors: 0 }];
  return d;
}

const outcomes: ScanOutcome[] = [
  { alias: 'a', accountId: A, scanId: 'scan-a2', errors: 0 },
  { alias: 'b', accountId: B, errors: 0 },
];

const ids = (items: { state: FindingState }[]) => items.map((i) => i.state.resourceId);

describe('computeDigest', () => {
  it('sorts the window into new, resurfaced and resolved; what happened before it, or came and went inside it, is not news', () => {
    const d = computeDigest(
      data([
        state('old-open'),
        state('new-open', { firstSeen: '2026-11-20T09:00:00.000Z', severity: 'critical' }),
        state('fixed', { resolvedAt: '2026-11-20T09:00:00.000Z' }),
        state('fixed-before', { resolvedAt: '2026-11-10T09:00:00.000Z' }),
        state('came-and-went', { firstSeen: '2026-11-18T09:00:00.000Z', resolvedAt: '2026-11-19T09:00:00.000Z' }),
        state('back', { reopenedAt: '2026-11-21T09:00:00.000Z' }),
        state('back-last-week', { reopenedAt: '2026-11-10T09:00:00.000Z' }),
        state('after-until', { firstSeen: '2026-11-23T09:00:01.000Z' }),
      ]),
      outcomes,
      SINCE,
      UNTIL,
    );
    const [a, b] = d.accounts;
    // Seen after the window closed (an /audit while the digest was being prepared): news for the next digest.
    expect(ids(a!.new)).toEqual(['new-open']);
    expect(ids(a!.resolved)).toEqual(['fixed']);
    expect(a!.resurfaced.map((i) => [i.state.resourceId, i.why])).toEqual([['back', 'reopened']]);
    expect(a!.open).toMatchObject({ critical: 1, high: 4 });
    expect(a!.scanId).toBe('scan-a2');
    expect(b).toMatchObject({ alias: 'b', new: [], open: { high: 0 }, scanId: null });
    expect(isQuiet(d)).toBe(false);
  });

  it('lists everything open as new on the first digest, and nothing as resolved or resurfaced', () => {
    const d = computeDigest(
      data([state('x', { reopenedAt: '2026-11-21T09:00:00.000Z' }), state('y', { resolvedAt: '2026-11-20T09:00:00.000Z' })]),
      outcomes,
      null,
      UNTIL,
    );
    expect(ids(d.accounts[0]!.new)).toEqual(['x']);
    expect(d.accounts[0]!.resurfaced).toEqual([]);
    expect(d.accounts[0]!.resolved).toEqual([]);
    expect(d.accounts[0]!.openBefore).toBeNull();
  });

  it('leaves muted findings out and counts them; an expired or lifted mute resurfaces its finding once, a replaced one does not', () => {
    const d = computeDigest(
      data(
        [
          state('muted'),
          state('muted-new', { firstSeen: '2026-11-20T09:00:00.000Z' }),
          state('expired'),
          state('lifted'),
          state('expired-last-week'),
          state('re-muted'),
          state('muted-fixed', { resolvedAt: '2026-11-20T09:00:00.000Z' }),
        ],
        [
          mute('muted'),
          mute('muted-new'),
          mute('expired', { expiresAt: '2026-11-20T00:00:00.000Z' }),
          mute('lifted', { unmutedAt: '2026-11-21T10:00:00.000Z', unmutedBy: 'U0BOB0001' }),
          mute('expired-last-week', { expiresAt: '2026-11-10T00:00:00.000Z' }),
          { ...mute('re-muted', { unmutedAt: '2026-11-21T10:00:00.000Z', unmutedBy: 'U0BOB0001' }), replacedBy: 'mute-re-muted-2' },
          mute('re-muted', { id: 'mute-re-muted-2', mutedAt: '2026-11-21T10:00:00.000Z' }),
          mute('muted-fixed'),
        ],
      ),
      outcomes,
      SINCE,
      UNTIL,
    );
    const a = d.accounts[0]!;
    expect(ids(a.new)).toEqual([]);
    expect(ids(a.resolved)).toEqual([]);
    expect(a.resurfaced.map((i) => [i.state.resourceId, i.why, i.mute?.id])).toEqual([
      ['expired', 'mute-expired', 'mute-expired'],
      ['lifted', 'unmuted', 'mute-lifted'],
    ]);
    expect(a.muted).toBe(3);
    expect(a.open.high).toBe(3); // expired, lifted, expired-last-week
  });

  it("reports the open totals against the last digest's, and remembers them by account id", () => {
    const d = computeDigest(data([state('x'), state('y', { severity: 'low' })], [], { [A]: { high: 3, critical: 1 } }), outcomes, SINCE, UNTIL);
    expect(d.accounts[0]!.openBefore).toMatchObject({ critical: 1, high: 3, low: 0 });
    expect(digestTotals(d)[A]).toMatchObject({ critical: 0, high: 1, low: 1 });
    expect(digestTotals(d)[B]).toMatchObject({ high: 0 });
  });

  it('reports two aliases of one account once; a failure of either is told; quiet needs every account audited', () => {
    const d = computeDigest(
      data([]),
      [
        { alias: 'a-us', accountId: A, scanId: 's1', errors: 1 },
        { alias: 'a-eu', accountId: A, errors: 0, failure: 'AccessDenied' },
      ],
      SINCE,
      UNTIL,
    );
    expect(d.accounts).toHaveLength(1);
    expect(d.accounts[0]).toMatchObject({ alias: 'a-us', otherAliases: ['a-eu'], errors: 1, failure: 'a-eu: AccessDenied' });
    expect(isQuiet(d)).toBe(false);
    expect(isQuiet(computeDigest(data([]), [{ alias: 'a', accountId: A, scanId: 's', errors: 0 }], SINCE, UNTIL))).toBe(true);
  });
});
