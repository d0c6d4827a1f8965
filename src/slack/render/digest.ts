/**
 * The weekly security digest as Slack messages. Teams stop reading bots
 * that repost the same wall of findings, so the digest says only what
 * changed since the last one: what is new, what was resolved, what came
 * back, the open totals with their change, and which accounts could not be
 * audited. The channel message is a short summary; the findings themselves
 * go to thread replies (with "Mute…" menus), and a CSV holds every change
 * when the thread cannot. Pure: no clock, no I/O.
 */
import type { ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import { stringify } from 'csv-stringify/sync';
import type { Check, Severity } from '../../audit/types.js';
import { SEVERITIES } from '../../audit/types.js';
import { compareItems, isQuiet, type DigestAccount, type DigestData, type DigestItem } from '../../store/digest.js';
import { findingRef } from '../../store/mutes.js';
import { fixOf } from '../../remediation/actions/index.js';
import { spreadsheetSafe } from '../../terminal/sanitize.js';
import {
  blockSize,
  context,
  DIVIDER,
  fileStamp,
  DETAILS_PREFIX,
  FIX_PREFIX,
  header,
  jsonSize,
  packSections,
  section,
  SLACK_LIMITS,
  type Room,
  type SlackMessage,
  type Unit,
} from './blocks.js';
import { inlineMrkdwn, maskAccessKeyIds, plainText, plural, slackDate, truncateMrkdwn } from './mrkdwn.js';
import { byWhom } from './mutes.js';
import { muteLabel, SEVERITY_EMOJI, type ReportCsv } from './report.js';

export interface RenderDigestInput {
  digest: DigestData;
  /** Titles of the checks, by id (ALL_CHECKS). */
  checks: readonly Check[];
  /** Whether a fix is offered for a check's findings in an account: their menus then list them under "Fix" too. */
  fixable?: (accountId: string, fix: string) => boolean;
}

export interface RenderedDigest {
  /** Posted in the digest channel: the summary. */
  main: SlackMessage;
  /** Thread replies under `main`, in order: the details. */
  followUps: SlackMessage[];
  /** Every change (and every account that could not be audited), attached in the thread; null when the thread holds it all in one reply or less. */
  csv: ReportCsv | null;
  /** Nothing new, resolved or resurfaced, and every account audited: `main` is one line. */
  quiet: boolean;
}

/** The thread stops after this many replies: past that, nobody scrolls; the CSV has the rest. */
export const MAX_DETAIL_MESSAGES = 15;

/** Findings are listed in the channel message itself only when there are this few (and the summary is not cut). */
const MAIN_DETAIL_LINES = 10;
/** The channel message stays short: at most this much of it for account lines, and for accounts that could not be audited. */
const MAIN_ACCOUNTS_ROOM: Room = { blocks: 2, chars: 7_000 };
const MAIN_FAILURES_ROOM: Room = { blocks: 1, chars: 3_500 };
/** Quiet-week line: accounts whose checks could not run are named up to this many. */
const QUIET_NAMES_MAX = 5;

const LINE_MAX = 300;
const RESOURCE_MAX = 120;
const ALIAS_MAX = 80;
const OTHER_ALIASES_MAX = 120;
const FAILURE_MAX = 250;
const REASON_MAX = 150;

/** The columns of the digest CSV, in order. */
export const DIGEST_CSV_COLUMNS = [
  'alias',
  'accountId',
  'change',
  'why',
  'severity',
  'checkId',
  'title',
  'region',
  'resourceId',
  'message',
  'firstSeen',
  'resolvedAt',
  'reopenedAt',
  'mutedBy',
  'muteReason',
  'unmutedBy',
  'fingerprint',
] as const;

type Change = 'new' | 'resurfaced' | 'resolved';
const CHANGES: readonly Change[] = ['new', 'resurfaced', 'resolved'];
const CHANGE_LABEL: Record<Change, string> = { new: '*New*', resurfaced: '*Resurfaced*', resolved: '*Resolved*' };

/** Renders a digest: one line on a quiet week; otherwise a summary, thread replies with the details, and a CSV when they do not all fit. */
export function renderDigest(input: RenderDigestInput): RenderedDigest {
  const { digest } = input;
  const checks = new Map(input.checks.map((c) => [c.id, c]));
  const totals = summarize(digest);
  if (isQuiet(digest)) {
    return {
      main: { text: quietLine(digest, totals, 'text'), blocks: [section('quiet', quietLine(digest, totals, 'mrkdwn'))] },
      followUps: [],
      csv: null,
      quiet: true,
    };
  }

  const text = mainText(digest, totals);
  const head: KnownBlock[] = [header('Security digest'), context('context', windowLine(digest)), section('totals', totalsText(totals))];
  const org = organizationText(digest);
  if (org) head.push(section('organization', org));
  const reporting = digest.accounts.filter(hasNews);
  const unchanged = digest.accounts.filter((a) => a.failure === null && !hasNews(a)).length;
  const accountUnits = accountLines(reporting);
  const failureUnits = failureLines(digest.accounts.filter((a) => a.failure !== null));
  const perAccount = digest.accounts.map((a) => detailLines(a, checks, input.fixable)).filter((units) => units.length > 0);
  const detailUnits = perAccount.flat();

  // Room for the summary's own lines, with the notices that may follow them reserved at their longest.
  const reserved = [accountsMore(999_999, true), unchangedLine(999_999), failuresMore(999_999), whereNotice(9_999, true)];
  let room: Room = {
    blocks: SLACK_LIMITS.blocksPerMessage - head.length - 3 /* dividers */ - reserved.length,
    chars: SLACK_LIMITS.messageJson - jsonSize({ text, blocks: head }) - 3 * (blockSize(DIVIDER) + 1) - reserved.reduce((n, b) => n + blockSize(b) + 1, 0),
  };
  const failures = packSections(failureUnits, 0, smaller(room, MAIN_FAILURES_ROOM), 'failures');
  room = less(room, failures.blocks.length, failures.chars);
  const accounts = packSections(accountUnits, 0, smaller(room, MAIN_ACCOUNTS_ROOM), 'accounts');
  room = less(room, accounts.blocks.length, accounts.chars);

  // A small week fits in one message: the findings go right under the summary, no thread. (Its divider is among the three reserved.)
  const summaryComplete = failures.next === failureUnits.length && accounts.next === accountUnits.length;
  let details: SectionBlock[] = [];
  if (summaryComplete && detailUnits.length <= MAIN_DETAIL_LINES) {
    const packed = packSections(detailUnits, 0, room, 'details');
    if (packed.next === detailUnits.length) details = packed.blocks;
  }
  const everythingInMain = summaryComplete && (detailUnits.length === 0 || details.length > 0);
  const thread = everythingInMain
    ? { pages: [], cut: false }
    : fitThread({ from: accounts.next, units: accountUnits }, { from: failures.next, units: failureUnits }, perAccount);
  const followUps = thread.pages;
  const csv = followUps.length > 1 || thread.cut ? digestCsv(digest, checks, totals) : null;

  const blocks: KnownBlock[] = [...head];
  const accountsLeft = accountUnits.length - accounts.next;
  if (accounts.blocks.length > 0 || accountsLeft > 0 || unchanged > 0) {
    blocks.push(DIVIDER, ...accounts.blocks);
    if (accountsLeft > 0) blocks.push(accountsMore(accountsLeft, csv !== null));
    if (unchanged > 0) blocks.push(unchangedLine(unchanged));
  }
  if (failureUnits.length > 0) {
    blocks.push(DIVIDER, ...failures.blocks);
    if (failures.next < failureUnits.length) blocks.push(failuresMore(failureUnits.length - failures.next));
  }
  if (details.length > 0) blocks.push(DIVIDER, ...details);
  if (followUps.length > 0) blocks.push(whereNotice(followUps.length, csv !== null));

  return { main: { text, blocks }, followUps, csv, quiet: false };
}

// ---- counts ----------------------------------------------------------------------

interface Totals {
  accounts: number;
  new: number;
  resurfaced: number;
  resolved: number;
  open: Record<Severity, number>;
  /** Change of the open counts since the last digest, over the accounts that had one; null when none had. */
  delta: Record<Severity, number> | null;
  /** Open counts at the last digest, over the same accounts as `delta`. */
  before: Record<Severity, number>;
  /** Accounts in their first digest (left out of `delta`). */
  uncompared: number;
  muted: number;
  failed: number;
  /** Accounts where some checks could not run. */
  withErrors: number;
}

function zeroCounts(): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
}

const sum = (counts: Readonly<Record<Severity, number>>): number => SEVERITIES.reduce((n, s) => n + counts[s], 0);
const changeCount = (a: DigestAccount): number => a.new.length + a.resurfaced.length + a.resolved.length;
const openDelta = (a: DigestAccount): number | null => (a.openBefore === null ? null : sum(a.open) - sum(a.openBefore));
const num = (n: number): string => n.toLocaleString('en-US');

/** `+2`, `−1` (a real minus sign), `±0`. */
function signed(n: number): string {
  return n > 0 ? `+${num(n)}` : n < 0 ? `−${num(-n)}` : '±0';
}

/** ` (+2)` after a count; nothing when there is nothing to compare with or nothing changed. */
function deltaSuffix(delta: number | null | undefined): string {
  return delta === null || delta === undefined || delta === 0 ? '' : ` (${signed(delta)})`;
}

function summarize(digest: DigestData): Totals {
  const totals: Totals = {
    accounts: digest.accounts.length,
    new: 0,
    resurfaced: 0,
    resolved: 0,
    open: zeroCounts(),
    delta: null,
    before: zeroCounts(),
    uncompared: 0,
    muted: 0,
    failed: 0,
    withErrors: 0,
  };
  for (const a of digest.accounts) {
    totals.new += a.new.length;
    totals.resurfaced += a.resurfaced.length;
    totals.resolved += a.resolved.length;
    totals.muted += a.muted;
    if (a.failure !== null) totals.failed++;
    if (a.errors > 0) totals.withErrors++;
    for (const s of SEVERITIES) totals.open[s] += a.open[s];
    if (a.openBefore === null) {
      totals.uncompared++;
      continue;
    }
    totals.delta ??= zeroCounts();
    for (const s of SEVERITIES) {
      totals.delta[s] += a.open[s] - a.openBefore[s];
      totals.before[s] += a.openBefore[s];
    }
  }
  return totals;
}

/** Whether an account gets a line of its own in the summary: something changed, or something could not be checked. */
function hasNews(a: DigestAccount): boolean {
  const delta = openDelta(a);
  return changeCount(a) > 0 || a.errors > 0 || (delta !== null && delta !== 0);
}

// ---- the summary -----------------------------------------------------------------

/** A time in the reader's time zone, falling back to the ISO time. */
function date(iso: string): string {
  return slackDate(new Date(iso), undefined, iso);
}

/** A day in a line (`Nov 23, 2026` for the reader), falling back to the ISO day. */
function day(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return 'an unknown day';
  return slackDate(new Date(iso), '{date_short}', iso.slice(0, 10));
}

function quietLine(digest: DigestData, totals: Totals, form: 'mrkdwn' | 'text'): string {
  const errored = digest.accounts.filter((a) => a.errors > 0);
  const since = digest.since === null ? '' : ` since ${form === 'mrkdwn' ? date(digest.since) : digest.since.slice(0, 10)}`;
  const extras = [
    ...(totals.delta !== null && sum(totals.delta) !== 0 ? [signed(sum(totals.delta))] : []),
    ...(totals.muted > 0 ? [`${num(totals.muted)} muted`] : []),
  ];
  let line = `Quiet week across ${plural(totals.accounts, 'account')}: nothing new, resolved or resurfaced${since}. Open: ${num(sum(totals.open))}${extras.length > 0 ? ` (${extras.join(', ')})` : ''}.`;
  if (errored.length > 0) {
    const names = errored.slice(0, QUIET_NAMES_MAX).map((a) => inlineMrkdwn(a.alias, ALIAS_MAX));
    const more = errored.length > QUIET_NAMES_MAX ? ` and ${num(errored.length - QUIET_NAMES_MAX)} more` : '';
    line += ` Some checks could not run in ${plural(errored.length, 'account')} (${names.join(', ')}${more}): these are not passes.`;
  }
  // Not a clean bill when some checks could not run.
  if (form === 'mrkdwn') line = `${errored.length > 0 ? ':warning:' : ':white_check_mark:'} ${line}`;
  return truncateMrkdwn(line, form === 'mrkdwn' ? SLACK_LIMITS.sectionText : SLACK_LIMITS.plainLine);
}

function mainText(digest: DigestData, totals: Totals): string {
  const failed = totals.failed > 0 ? `; ${num(totals.failed)} could not be audited` : '';
  return `Security digest: ${num(totals.new)} new, ${num(totals.resolved)} resolved, ${num(totals.resurfaced)} resurfaced across ${plural(digest.accounts.length, 'account')}${failed}`;
}

function windowLine(digest: DigestData): string {
  const until = date(digest.until);
  const window = digest.since === null ? `First digest, up to ${until}` : `${date(digest.since)} → ${until}`;
  return truncateMrkdwn(`${window} · ${plural(digest.accounts.length, 'account')}`, SLACK_LIMITS.contextText);
}

function totalsText(totals: Totals): string {
  const lines = [`*${num(totals.new)} new* · *${num(totals.resolved)} resolved* · *${num(totals.resurfaced)} resurfaced*`];
  const delta = totals.delta;
  // Only severities there is something to say about: open now, or open at the last digest.
  const shown = SEVERITIES.filter((s) => totals.open[s] > 0 || (delta !== null && totals.before[s] > 0));
  const bySeverity = shown.map((s) => `${SEVERITY_EMOJI[s]} ${num(totals.open[s])} ${s}${deltaSuffix(delta?.[s])}`).join('   ');
  const muted = totals.muted > 0 ? ` · ${num(totals.muted)} muted` : '';
  lines.push(`*Open: ${num(sum(totals.open))}*${deltaSuffix(delta === null ? null : sum(delta))}${bySeverity ? `   ${bySeverity}` : ''}${muted}`);
  if (delta !== null && totals.uncompared > 0)
    lines.push(`_Changes since the last digest leave out ${plural(totals.uncompared, 'account')} in their first digest_`);
  if (totals.failed > 0) lines.push(`:warning: ${plural(totals.failed, 'account')} could not be audited (see below)`);
  if (totals.withErrors > 0) lines.push(`:warning: Some checks could not run in ${plural(totals.withErrors, 'account')}: these are not passes`);
  return lines.join('\n');
}

/** Names listed in the organization lines, at most. */
const ORG_NAMES_MAX = 10;

/** Accounts new to the organization, accounts no longer audited (and why), or why it could not be listed. */
function organizationText(digest: DigestData): string | undefined {
  const org = digest.organization;
  if (!org) return undefined;
  const lines: string[] = [];
  const name = (a: { alias: string; accountId: string }) => `*${inlineMrkdwn(a.alias, ALIAS_MAX)}* (${inlineMrkdwn(a.accountId, 40)})`;
  const more = (n: number) => (n > ORG_NAMES_MAX ? ` and ${num(n - ORG_NAMES_MAX)} more` : '');
  if (org.joined.length > 0)
    lines.push(
      `:new: *New in the organization* (${num(org.joined.length)}): ${org.joined.slice(0, ORG_NAMES_MAX).map(name).join(', ')}${more(org.joined.length)}`,
    );
  if (org.left.length > 0) {
    const left = org.left
      .slice(0, ORG_NAMES_MAX)
      .map((a) => `${name(a)}: ${inlineMrkdwn(a.why, 120)}`)
      .join(', ');
    lines.push(
      `:outbox_tray: *No longer audited* (${num(org.left.length)}): ${left}${more(org.left.length)}. Their findings are kept as they were, not counted as resolved.`,
    );
  }
  if (org.error) lines.push(`:warning: ${inlineMrkdwn(org.error, 400)}: the accounts found before were audited.`);
  return lines.length > 0 ? truncateMrkdwn(lines.join('\n'), SLACK_LIMITS.sectionText) : undefined;
}

export function accountName(a: DigestAccount): string {
  const others = a.otherAliases.length > 0 ? `, also ${inlineMrkdwn(a.otherAliases.join(', '), OTHER_ALIASES_MAX)}` : '';
  return `*${inlineMrkdwn(a.alias, ALIAS_MAX)}* (${inlineMrkdwn(a.accountId, 40)}${others})`;
}

/** `3 new · 1 resurfaced · 2 resolved`, leaving out zeros. */
function changeParts(a: DigestAccount): string[] {
  return CHANGES.filter((c) => a[c].length > 0).map((c) => `${num(a[c].length)} ${c}`);
}

function accountLines(accounts: readonly DigestAccount[]): Unit[] {
  const header = '*Accounts*';
  const continued = '*Accounts* (continued)';
  return accounts.map((a, i) => {
    const parts = changeParts(a);
    parts.push(`open ${num(sum(a.open))}${deltaSuffix(openDelta(a))}`);
    if (a.muted > 0) parts.push(`${num(a.muted)} muted`);
    if (a.errors > 0) parts.push(`:warning: ${num(a.errors)} could not be checked`);
    if (a.failure !== null) parts.push(':warning: not audited (see below)');
    return { header, continued, first: i === 0, line: `• ${accountName(a)}: ${parts.join(' · ')}` };
  });
}

function failureLines(accounts: readonly DigestAccount[]): Unit[] {
  const header = `:warning: *Could not audit* (${num(accounts.length)})`;
  const continued = ':warning: *Could not audit* (continued)';
  return accounts.map((a, i) => ({ header, continued, first: i === 0, line: `• ${accountName(a)}: ${inlineMrkdwn(a.failure ?? '', FAILURE_MAX)}` }));
}

function accountsMore(count: number, csv: boolean): SectionBlock {
  return section('accounts-more', `…and ${plural(count, 'more account')}: see the thread${csv ? ' and the CSV' : ''}`);
}

function unchangedLine(count: number): ContextBlock {
  return context('unchanged', `${plural(count, 'account')} unchanged`);
}

function failuresMore(count: number): ContextBlock {
  return context('failures-more', `…and ${num(count)} more that could not be audited: all of them are listed in the thread`);
}

function whereNotice(replies: number, csv: boolean): ContextBlock {
  return context('where', `:thread: Details in the thread (${plural(replies, 'reply', 'replies')})${csv ? ' · CSV attached there with every change' : ''}`);
}

// ---- details -----------------------------------------------------------------------

/**
 * One account's changes: new, then resurfaced, then resolved, each grouped by
 * severity and check. The account's first group breaks the section, so a
 * "Mute…" menu never lists two accounts' findings.
 */
export function detailLines(a: DigestAccount, checks: ReadonlyMap<string, Check>, fixable?: (accountId: string, fix: string) => boolean): Unit[] {
  const units: Unit[] = [];
  const name = accountName(a);
  const heading = `${name} — ${changeParts(a).join(' · ')}`;
  for (const change of CHANGES) {
    const items = [...a[change]].sort(compareItems);
    for (let i = 0; i < items.length; ) {
      const { severity, checkId } = items[i]!.state;
      let end = i;
      while (end < items.length && items[end]!.state.severity === severity && items[end]!.state.checkId === checkId) end++;
      const title = `${SEVERITY_EMOJI[severity]} *${inlineMrkdwn(checks.get(checkId)?.title ?? checkId, SLACK_LIMITS.titleText)}*`;
      const group = `${CHANGE_LABEL[change]} · ${title} (${end - i}) · \`${inlineMrkdwn(checkId, 100)}\``;
      const firstOfAccount = units.length === 0;
      const header = firstOfAccount ? `${heading}\n${group}` : group;
      const continued = `${name} · ${CHANGE_LABEL[change]} · ${title} (continued)`;
      for (let j = i; j < end; j++) {
        const item = items[j]!;
        const unit: Unit = { header, continued, first: j === i, line: detailLine(change, item) };
        if (firstOfAccount && j === i) unit.sectionBreak = true;
        if (a.scanId !== null) {
          const value = findingRef(a.scanId, item.state.fingerprint);
          if (value.length + DETAILS_PREFIX.length <= SLACK_LIMITS.optionValue) {
            unit.details = { value: `${DETAILS_PREFIX}${value}`, label: muteLabel(item.state.resourceId, item.state.region) };
          }
        }
        if (change !== 'resolved' && a.scanId !== null) {
          const value = findingRef(a.scanId, item.state.fingerprint);
          if (value.length <= SLACK_LIMITS.optionValue) unit.mute = { value, label: muteLabel(item.state.resourceId, item.state.region) };
          const fix = fixOf(item.state);
          if (fix && value.length + FIX_PREFIX.length <= SLACK_LIMITS.optionValue && fixable?.(a.accountId, fix.id)) {
            unit.fix = { value: `${FIX_PREFIX}${value}`, label: muteLabel(item.state.resourceId, item.state.region) };
          }
        }
        units.push(unit);
      }
      i = end;
    }
  }
  return units;
}

function detailLine(change: Change, item: DigestItem): string {
  const s = item.state;
  const prefix = `• ${inlineMrkdwn(s.resourceId, RESOURCE_MAX)} · ${inlineMrkdwn(s.region, 40)} — `;
  if (change !== 'resurfaced') return prefix + inlineMrkdwn(s.message, LINE_MAX - prefix.length);
  // The why gets its own room: who muted it and why matters more than the end of the message.
  return `${prefix}${inlineMrkdwn(s.message, Math.max(60, 200 - prefix.length))} — ${resurfacedWhy(item)}`;
}

/** Why a finding is back: it came back after being resolved, its mute expired, or someone unmuted it. */
function resurfacedWhy(item: DigestItem): string {
  const mute = item.mute;
  const muted = mute ? `muted by ${byWhom(mute.mutedBy, mute)} on ${day(mute.mutedAt)}: ${inlineMrkdwn(mute.reason, REASON_MAX)}` : '';
  switch (item.why) {
    case 'reopened':
      return item.state.reopenedAt ? `came back ${day(item.state.reopenedAt)} after being resolved` : 'came back after being resolved';
    case 'mute-expired':
      return mute ? `mute expired ${day(mute.expiresAt)} — ${muted}` : 'mute expired';
    case 'unmuted':
      return mute ? `unmuted by ${byWhom(mute.unmutedBy, mute)} on ${day(mute.unmutedAt)} (${muted})` : 'unmuted';
    default:
      return 'resurfaced';
  }
}

// ---- the thread --------------------------------------------------------------------

interface Rest {
  from: number;
  units: readonly Unit[];
}

interface Thread {
  pages: SlackMessage[];
  /** Whether something is not in the thread (only in the CSV). */
  cut: boolean;
}

/**
 * The thread: every account line and change when they fit in
 * MAX_DETAIL_MESSAGES replies. When they do not, every account gets the same
 * number of lines (its most important first: new by severity, then
 * resurfaced, then resolved), as many as fit, so that no account's changes
 * are all left out because others came first; each says how many more are
 * only in the CSV.
 */
function fitThread(accounts: Rest, failures: Rest, perAccount: readonly (readonly Unit[])[]): Thread {
  const whole = threadPages(accounts, failures, perAccount.flat(), 0);
  if (!whole.cut || whole.summaryLeft > 0) return whole;
  let best: Thread | undefined;
  let low = 1;
  let high = Math.max(...perAccount.map((units) => units.length)) - 1;
  while (low <= high) {
    const quota = Math.floor((low + high) / 2);
    const heldBack = perAccount.reduce((n, units) => n + Math.max(0, units.length - quota), 0);
    const attempt = threadPages(
      accounts,
      failures,
      perAccount.flatMap((units) => capped(units, quota)),
      heldBack,
    );
    if (attempt.detailsLeft === 0 && attempt.summaryLeft === 0) {
      best = attempt;
      low = quota + 1;
    } else high = quota - 1;
  }
  return best ?? whole;
}

/** An account's first `quota` lines, then one saying how many more are only in the CSV. */
function capped(units: readonly Unit[], quota: number): readonly Unit[] {
  if (units.length <= quota) return units;
  const last = units[quota - 1]!;
  return [
    ...units.slice(0, quota),
    {
      header: last.header,
      continued: last.continued,
      first: false,
      line: `_…and ${plural(units.length - quota, 'more change')} in this account: only in the CSV_`,
    },
  ];
}

/**
 * Thread replies: the account lines and failures the summary had no room
 * for (they come first: no account is left out of the thread before a single
 * finding is), then the details, at most MAX_DETAIL_MESSAGES replies. When
 * something is not in them (`heldBack` changes left out beforehand, or what
 * did not fit), the last one says what is only in the CSV.
 */
function threadPages(accounts: Rest, failures: Rest, details: readonly Unit[], heldBack: number): Thread & { summaryLeft: number; detailsLeft: number } {
  const streams = [
    { prefix: 'accounts', units: accounts.units, next: accounts.from },
    { prefix: 'failures', units: failures.units, next: failures.from },
    { prefix: 'details', units: details, next: 0 },
  ];
  // Sized for the longest part numbers and counts, so the real blocks always fit what was reserved.
  const reserve = jsonSize({ text: continuedText(9999, 9999), blocks: [continuedContext(9999, 9999)] }) + blockSize(cutNotice(999_999, 999_999)) + 1;
  const dividerSize = blockSize(DIVIDER) + 1;
  const pages: KnownBlock[][] = [];
  const remaining = () => streams.some((s) => s.next < s.units.length);
  while (remaining() && pages.length < MAX_DETAIL_MESSAGES) {
    let room: Room = { blocks: SLACK_LIMITS.blocksPerMessage - 2 /* context, notice */, chars: SLACK_LIMITS.messageJson - reserve };
    const blocks: KnownBlock[] = [];
    for (const stream of streams) {
      if (stream.next >= stream.units.length) continue;
      const divider = blocks.length > 0 ? 1 : 0;
      const packed = packSections(stream.units, stream.next, less(room, divider, divider * dividerSize), stream.prefix);
      if (packed.blocks.length === 0) break;
      blocks.push(...(divider ? [DIVIDER] : []), ...packed.blocks);
      room = less(room, divider + packed.blocks.length, divider * dividerSize + packed.chars);
      stream.next = packed.next;
      if (stream.next < stream.units.length) break; // this reply is full
    }
    if (blocks.length === 0) throw new Error('digest line larger than a whole Slack message'); // cannot happen: lines are capped
    pages.push(blocks);
  }
  const [a, f, d] = streams.map((s) => s.units.length - s.next) as [number, number, number];
  const cut = a + f + d + heldBack > 0;
  if (cut) pages.at(-1)?.push(cutNotice(d + heldBack, a + f));
  return {
    pages: pages.map((blocks, i) => ({ text: continuedText(i + 1, pages.length), blocks: [continuedContext(i + 1, pages.length), ...blocks] })),
    cut,
    summaryLeft: a + f,
    detailsLeft: d,
  };
}

function cutNotice(changes: number, accounts: number): SectionBlock {
  const alsoAccounts = accounts > 0 ? ` (so are ${plural(accounts, 'more account line')})` : '';
  return section(
    'cut',
    `:page_facing_up: The thread stops here: ${plural(changes, 'more change is', 'more changes are')} only in the CSV attached to this thread${alsoAccounts}`,
  );
}

function continuedText(part: number, parts: number): string {
  return `Security digest, continued (${part}/${parts})`;
}

function continuedContext(part: number, parts: number): ContextBlock {
  return context('continued', `Security digest, continued · part ${part} of ${parts}`);
}

function smaller(a: Room, b: Room): Room {
  return { blocks: Math.min(a.blocks, b.blocks), chars: Math.min(a.chars, b.chars) };
}

function less(room: Room, blocks: number, chars: number): Room {
  return { blocks: room.blocks - blocks, chars: room.chars - chars };
}

// ---- CSV -----------------------------------------------------------------------------

/** Every change of every account, plus one `not-audited` row per account that could not be audited; safe to open in a spreadsheet. */
function digestCsv(digest: DigestData, checks: ReadonlyMap<string, Check>, totals: Totals): ReportCsv {
  type Row = Record<(typeof DIGEST_CSV_COLUMNS)[number], string>;
  const empty = (): Row => Object.fromEntries(DIGEST_CSV_COLUMNS.map((c) => [c, ''])) as Row;
  const rows: Row[] = [];
  for (const a of digest.accounts) {
    if (a.failure !== null) rows.push({ ...empty(), alias: a.alias, accountId: a.accountId, change: 'not-audited', message: a.failure });
    for (const change of CHANGES) {
      for (const item of [...a[change]].sort(compareItems)) {
        const s = item.state;
        rows.push({
          alias: a.alias,
          accountId: a.accountId,
          change,
          why: item.why ?? '',
          severity: s.severity,
          checkId: s.checkId,
          title: checks.get(s.checkId)?.title ?? '',
          region: s.region,
          resourceId: s.resourceId,
          message: s.message,
          firstSeen: s.firstSeen,
          resolvedAt: s.resolvedAt ?? '',
          reopenedAt: s.reopenedAt ?? '',
          mutedBy: item.mute?.mutedBy ?? '',
          muteReason: item.mute?.reason ?? '',
          unmutedBy: item.mute?.unmutedBy ?? '',
          fingerprint: s.fingerprint,
        });
      }
    }
  }
  const cells = rows.map((row) => DIGEST_CSV_COLUMNS.map((c) => spreadsheetSafe(maskAccessKeyIds(row[c]))));
  return {
    filename: `digest-${fileStamp(digest.until)}.csv`,
    content: stringify([[...DIGEST_CSV_COLUMNS], ...cells]),
    title: plainText(
      `Security digest ${digest.until.slice(0, 10)}: ${num(totals.new)} new, ${num(totals.resolved)} resolved, ${num(totals.resurfaced)} resurfaced`,
      250,
    ),
  };
}

// ---- terminal --------------------------------------------------------------------------

/** Our mrkdwn back to text: dates as their fallback, mentions as `@U123`, entities unescaped (`&amp;` last, so `&amp;lt;` stays `&lt;`). */
function unMrkdwn(text: string): string {
  return text
    .replace(/<!date\^[^|<>]*\|([^<>]*)>/g, '$1')
    .replace(/<@([A-Z0-9]+)>/g, '@$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * Plain-text form of the messages for a terminal (`digest --dry-run`):
 * header, section and context texts in order, one message after another
 * (a divider is a blank line); menus left out.
 */
export function digestAsText(rendered: RenderedDigest): string {
  return messagesAsText([rendered.main, ...rendered.followUps]);
}

/** Slack messages as plain text (a dry run's output), one after the other. */
export function messagesAsText(list: readonly SlackMessage[]): string {
  const messages = list.map((m) =>
    m.blocks
      .flatMap((block): string[] => {
        if (block.type === 'header') return [block.text.text];
        if (block.type === 'section') return block.text ? [unMrkdwn(block.text.text)] : [];
        if (block.type === 'context') return [block.elements.map((e) => ('text' in e && typeof e.text === 'string' ? unMrkdwn(e.text) : '')).join(' ')];
        if (block.type === 'divider') return [''];
        return [];
      })
      .join('\n'),
  );
  return `${messages.join('\n\n')}\n`;
}
