import { SEVERITIES, type Severity } from '../audit/types.js';
import { compareStates, type FindingState } from './diff.js';
import { activeMutes } from './mutes.js';
import type { StoreReader } from './contract.js';
import type { MuteRecord, ScanRecord } from './records.js';

/**
 * What the digest reads of the history: the finding states of its accounts,
 * the mutes, the last scan of the accounts whose own scan failed (any scans
 * will do), and the totals of the last digest.
 */
export interface DigestSource {
  findings: readonly FindingState[];
  mutes: readonly MuteRecord[];
  scans: readonly ScanRecord[];
  digest: { totals: Readonly<Record<string, Readonly<Record<string, number>>>> };
}

/** Why a finding is back in the digest. */
export type ResurfacedWhy = 'reopened' | 'mute-expired' | 'unmuted';

export interface DigestItem {
  state: FindingState;
  /** For resurfaced findings: why it is back, and the mute that ended (mute expired, unmuted). */
  why?: ResurfacedWhy;
  mute?: MuteRecord;
}

/** How the digest's own scan of an account went. */
export interface ScanOutcome {
  alias: string;
  accountId: string;
  /** The history's id of the scan (for "Mute…" references); absent when the account could not be audited. */
  scanId?: string;
  /** Checks that could not run somewhere in the scan (their findings are neither new nor resolved there). */
  errors: number;
  /** Why the account could not be audited at all. */
  failure?: string;
}

export interface DigestAccount {
  alias: string;
  accountId: string;
  /** Other aliases of the same account id (their scans feed the same history). */
  otherAliases: string[];
  /** The digest's scan of this account; the newest scan in the history when the digest's own failed. */
  scanId: string | null;
  errors: number;
  failure: string | null;
  /** Open since the last digest (or ever, on the first digest); not muted. */
  new: DigestItem[];
  /** Open again since the last digest: came back after being resolved, or a mute ended. */
  resurfaced: DigestItem[];
  /** Were open at the last digest and are resolved now; not muted. */
  resolved: DigestItem[];
  /** Open and not muted, by severity, now. */
  open: Record<Severity, number>;
  /** The same at the last digest; null on an account's first digest. */
  openBefore: Record<Severity, number> | null;
  /** Open findings left out because they are muted. */
  muted: number;
}

export interface DigestData {
  /** The window: after `since` (the last digest's cursor; null on the first digest) up to `until`. */
  since: string | null;
  until: string;
  accounts: DigestAccount[];
  /** With organization discovery: accounts new to it, accounts no longer audited (their findings kept, not resolved), or why it could not be listed. */
  organization?: {
    joined: { alias: string; accountId: string; name: string }[];
    left: { alias: string; accountId: string; name: string; why: string }[];
    error?: string;
  };
}

function zeroCounts(): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
}

const after = (time: string | null, since: number | null, until: number): boolean => {
  if (time === null) return false;
  const t = Date.parse(time);
  return (since === null || t > since) && t <= until;
};

/** Items in report order (the renderer relies on it). */
export function compareItems(a: DigestItem, b: DigestItem): number {
  return compareStates(a.state, b.state);
}

/**
 * What the digest reports, from the history after its scans: per account,
 * what is new, back, or resolved since the last digest, and the open totals.
 * Findings under a mute in force at `until` are left out of every list and
 * counted. Pure: reads `data`, changes nothing.
 */
export function computeDigest(data: DigestSource, outcomes: readonly ScanOutcome[], since: string | null, until: Date): DigestData {
  const sinceMs = since === null ? null : Date.parse(since);
  const untilMs = until.getTime();
  const active = activeMutes(data.mutes, until);
  /** The last mute of each fingerprint that ended inside the window (expired or unmuted). */
  const endedInWindow = new Map<string, { mute: MuteRecord; why: 'mute-expired' | 'unmuted' }>();
  for (const mute of data.mutes) {
    if (mute.replacedBy !== undefined) continue; // replaced by a newer mute, not ended
    const ended = mute.unmutedAt !== null ? { at: mute.unmutedAt, why: 'unmuted' as const } : { at: mute.expiresAt, why: 'mute-expired' as const };
    if (!after(ended.at, sinceMs, untilMs)) continue;
    const known = endedInWindow.get(mute.fingerprint);
    if (!known || Date.parse(ended.at) > Date.parse(known.mute.unmutedAt ?? known.mute.expiresAt))
      endedInWindow.set(mute.fingerprint, { mute, why: ended.why });
  }

  const byAccount = new Map<string, FindingState[]>();
  for (const state of data.findings) {
    const list = byAccount.get(state.accountId) ?? [];
    list.push(state);
    byAccount.set(state.accountId, list);
  }

  const accounts: DigestAccount[] = [];
  const seenIds = new Map<string, DigestAccount>();
  for (const outcome of outcomes) {
    const existing = seenIds.get(outcome.accountId);
    if (existing) {
      // A second alias of an account already in the digest: one history, reported once.
      existing.otherAliases.push(outcome.alias);
      existing.errors += outcome.errors;
      if (outcome.failure && !existing.failure) existing.failure = `${outcome.alias}: ${outcome.failure}`;
      continue;
    }
    const account: DigestAccount = {
      alias: outcome.alias,
      accountId: outcome.accountId,
      otherAliases: [],
      scanId: outcome.scanId ?? data.scans.filter((s) => s.accountId === outcome.accountId).at(-1)?.id ?? null,
      errors: outcome.errors,
      failure: outcome.failure ?? null,
      new: [],
      resurfaced: [],
      resolved: [],
      open: zeroCounts(),
      openBefore: null,
      muted: 0,
    };
    const before = data.digest.totals[outcome.accountId];
    if (before) {
      account.openBefore = zeroCounts();
      for (const s of SEVERITIES) account.openBefore[s] = before[s] ?? 0;
    }
    for (const state of byAccount.get(outcome.accountId) ?? []) {
      const open = state.resolvedAt === null;
      if (active.has(state.fingerprint)) {
        if (open) account.muted++;
        continue;
      }
      if (!open) {
        // Resolved in the window, and the channel knew it as open: it was open at the last digest.
        if (sinceMs !== null && after(state.resolvedAt, sinceMs, untilMs) && Date.parse(state.firstSeen) <= sinceMs) account.resolved.push({ state });
        continue;
      }
      account.open[state.severity]++;
      const firstSeen = Date.parse(state.firstSeen);
      if (firstSeen > untilMs) continue; // seen after the window closed: news for the next digest
      if (sinceMs === null || firstSeen > sinceMs) {
        account.new.push({ state });
        continue;
      }
      const ended = endedInWindow.get(state.fingerprint);
      if (ended) account.resurfaced.push({ state, why: ended.why, mute: ended.mute });
      else if (after(state.reopenedAt, sinceMs, untilMs)) account.resurfaced.push({ state, why: 'reopened' });
    }
    account.new.sort(compareItems);
    account.resurfaced.sort(compareItems);
    account.resolved.sort(compareItems);
    seenIds.set(outcome.accountId, account);
    accounts.push(account);
  }
  return { since, until: until.toISOString(), accounts };
}

/** Whether nothing happened: nothing new, back or resolved, and every account audited. */
export function isQuiet(digest: DigestData): boolean {
  const org = digest.organization;
  if (org && (org.joined.length > 0 || org.left.length > 0 || org.error !== undefined)) return false;
  return digest.accounts.every((a) => a.new.length === 0 && a.resurfaced.length === 0 && a.resolved.length === 0 && a.failure === null);
}

/** The open totals to remember for next week's "change since last week", per account id. */
export function digestTotals(digest: DigestData): Record<string, Record<string, number>> {
  return Object.fromEntries(digest.accounts.map((a) => [a.accountId, { ...a.open }]));
}

/** Reads what `computeDigest` needs of the store, for these outcomes. */
export async function readDigestSource(store: StoreReader, outcomes: readonly ScanOutcome[]): Promise<DigestSource> {
  const failed = [...new Set(outcomes.filter((o) => o.scanId === undefined).map((o) => o.accountId))];
  const [findings, mutes, digest, scans] = await Promise.all([
    store.findings(),
    store.mutes(),
    store.digestState(),
    Promise.all(failed.map((accountId) => store.scans({ accountId, last: 1 }))),
  ]);
  return { findings, mutes, scans: scans.flat(), digest };
}
