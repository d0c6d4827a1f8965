import { randomUUID } from 'node:crypto';
import type { FindingState } from './diff.js';
import { accountLock, type Store } from './contract.js';
import type { MuteRecord, ScanRecord } from './records.js';

/** Mutes last 30 days unless the muter picks otherwise, and never more than 365. */
export const MUTE_DEFAULT_DAYS = 30;
export const MUTE_MAX_DAYS = 365;
export const MUTE_REASON_MAX = 500;

/**
 * What a Slack control carries to name a finding: the scan that reported it
 * and the finding's fingerprint. Opaque to the user, and never trusted: the
 * server looks both up in the history.
 */
export function findingRef(scanId: string, fingerprint: string): string {
  return `${scanId}:${fingerprint}`;
}

const REF = /^([A-Za-z0-9-]{1,64}):([A-Za-z0-9_-]{1,64})$/;

export function parseFindingRef(value: unknown): { scanId: string; fingerprint: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = REF.exec(value);
  return match ? { scanId: match[1]!, fingerprint: match[2]! } : undefined;
}

/** A finding named by a reference, as the history knows it. */
export interface ReferencedFinding {
  state: FindingState;
  /** The scan named by the reference; undefined once it aged out of the history (the finding itself is still known). */
  scan: ScanRecord | undefined;
}

export type Lookup = { found: true; finding: ReferencedFinding } | { found: false; reason: string };

/** The calendar day (`2026-12-23`) of a time in a time zone. */
export function dayIn(at: Date, timeZone: string): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** `day` plus `days` calendar days. */
function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** How far a time zone's clocks are ahead of UTC at `t` (ms). */
function offsetAt(t: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(new Date(t))
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) - Math.floor(t / 1000) * 1000;
}

/** The moment a calendar day starts in a time zone. */
function startOfDay(day: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  const guess = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(guess, timeZone); // again at the guess, for a day on which the offset changes
}

/** The day the date picker offers: 30 days from today, in the bot's time zone. */
export function defaultMuteDay(now: Date, timeZone = 'UTC'): string {
  return addDays(dayIn(now, timeZone), MUTE_DEFAULT_DAYS);
}

/**
 * Validates the chosen last day of a mute: after today and at most 365 days
 * from today, both in `timeZone` (the team's: the digest's time zone). The
 * mute lasts through that day and ends when the next day starts there.
 */
export function muteExpiry(day: unknown, now: Date, timeZone = 'UTC'): { expiresAt: string } | { error: string } {
  if (typeof day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return { error: 'Pick the day the mute ends.' };
  if (addDays(day, 0) !== day) return { error: `${day} is not a date.` };
  const today = dayIn(now, timeZone);
  if (day <= today) return { error: 'Pick a day after today.' };
  const last = addDays(today, MUTE_MAX_DAYS);
  if (day > last) return { error: `A mute lasts at most ${MUTE_MAX_DAYS} days: pick ${last} or earlier.` };
  return { expiresAt: endOfDay(day, timeZone) };
}

/** When a mute that holds through `day` (in `timeZone`) ends: as the next day starts there. */
export function endOfDay(day: string, timeZone = 'UTC'): string {
  return new Date(startOfDay(addDays(day, 1), timeZone)).toISOString();
}

/** Who muted, for a mute written in the config file (`mutes:`) rather than from Slack. */
export const CONFIG_MUTER = 'config';

/** Whether a mute comes from the config file. */
export function isConfigMute(mute: Pick<MuteRecord, 'source'>): boolean {
  return mute.source === 'config';
}

/** A mute's reason as typed, trimmed; an error when there is none or it is too long. */
export function muteReason(reason: unknown): { reason: string } | { error: string } {
  const text = typeof reason === 'string' ? reason.trim() : '';
  if (text === '') return { error: 'Say why this finding is muted: the reason is what the next reader sees.' };
  if (text.length > MUTE_REASON_MAX) return { error: `Keep the reason under ${MUTE_REASON_MAX} characters (it has ${text.length}).` };
  return { reason: text };
}

/** Whether a mute is in force at `at`. */
export function isActive(mute: MuteRecord, at: Date): boolean {
  return mute.unmutedAt === null && Date.parse(mute.expiresAt) > at.getTime();
}

/** The mutes in force at `at`, one per fingerprint: a person's mute from Slack before the config's. */
export function activeMutes(mutes: readonly MuteRecord[], at: Date): Map<string, MuteRecord> {
  const active = new Map<string, MuteRecord>();
  for (const mute of mutes) {
    if (!isActive(mute, at)) continue;
    const held = active.get(mute.fingerprint);
    if (!held || isConfigMute(held)) active.set(mute.fingerprint, mute);
  }
  return active;
}

/**
 * Mutes in the history: who muted which finding, why and until when. A
 * finding has at most one mute in force; ended mutes stay as the record.
 */
export class Mutes {
  constructor(private readonly store: Store) {}

  /** Mutes in force at `at`, by fingerprint; where one from Slack and one from the config both hold, the one from Slack. */
  async active(at: Date): Promise<Map<string, MuteRecord>> {
    return activeMutes(await this.store.mutes(), at);
  }

  /** The finding a reference names, if the history knows it and the reference is consistent. */
  async lookup(ref: unknown): Promise<Lookup> {
    const parsed = parseFindingRef(ref);
    if (!parsed) return { found: false, reason: 'That control does not name a finding.' };
    const [[state], [scan]] = await Promise.all([this.store.findings({ fingerprint: parsed.fingerprint }), this.store.scans({ id: parsed.scanId })]);
    if (!state) return { found: false, reason: 'The bot no longer knows that finding (its history may have been reset).' };
    // A reference whose scan is of another account was not made by the bot.
    if (scan && scan.accountId !== state.accountId) return { found: false, reason: 'That control does not name a finding.' };
    return { found: true, finding: { state, scan } };
  }

  /** Mutes a finding (replacing a mute in force on it) and returns the new mute. */
  async mute(input: { state: FindingState; reason: string; mutedBy: string; expiresAt: string; now: Date }): Promise<MuteRecord> {
    const at = input.now.toISOString();
    const record: MuteRecord = {
      id: randomUUID(),
      fingerprint: input.state.fingerprint,
      accountId: input.state.accountId,
      reason: input.reason,
      mutedBy: input.mutedBy,
      mutedAt: at,
      expiresAt: input.expiresAt,
      unmutedBy: null,
      unmutedAt: null,
    };
    await this.store.transaction(
      async (tx) => {
        const replaced = (await tx.mutes({ fingerprint: record.fingerprint }))
          // A mute from the config stays: only the config ends it.
          .filter((mute) => isActive(mute, input.now) && !isConfigMute(mute))
          .map((mute) => ({ ...mute, unmutedAt: at, unmutedBy: input.mutedBy, replacedBy: record.id }));
        await tx.putMutes([...replaced, record]);
      },
      { lock: [accountLock(record.accountId)] },
    );
    return record;
  }

  /** Ends a mute now; undefined when there is no such mute in force (already ended, expired or unknown). */
  async unmute(id: unknown, by: string, now: Date): Promise<MuteRecord | undefined> {
    if (typeof id !== 'string') return undefined;
    const [known] = await this.store.mutes({ id });
    if (!known) return undefined;
    return this.store.transaction(
      async (tx) => {
        const [mute] = await tx.mutes({ id });
        if (!mute || !isActive(mute, now) || isConfigMute(mute)) return undefined;
        const ended = { ...mute, unmutedAt: now.toISOString(), unmutedBy: by };
        await tx.putMutes([ended]);
        return ended;
      },
      { lock: [accountLock(known.accountId)] },
    );
  }
}
