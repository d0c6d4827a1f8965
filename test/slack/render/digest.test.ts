import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../../checks/index.js';
import type { Severity } from '../../../src/audit/types.js';
import { SEVERITIES } from '../../../src/audit/types.js';
import type { DigestAccount, DigestData, DigestItem } from '../../../src/store/digest.js';
import type { FindingState } from '../../../src/store/diff.js';
import { findingRef, parseFindingRef } from '../../../src/store/mutes.js';
import type { MuteRecord } from '../../../src/store/store.js';
import type { SlackMessage } from '../../../src/slack/render/blocks.js';
import { DIGEST_CSV_COLUMNS, digestAsText, MAX_DETAIL_MESSAGES, renderDigest, type RenderedDigest } from '../../../src/slack/render/digest.js';
import { blockKitViolations, menuEntries } from '../../helpers/slack.js';

// ---- fixtures --------------------------------------------------------------------

const SINCE = '2026-11-16T09:00:00.000Z';
const UNTIL = '2026-11-23T09:00:00.000Z';
const SINCE_TOKEN = '<!date^1794819600^{date_short_pretty} {time}|2026-11-16T09:00:00.000Z>';
const UNTIL_TOKEN = '<!date^1795424400^{date_short_pretty} {time}|2026-11-23T09:00:00.000Z>';
/** `<!date^…^{date_short}|2026-11-20>` for a day in a line. */
const dayToken = (iso: string) => `<!date^${Date.parse(iso) / 1000}^{date_short}|${iso.slice(0, 10)}>`;

function counts(partial: Partial<Record<Severity, number>> = {}): Record<Severity, number> {
  return { critical: 0, high: 0, medium: 0, low: 0, info: 0, ...partial };
}

function state(fingerprint: string, overrides: Partial<FindingState> = {}): FindingState {
  return {
    fingerprint,
    checkId: 'iam.root-mfa',
    accountId: '123456789012',
    region: 'global',
    resourceId: 'root',
    severity: 'critical',
    message: 'Root user has no MFA.',
    firstSeen: '2026-11-20T09:00:00.000Z',
    lastSeen: UNTIL,
    resolvedAt: null,
    reopenedAt: null,
    ...overrides,
  };
}

function mute(overrides: Partial<MuteRecord> = {}): MuteRecord {
  return {
    id: 'mute-1',
    fingerprint: 'fp-x',
    accountId: '123456789012',
    reason: 'accepted risk until the migration',
    mutedBy: 'U0ALICE01',
    mutedAt: '2026-10-01T12:00:00.000Z',
    expiresAt: '2026-11-20T00:00:00.000Z',
    unmutedBy: null,
    unmutedAt: null,
    ...overrides,
  };
}

function account(overrides: Partial<DigestAccount> = {}): DigestAccount {
  return {
    alias: 'prod',
    accountId: '123456789012',
    otherAliases: [],
    scanId: 'scan-prod',
    errors: 0,
    failure: null,
    new: [],
    resurfaced: [],
    resolved: [],
    open: counts(),
    openBefore: counts(),
    muted: 0,
    ...overrides,
  };
}

function digest(accounts: DigestAccount[], since: string | null = SINCE): DigestData {
  return { since, until: UNTIL, accounts };
}

const REGIONS = ['us-east-1', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'sa-east-1'];
const WHYS = ['reopened', 'mute-expired', 'unmuted'] as const;

/**
 * `accounts` accounts with `perAccount` changes each, spread over every kind
 * of change, check, severity and region; long messages. Resource ids
 * `res-003-0042` and aliases `acct-003` identify them in the output.
 */
function bigDigest(accounts: number, perAccount: number): DigestData {
  return digest(
    Array.from({ length: accounts }, (_, a) => {
      const aa = String(a).padStart(3, '0');
      const accountId = String(100_000_000_000 + a);
      const acct = account({
        alias: `acct-${aa}`,
        accountId,
        scanId: a % 9 === 4 ? null : `scan-${aa}`,
        errors: a % 11 === 3 ? 2 : 0,
        failure: a % 13 === 5 ? `AccessDenied: not authorized to assume role in acct-${aa}` : null,
        open: counts({ critical: a % 3, high: 5, medium: a % 4 }),
        openBefore: a % 7 === 0 ? null : counts({ critical: 1, high: 5, medium: 2 }),
        muted: a % 5,
      });
      for (let i = 0; i < perAccount; i++) {
        const c = ALL_CHECKS[(i * 7 + a) % ALL_CHECKS.length]!;
        const resourceId = `res-${aa}-${String(i).padStart(4, '0')}`;
        const s = state(`fp-${aa}-${String(i).padStart(4, '0')}`, {
          accountId,
          checkId: c.id,
          severity: SEVERITIES[Math.floor(i / 5) % SEVERITIES.length]!,
          region: c.scope === 'global' ? 'global' : REGIONS[i % REGIONS.length]!,
          resourceId,
          message: `${c.title} fails for ${resourceId}: ${'details & more <context> '.repeat(1 + (i % 6))}`.trim(),
        });
        if (i % 5 === 0) acct.resolved.push({ state: { ...s, resolvedAt: '2026-11-21T09:00:00.000Z' } });
        else if (i % 5 === 1) {
          const why = WHYS[i % 3]!;
          const item: DigestItem = { state: { ...s, reopenedAt: why === 'reopened' ? '2026-11-19T09:00:00.000Z' : null }, why };
          if (why === 'mute-expired') item.mute = mute({ fingerprint: s.fingerprint, reason: `reason ${'x'.repeat(300)}` });
          if (why === 'unmuted') item.mute = mute({ fingerprint: s.fingerprint, unmutedBy: 'U0BOB0001', unmutedAt: '2026-11-18T08:00:00.000Z' });
          acct.resurfaced.push(item);
        } else acct.new.push({ state: s });
      }
      return acct;
    }),
  );
}

/** Every change of a digest, as `change:fingerprint`. */
const changesOf = (d: DigestData) =>
  d.accounts.flatMap((a) => (['new', 'resurfaced', 'resolved'] as const).flatMap((c) => a[c].map((i) => `${c}:${i.state.fingerprint}`)));

// ---- what a message looks like ---------------------------------------------------

type AnyBlock = {
  type: string;
  block_id?: string;
  text?: { type: string; text: string; verbatim?: boolean };
  elements?: { type: string; text: string; verbatim?: boolean }[];
  accessory?: { type: string; action_id: string };
};

const messages = (r: RenderedDigest): SlackMessage[] => [r.main, ...r.followUps];
/** The "Mute" entries of a section's finding menu. */
const mutes = (b: unknown) => menuEntries(b).filter((e) => e.group === 'Mute');
const blocksOf = (m: SlackMessage): AnyBlock[] => m.blocks as AnyBlock[];
const block = (m: SlackMessage, id: string): AnyBlock | undefined => blocksOf(m).find((b) => b.block_id === id);
const textOf = (m: SlackMessage, id: string): string => {
  const b = block(m, id);
  return b?.text?.text ?? b?.elements?.[0]?.text ?? '';
};

/** Every mrkdwn text object of a message. */
function mrkdwnTexts(m: SlackMessage): { text: string; verbatim?: boolean }[] {
  return blocksOf(m)
    .flatMap((b) => [...(b.text ? [b.text] : []), ...(b.elements ?? [])])
    .filter((t) => t.type === 'mrkdwn');
}

const sectionsOf = (m: SlackMessage, prefix: string): AnyBlock[] =>
  blocksOf(m).filter((b) => b.type === 'section' && b.block_id?.startsWith(`${prefix}-`) && /-\d+$/.test(b.block_id));

/** The `• ` lines of the sections whose block_id starts with `prefix-`. */
function linesOf(m: SlackMessage, prefix: string): string[] {
  return sectionsOf(m, prefix)
    .flatMap((b) => b.text!.text.split('\n'))
    .filter((l) => l.startsWith('• '));
}

const resourceIdOf = (line: string) => /^• (res-\d+-\d+) · /.exec(line)?.[1];

function expectWithinLimits(m: SlackMessage): void {
  expect(blockKitViolations(m as unknown as Record<string, unknown>)).toEqual([]);
  expect(m.blocks.length).toBeLessThanOrEqual(50);
  expect(JSON.stringify({ text: m.text, blocks: m.blocks }).length).toBeLessThanOrEqual(30_000);
  expect(m.text.length).toBeGreaterThan(0);
  expect(m.text.length).toBeLessThanOrEqual(4000);
  const ids = blocksOf(m).flatMap((b) => (b.block_id ? [b.block_id] : []));
  expect(new Set(ids).size).toBe(ids.length);
  for (const b of blocksOf(m)) {
    if (b.type === 'section') expect(b.text!.text.length).toBeLessThanOrEqual(3000);
    if (b.type === 'header') expect(b.text!.text.length).toBeLessThanOrEqual(150);
    if (b.type === 'context') for (const e of b.elements!) expect(e.text.length).toBeLessThanOrEqual(2000);
    if (b.accessory) {
      const entries = menuEntries(b);
      expect(entries.length).toBeLessThanOrEqual(100);
      for (const o of entries) {
        expect(o.label.length).toBeLessThanOrEqual(75);
        expect(o.value.length).toBeLessThanOrEqual(150);
      }
    }
  }
}

function render(d: DigestData): RenderedDigest {
  return renderDigest({ digest: d, checks: ALL_CHECKS });
}

// ---- tests -----------------------------------------------------------------------

describe('renderDigest: fixes', () => {
  it('offers Fix only for findings the audit marked fixable, asking with the action id (a recorded "fix: null" has none)', () => {
    const key = (fp: string, fix: string | null | undefined) =>
      state(fp, { checkId: 'iam.credentials-unused', severity: 'medium', resourceId: `user-${fp}`, message: 'unused', ...(fix === undefined ? {} : { fix }) });
    const asked: string[] = [];
    const r = renderDigest({
      digest: digest([
        account({
          new: [{ state: key('fp-a', 'iam.deactivate-access-key') }, { state: key('fp-b', null) }, { state: key('fp-c', undefined) }],
          open: counts({ medium: 3 }),
        }),
      ]),
      checks: ALL_CHECKS,
      fixable: (accountId, fix) => (asked.push(`${accountId}:${fix}`), true),
    });
    type Grouped = { accessory?: { option_groups?: { label: { text: string }; options: { value: string }[] }[] } };
    const groups = messages(r).flatMap((m) => (m.blocks as Grouped[]).flatMap((b) => b.accessory?.option_groups ?? []));
    const fixes = groups.filter((g) => g.label.text === 'Fix').flatMap((g) => g.options.map((o) => o.value));
    // fp-c was recorded before states kept `fix`: its check's action applies.
    expect(fixes).toEqual(['fix:scan-prod:fp-a', 'fix:scan-prod:fp-c']);
    expect(asked).toEqual(['123456789012:iam.deactivate-access-key', '123456789012:iam.deactivate-access-key']);
  });
});

describe('renderDigest: a quiet week', () => {
  const quiet = digest(
    Array.from({ length: 40 }, (_, i) =>
      account({
        alias: `acct-${i}`,
        accountId: String(100_000_000_000 + i),
        open: counts(i < 19 ? { high: 3 } : {}),
        openBefore: counts(i < 19 ? { high: 3 } : {}),
        muted: i < 3 ? 1 : 0,
      }),
    ),
  );

  it('is one line: one section block, no header, no follow-ups, no CSV', () => {
    const r = render(quiet);
    expect(r.quiet).toBe(true);
    expect(r.followUps).toEqual([]);
    expect(r.csv).toBeNull();
    expect(r.main.blocks).toEqual([
      {
        type: 'section',
        block_id: 'quiet',
        text: {
          type: 'mrkdwn',
          verbatim: true,
          text: `:white_check_mark: Quiet week across 40 accounts: nothing new, resolved or resurfaced since ${SINCE_TOKEN}. Open: 57 (3 muted).`,
        },
      },
    ]);
    expect(r.main.text).toBe('Quiet week across 40 accounts: nothing new, resolved or resurfaced since 2026-11-16. Open: 57 (3 muted).');
    expectWithinLimits(r.main);
  });

  it('shows the change of the open total when muting or unmuting moved it', () => {
    const moved = digest([account({ open: counts({ high: 2 }), openBefore: counts({ high: 4 }), muted: 2 })]);
    expect(textOf(render(moved).main, 'quiet')).toContain('Open: 2 (−2, 2 muted).');
  });

  it('is no clean bill when checks could not run: a warning that names the accounts', () => {
    const accounts = quiet.accounts.map((a, i) => (i % 5 === 0 ? { ...a, errors: 1 } : a));
    const r = render({ ...quiet, accounts });
    expect(r.quiet).toBe(true);
    expect(r.main.blocks).toHaveLength(1);
    const line = textOf(r.main, 'quiet');
    expect(line).toMatch(/^:warning: Quiet week/);
    expect(line).not.toContain('white_check_mark');
    expect(line).toContain('Some checks could not run in 8 accounts (acct-0, acct-5, acct-10, acct-15, acct-20 and 3 more): these are not passes.');
  });

  it('on the very first digest says no "since"', () => {
    expect(textOf(render({ ...quiet, since: null }).main, 'quiet')).toContain('nothing new, resolved or resurfaced. Open: 57');
  });
});

describe('renderDigest: a small week', () => {
  const prod = account({
    new: [
      { state: state('fp-1') },
      {
        state: state('fp-2', {
          checkId: 'ec2.sg-open-all',
          severity: 'high',
          region: 'us-east-1',
          resourceId: 'sg-1',
          message: 'Every port open to 0.0.0.0/0.',
        }),
      },
    ],
    resurfaced: [{ state: state('fp-3', { resourceId: 'alice', reopenedAt: '2026-11-20T10:00:00.000Z' }), why: 'reopened' }],
    resolved: [{ state: state('fp-4', { resourceId: 'bob', resolvedAt: '2026-11-21T10:00:00.000Z' }) }],
    open: counts({ critical: 2, high: 3 }),
    openBefore: counts({ high: 3 }),
    muted: 1,
  });
  const dev = account({ alias: 'dev', accountId: '210987654321', scanId: 'scan-dev', open: counts({ medium: 1 }), openBefore: counts({ medium: 2 }) });
  const sandbox = account({
    alias: 'sandbox',
    accountId: '333333333333',
    scanId: 'scan-sb',
    new: [
      {
        state: state('fp-5', {
          accountId: '333333333333',
          severity: 'low',
          checkId: 'ec2.imdsv2',
          resourceId: 'i-1',
          region: 'eu-west-1',
          message: 'IMDSv1 allowed.',
        }),
      },
    ],
    open: counts({ low: 4 }),
    openBefore: null,
  });
  const idle = account({ alias: 'idle', accountId: '444444444444', open: counts({ info: 1 }), openBefore: counts({ info: 1 }) });
  const d = digest([prod, dev, sandbox, idle]);

  it('has the summary first: header, window, totals with signed changes, one line per account with news', () => {
    const r = render(d);
    expect(r.quiet).toBe(false);
    expect(r.main.text).toBe('Security digest: 3 new, 1 resolved, 1 resurfaced across 4 accounts');
    const blocks = blocksOf(r.main);
    expect(blocks[0]).toEqual({ type: 'header', block_id: 'header', text: { type: 'plain_text', text: 'Security digest' } });
    expect(textOf(r.main, 'context')).toBe(`${SINCE_TOKEN} → ${UNTIL_TOKEN} · 4 accounts`);
    expect(textOf(r.main, 'totals')).toBe(
      [
        '*3 new* · *1 resolved* · *1 resurfaced*',
        // critical +2 (prod), medium −1 (dev); sandbox has no baseline and is left out of the changes.
        '*Open: 11* (+1)   :red_circle: 2 critical (+2)   :large_orange_circle: 3 high   :large_yellow_circle: 1 medium (−1)   :large_blue_circle: 4 low   :white_circle: 1 info · 1 muted',
        '_Changes since the last digest leave out 1 account in their first digest_',
      ].join('\n'),
    );
    expect(textOf(r.main, 'accounts-1')).toBe(
      [
        '*Accounts*',
        '• *prod* (123456789012): 2 new · 1 resurfaced · 1 resolved · open 5 (+2) · 1 muted',
        '• *dev* (210987654321): open 1 (−1)',
        '• *sandbox* (333333333333): 1 new · open 4',
      ].join('\n'),
    );
    expect(textOf(r.main, 'unchanged')).toBe('1 account unchanged');
    expect(JSON.stringify(r.main)).not.toContain('idle');
  });

  it('lists so few findings right in the summary message: no thread, no CSV', () => {
    const r = render(d);
    expect(r.followUps).toEqual([]);
    expect(r.csv).toBeNull();
    expect(block(r.main, 'where')).toBeUndefined();
    const details = sectionsOf(r.main, 'details');
    expect(details).toHaveLength(2); // one per account: a menu never mixes accounts
    expect(details[0]!.text!.text).toBe(
      [
        '*prod* (123456789012) — 2 new · 1 resurfaced · 1 resolved',
        '*New* · :red_circle: *Root user has MFA* (1) · `iam.root-mfa`',
        '• root · global — Root user has no MFA.',
        '',
        '*New* · :large_orange_circle: *No security group opens every port to the internet* (1) · `ec2.sg-open-all`',
        '• sg-1 · us-east-1 — Every port open to 0.0.0.0/0.',
        '',
        '*Resurfaced* · :red_circle: *Root user has MFA* (1) · `iam.root-mfa`',
        `• alice · global — Root user has no MFA. — came back ${dayToken('2026-11-20T10:00:00.000Z')} after being resolved`,
        '',
        '*Resolved* · :red_circle: *Root user has MFA* (1) · `iam.root-mfa`',
        '• bob · global — Root user has no MFA.',
      ].join('\n'),
    );
    // New and resurfaced can be muted from here; resolved cannot.
    expect(mutes(details[0]!).map((o) => o.value)).toEqual(['scan-prod:fp-1', 'scan-prod:fp-2', 'scan-prod:fp-3']);
    expect(mutes(details[0]!).map((o) => o.label)).toEqual(['root', 'sg-1 · us-east-1', 'alice']);
    expect(mutes(details[1]!).map((o) => o.value)).toEqual(['scan-sb:fp-5']);
    expectWithinLimits(r.main);
  });

  it('shows no change at all on the first digest', () => {
    const first = digest(
      d.accounts.map((a) => ({ ...a, openBefore: null })),
      null,
    );
    const r = render(first);
    expect(textOf(r.main, 'context')).toBe(`First digest, up to ${UNTIL_TOKEN} · 4 accounts`);
    const totals = textOf(r.main, 'totals');
    expect(totals).toContain('*Open: 11*   :red_circle: 2 critical   :large_orange_circle: 3 high   :large_yellow_circle: 1 medium');
    expect(totals).not.toMatch(/\([+−±]/);
    expect(totals).not.toContain('leave out');
    expect(textOf(r.main, 'accounts-1')).toContain('• *prod* (123456789012): 2 new · 1 resurfaced · 1 resolved · open 5 · 1 muted');
    expect(JSON.stringify(r.main)).not.toMatch(/\((?:\+|−)\d/);
  });

  it('leaves out severities that are zero now and were zero before', () => {
    const r = render(digest([prod]));
    const open = textOf(r.main, 'totals').split('\n')[1]!;
    expect(open).toBe('*Open: 5* (+2)   :red_circle: 2 critical (+2)   :large_orange_circle: 3 high · 1 muted');
  });

  it('is deterministic: the order of the items does not matter', () => {
    const shuffled = digest(d.accounts.map((a) => ({ ...a, new: [...a.new].reverse(), resolved: [...a.resolved].reverse() })));
    expect(render(shuffled)).toEqual(render(d));
  });
});

describe('renderDigest: resurfaced findings say why', () => {
  const expired = mute({
    fingerprint: 'fp-2',
    mutedBy: 'U0ALICE01',
    mutedAt: '2026-10-01T12:00:00.000Z',
    expiresAt: '2026-11-20T00:00:00.000Z',
    reason: 'waiting for the vendor',
  });
  const unmuted = mute({
    fingerprint: 'fp-3',
    mutedBy: 'W0CAROL01',
    mutedAt: '2026-09-01T12:00:00.000Z',
    reason: 'known',
    unmutedBy: 'U0BOB0001',
    unmutedAt: '2026-11-18T08:00:00.000Z',
  });
  const d = digest([
    account({
      resurfaced: [
        { state: state('fp-1', { resourceId: 'r-1', reopenedAt: '2026-11-19T09:00:00.000Z' }), why: 'reopened' },
        { state: state('fp-2', { resourceId: 'r-2' }), why: 'mute-expired', mute: expired },
        { state: state('fp-3', { resourceId: 'r-3' }), why: 'unmuted', mute: unmuted },
      ],
    }),
  ]);

  it('came back after being resolved, mute expired (who, when, why), unmuted (by whom)', () => {
    const lines = linesOf(render(d).main, 'details');
    expect(lines).toEqual([
      `• r-1 · global — Root user has no MFA. — came back ${dayToken('2026-11-19T09:00:00.000Z')} after being resolved`,
      `• r-2 · global — Root user has no MFA. — mute expired ${dayToken('2026-11-20T00:00:00.000Z')} — muted by <@U0ALICE01> on ${dayToken('2026-10-01T12:00:00.000Z')}: waiting for the vendor`,
      `• r-3 · global — Root user has no MFA. — unmuted by <@U0BOB0001> on ${dayToken('2026-11-18T08:00:00.000Z')} (muted by <@W0CAROL01> on ${dayToken('2026-09-01T12:00:00.000Z')}: known)`,
    ]);
  });

  it('names the config file (and its entry) for a mute written there, ended by its rule or by its removal', () => {
    const fromConfig = { mutedBy: 'config', unmutedBy: 'config', source: 'config' as const, label: 'mutes[3]', reason: 'public site' };
    const lines = linesOf(
      render(
        digest([
          account({
            resurfaced: [{ state: state('fp-4', { resourceId: 'r-4' }), why: 'unmuted', mute: mute({ ...fromConfig, unmutedAt: '2026-11-18T08:00:00.000Z' }) }],
          }),
        ]),
      ).main,
      'details',
    );
    expect(lines[0]).toContain('— unmuted by the config (`mutes[3]`) on');
    expect(lines[0]).toContain('(muted by the config (`mutes[3]`) on');
    expect(lines[0]).not.toContain('<@config>');
  });

  it('mentions only what looks like a Slack user id; anything else is escaped text', () => {
    const forged = digest([
      account({
        resurfaced: [{ state: state('fp-2'), why: 'mute-expired', mute: mute({ mutedBy: '<!channel>', reason: '<!here> & <https://evil.example|click>' }) }],
      }),
    ]);
    const line = linesOf(render(forged).main, 'details')[0]!;
    expect(line).toContain('muted by &lt;!channel&gt; on ');
    expect(line).toContain(': &lt;!here&gt; &amp; &lt;https://evil.example|click&gt;');
    expect(line).not.toContain('<@');
  });
});

describe('renderDigest: accounts that could not be audited, checks that could not run', () => {
  const d = digest([
    account({ alias: 'prod', new: [{ state: state('fp-1') }], open: counts({ critical: 1 }) }),
    account({
      alias: 'dev',
      accountId: '210987654321',
      failure: 'AssumeRole denied: <!channel> & <https://evil.example|reset your password>',
      open: counts({ high: 2 }),
      openBefore: counts({ high: 2 }),
    }),
    account({ alias: 'ops', accountId: '310987654321', failure: 'no credentials' }),
    account({ alias: 'stage', accountId: '410987654321', errors: 3 }),
  ]);

  it('lists every failed account with its reason, escaped, and says so in the totals and the notification', () => {
    const r = render(d);
    expect(r.quiet).toBe(false);
    expect(r.main.text).toBe('Security digest: 1 new, 0 resolved, 0 resurfaced across 4 accounts; 2 could not be audited');
    expect(textOf(r.main, 'failures-1')).toBe(
      [
        ':warning: *Could not audit* (2)',
        '• *dev* (210987654321): AssumeRole denied: &lt;!channel&gt; &amp; &lt;https://evil.example|reset your password&gt;',
        '• *ops* (310987654321): no credentials',
      ].join('\n'),
    );
    const totals = textOf(r.main, 'totals');
    expect(totals).toContain(':warning: 2 accounts could not be audited (see below)');
    expect(totals).toContain(':warning: Some checks could not run in 1 account: these are not passes');
    // A failed account is not "unchanged": nobody knows.
    expect(block(r.main, 'unchanged')).toBeUndefined();
  });

  it('says per account when checks could not run', () => {
    expect(textOf(render(d).main, 'accounts-1')).toContain('• *stage* (410987654321): open 0 · :warning: 3 could not be checked');
  });

  it('is not quiet when an account could not be audited, even with nothing else to say', () => {
    const r = render(digest([account({ failure: 'expired token' })]));
    expect(r.quiet).toBe(false);
    expect(textOf(r.main, 'failures-1')).toContain('expired token');
    expect(r.followUps).toEqual([]);
  });
});

describe('renderDigest: untrusted strings', () => {
  const HOSTILE = '<!channel> <https://evil.example|click> & *bold* <@U123>';
  const d = digest([
    account({
      alias: `prod${HOSTILE}`,
      otherAliases: [`ro${HOSTILE}`],
      failure: `failed ${HOSTILE}`,
      new: [
        {
          state: state('fp-1', {
            resourceId: `${HOSTILE}\n• forged · global — fake line`,
            region: `us-east-1${HOSTILE}`,
            message: `Tag Owner=${HOSTILE} ${'x'.repeat(500)}`,
          }),
        },
      ],
      resurfaced: [{ state: state('fp-2', { checkId: `not.known${HOSTILE}` }), why: 'mute-expired', mute: mute({ reason: HOSTILE, mutedBy: HOSTILE }) }],
      resolved: [{ state: state('fp-3', { message: HOSTILE }) }],
    }),
  ]);

  it('escapes every one of them in every mrkdwn text and in the notification text', () => {
    const r = render(d);
    for (const m of messages(r)) {
      for (const t of mrkdwnTexts(m)) {
        // The only Slack tokens in our output are the dates we build ourselves.
        expect(t.text.replace(/<!date\^\d+\^[^|<>]*\|[^<>]*>/g, '')).not.toMatch(/[<>]/);
        expect(t.verbatim).toBe(true);
      }
      expect(m.text).not.toMatch(/[<>]/);
      expectWithinLimits(m);
    }
    const json = JSON.stringify(r.main);
    // The alias is cut to 80 characters after escaping, never inside an entity.
    expect(json).toContain('*prod&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; *bold* &lt;@U123…* (123456789012');
    expect(json).toContain('• &lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; *bold* &lt;@U123&gt; • forged');
    expect(json).toContain('also ro&lt;!channel&gt;');
    expect(json).toContain('failed &lt;!channel&gt;');
  });

  it('keeps AWS text on its own line: a newline in a name cannot forge a finding', () => {
    const lines = linesOf(render(d).main, 'details');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^• &lt;!channel&gt; .* • forged · global — fake line · us-east-1&lt;!channel&gt;/);
  });
});

describe('renderDigest: mute menus', () => {
  /** Enough findings that the details go to the thread. */
  const d = digest([
    account({
      alias: 'a',
      accountId: '111111111111',
      scanId: 'scan-a',
      new: Array.from({ length: 8 }, (_, i) => ({ state: state(`fa-${i}`, { resourceId: `ra-${i}` }) })),
      resolved: [{ state: state('fa-r', { resourceId: 'ra-r' }) }],
    }),
    account({
      alias: 'b',
      accountId: '222222222222',
      scanId: 'scan-b',
      resurfaced: [{ state: state('fb-1', { resourceId: 'rb-1', region: 'eu-west-1' }), why: 'reopened' }],
      resolved: [{ state: state('fb-r', { resourceId: 'rb-r' }) }],
    }),
    account({ alias: 'c', accountId: '333333333333', scanId: null, new: [{ state: state('fc-1', { resourceId: 'rc-1' }) }] }),
  ]);
  const r = render(d);

  it('sends details to one thread reply when there are more than a few; one reply needs no CSV', () => {
    expect(r.followUps).toHaveLength(1);
    expect(r.csv).toBeNull();
    expect(textOf(r.main, 'where')).toBe(':thread: Details in the thread (1 reply)');
    expect(sectionsOf(r.main, 'details')).toEqual([]);
    expect(r.followUps[0]!.text).toBe('Security digest, continued (1/1)');
    expect(textOf(r.followUps[0]!, 'continued')).toBe('Security digest, continued · part 1 of 1');
    expectWithinLimits(r.followUps[0]!);
  });

  it('offers new and resurfaced findings to mute with their finding reference, resolved ones only for details, none without a scan id, never two accounts in one menu', () => {
    const sections = sectionsOf(r.followUps[0]!, 'details');
    expect(sections).toHaveLength(3);
    const values = sections.map((s) => (s.accessory ? mutes(s).map((o) => o.value) : undefined));
    expect(values[0]).toEqual(Array.from({ length: 8 }, (_, i) => findingRef('scan-a', `fa-${i}`)));
    expect(values[1]).toEqual([findingRef('scan-b', 'fb-1')]);
    expect(values[2]).toBeUndefined(); // scanId null: no menu
    expect(mutes(sections[1]!)[0]!.label).toBe('rb-1 · eu-west-1');
    for (const s of sections) {
      expect(s.accessory?.action_id ?? 'mute_finding').toBe('mute_finding');
      const scans = new Set(mutes(s).map((o) => parseFindingRef(o.value)!.scanId));
      expect(scans.size).toBeLessThanOrEqual(1);
    }
    // A resolved finding has Details, never Mute.
    const entries = sections.flatMap((s) => menuEntries(s));
    expect(entries.filter((e) => e.value.endsWith(':fa-r')).map((e) => e.group)).toEqual(['Details']);
    expect(entries.filter((e) => e.value.endsWith(':fb-r')).map((e) => e.group)).toEqual(['Details']);
    expect(entries.filter((e) => e.group === 'Details').map((e) => e.value)).toContain(`details:${findingRef('scan-a', 'fa-0')}`);
  });
});

describe('renderDigest: CSV', () => {
  it('guards against spreadsheet formulas and masks access key ids', () => {
    const d = bigDigest(3, 40);
    d.accounts[0]!.new[0]!.state = {
      ...d.accounts[0]!.new[0]!.state,
      resourceId: '=HYPERLINK("https://evil.example","x")',
      message: 'key AKIAIOSFODNN7EXAMPLE is old',
    };
    d.accounts[1]!.alias = '@SUM(A1)';
    const r = render(d);
    expect(r.csv).not.toBeNull();
    const rows = parse(r.csv!.content) as string[][];
    expect(rows[0]).toEqual([...DIGEST_CSV_COLUMNS]);
    const col = (name: (typeof DIGEST_CSV_COLUMNS)[number]) => DIGEST_CSV_COLUMNS.indexOf(name);
    expect(rows.some((row) => row[col('resourceId')] === `'=HYPERLINK("https://evil.example","x")`)).toBe(true);
    expect(rows.some((row) => row[col('alias')] === "'@SUM(A1)")).toBe(true);
    expect(r.csv!.content).not.toMatch(/(AKIA|ASIA)[A-Z0-9]{16}/);
    expect(r.csv!.content).toContain('AKIA…MPLE');
    expect(JSON.stringify(messages(r))).not.toMatch(/(AKIA|ASIA)[A-Z0-9]{16}/);
    expect(r.csv!.filename).toBe('digest-20261123-0900.csv');
    expect(r.csv!.title).toBe('Security digest 2026-11-23: 72 new, 24 resolved, 24 resurfaced');
  });
});

describe('renderDigest: large digests stay within Slack limits', () => {
  it('40 accounts with 2,000 changes: every message within limits, at most 15 replies, the CSV holds every change once', () => {
    const d = bigDigest(40, 50);
    const r = render(d);
    for (const m of messages(r)) expectWithinLimits(m);
    // The details do not fit: the thread is capped at 15 replies.
    expect(MAX_DETAIL_MESSAGES).toBe(15);
    expect(r.followUps).toHaveLength(15);
    expect(textOf(r.main, 'where')).toBe(`:thread: Details in the thread (${r.followUps.length} replies) · CSV attached there with every change`);
    r.followUps.forEach((m, i) => {
      expect(m.text).toBe(`Security digest, continued (${i + 1}/${r.followUps.length})`);
      expect(blocksOf(m)[0]!.elements![0]!.text).toBe(`Security digest, continued · part ${i + 1} of ${r.followUps.length}`);
    });

    // The thread lists each change at most once; the last reply says how many are only in the CSV.
    const shown = r.followUps.flatMap((m) => linesOf(m, 'details').map(resourceIdOf));
    expect(shown.every((id) => id !== undefined)).toBe(true);
    expect(new Set(shown).size).toBe(shown.length);
    const cut = textOf(r.followUps.at(-1)!, 'cut');
    const left = Number(/: ([\d,]+) more changes are only in the CSV/.exec(cut)?.[1]?.replace(/,/g, ''));
    expect(shown.length + left).toBe(2000);
    // Fair: every account has its most important changes in the thread, and says how many more are only in the CSV.
    const detailTexts = r.followUps.flatMap((m) => sectionsOf(m, 'details').map((b) => b.text!.text)).join('\n');
    for (const a of d.accounts) {
      const firstNew = [...a.new].sort(
        (x, y) =>
          SEVERITIES.indexOf(x.state.severity) - SEVERITIES.indexOf(y.state.severity) ||
          x.state.checkId.localeCompare(y.state.checkId) ||
          x.state.region.localeCompare(y.state.region),
      )[0]!;
      expect(detailTexts).toContain(`• ${firstNew.state.resourceId} · `);
    }
    const heldBack = [...detailTexts.matchAll(/_…and ([\d,]+) more changes in this account: only in the CSV_/g)].map((m) => Number(m[1]!.replace(/,/g, '')));
    expect(heldBack).toHaveLength(40);
    expect(heldBack.reduce((x, y) => x + y, 0)).toBe(left);

    // Every menu lists one account's findings, none resolved.
    const resolved = new Set(d.accounts.flatMap((a) => a.resolved.map((i) => i.state.fingerprint)));
    for (const m of r.followUps) {
      for (const s of sectionsOf(m, 'details')) {
        const refs = mutes(s).map((o) => parseFindingRef(o.value)!);
        expect(new Set(refs.map((ref) => ref.scanId)).size).toBeLessThanOrEqual(1);
        expect(new Set(refs.map((ref) => ref.fingerprint.slice(0, 6))).size).toBeLessThanOrEqual(1);
        for (const ref of refs) expect(resolved.has(ref.fingerprint)).toBe(false);
      }
    }

    const rows = parse(r.csv!.content) as string[][];
    expect(rows[0]).toEqual([...DIGEST_CSV_COLUMNS]);
    const change = DIGEST_CSV_COLUMNS.indexOf('change');
    const fingerprint = DIGEST_CSV_COLUMNS.indexOf('fingerprint');
    const changeRows = rows.slice(1).filter((row) => row[change] !== 'not-audited');
    expect(changeRows.map((row) => `${row[change]}:${row[fingerprint]}`).sort()).toEqual(changesOf(d).sort());
    expect(rows.slice(1).filter((row) => row[change] === 'not-audited')).toHaveLength(d.accounts.filter((a) => a.failure !== null).length);
    const why = DIGEST_CSV_COLUMNS.indexOf('why');
    expect(new Set(changeRows.filter((row) => row[change] === 'resurfaced').map((row) => row[why]))).toEqual(new Set(WHYS));
  });

  it('500 accounts: the summary still fits, and no account is silently dropped', () => {
    const d = bigDigest(500, 3);
    // Some accounts with nothing to report: counted, not listed.
    for (const a of d.accounts.slice(0, 20)) Object.assign(a, { new: [], resurfaced: [], resolved: [], errors: 0, failure: null, openBefore: { ...a.open } });
    const r = render(d);
    for (const m of messages(r)) expectWithinLimits(m);
    expect(r.followUps.length).toBeLessThanOrEqual(15);
    expect(r.main.blocks.length).toBeLessThanOrEqual(20);
    const listed = linesOf(r.main, 'accounts').length;
    expect(listed).toBeGreaterThan(10);
    expect(textOf(r.main, 'accounts-more')).toBe(`…and ${480 - listed} more accounts: see the thread and the CSV`);
    expect(textOf(r.main, 'unchanged')).toBe('20 accounts unchanged');
    expect(r.csv).not.toBeNull();

    const everywhere = JSON.stringify(messages(r)) + r.csv!.content;
    for (const a of d.accounts.slice(20)) expect(everywhere).toContain(a.alias);
    // Every account line is in main or the thread, exactly once.
    const accountLines = messages(r).flatMap((m) => linesOf(m, 'accounts'));
    expect(accountLines.map((l) => /^• \*(acct-\d+)\*/.exec(l)?.[1]).sort()).toEqual(
      d.accounts
        .slice(20)
        .map((a) => a.alias)
        .sort(),
    );
    // So is every failure.
    const failureLines = messages(r).flatMap((m) => linesOf(m, 'failures'));
    expect(failureLines).toHaveLength(d.accounts.filter((a) => a.failure !== null).length);
  });

  it('very long names and messages are cut, never a section over 3,000 characters', () => {
    const d = bigDigest(2, 60);
    for (const a of d.accounts) {
      a.alias = `${a.alias}-${'&'.repeat(400)}`;
      for (const c of ['new', 'resurfaced', 'resolved'] as const)
        for (const i of a[c]) i.state = { ...i.state, resourceId: `${i.state.resourceId}-${'&'.repeat(400)}`, message: '<'.repeat(2000) };
    }
    const r = render(d);
    for (const m of messages(r)) expectWithinLimits(m);
    const lines = messages(r).flatMap((m) => linesOf(m, 'details'));
    expect(lines).toHaveLength(120);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(900);
  });
});

describe('digestAsText', () => {
  it('reads like the messages, with dates as text, mentions as @id, entities unescaped and no menus', () => {
    const d = digest([
      account({
        alias: 'prod & <co>',
        new: [{ state: state('fp-1') }],
        resurfaced: [
          { state: state('fp-2', { resourceId: 'r-2' }), why: 'unmuted', mute: mute({ unmutedBy: 'U0BOB0001', unmutedAt: '2026-11-18T08:00:00.000Z' }) },
        ],
        open: counts({ critical: 2 }),
        openBefore: counts({ critical: 1 }),
      }),
      account({ alias: 'dev', accountId: '210987654321', failure: 'denied <!channel>' }),
    ]);
    const text = digestAsText(render(d));
    expect(text).not.toContain('<!date^');
    expect(text).not.toContain('&amp;');
    expect(text).not.toContain('mute_finding');
    expect(text).toContain('Security digest\n2026-11-16T09:00:00.000Z → 2026-11-23T09:00:00.000Z · 2 accounts\n*1 new* · *0 resolved* · *1 resurfaced*');
    expect(text).toContain('• *prod & <co>* (123456789012): 1 new · 1 resurfaced · open 2 (+1)');
    expect(text).toContain('• *dev* (210987654321): denied <!channel>');
    expect(text).toContain('— unmuted by @U0BOB0001 on 2026-11-18 (muted by @U0ALICE01 on 2026-10-01: accepted risk until the migration)');
  });

  it('is the one line on a quiet week, and includes the thread replies otherwise', () => {
    expect(digestAsText(render(digest([account({ open: counts({ high: 1 }), openBefore: counts({ high: 1 }) })])))).toBe(
      ':white_check_mark: Quiet week across 1 account: nothing new, resolved or resurfaced since 2026-11-16T09:00:00.000Z. Open: 1.\n',
    );
    const r = render(bigDigest(3, 40));
    const text = digestAsText(r);
    expect(text).toContain(`Security digest, continued · part ${r.followUps.length} of ${r.followUps.length}`);
    expect(text).toContain('• res-002-0039 · ');
  });
});
