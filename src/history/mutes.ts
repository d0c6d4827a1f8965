import { randomUUID } from 'node:crypto';
import type { FindingState } from './diff.js';
import type { MuteRecord, ScanRecord, Store } from './store.js';

/** Mutes last 30 days unless the muter picks otherwise, and never more than 365. */
export const MUTE_DEFAULT_DAYS = 30;
export const MUTE_MAX_DAYS = 365;
export const MUTE_REASON_MAX = 500;

const DAY_MS = 24 * 60 * 60 * 1000;

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

/** `2026-12-23` from a time, in UTC. */
export function isoDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The default expiry the date picker offers. */
export function defaultMuteDay(now: Date): string {
  return isoDay(new Date(now.getTime() + MUTE_DEFAULT_DAYS * DAY_MS));
}

/**
 * Validates the chosen expiry day: after today, at most 365 days ahead (UTC).
 * A mute lasts through that day and ends at its end (00:00 UTC the day after).
 */
export function muteExpiry(day: unknown, now: Date): { expiresAt: string } | { error: string } {
  if (typeof day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return { error: 'Pick the day the mute ends.' };
  const start = Date.parse(`${day}T00:00:00.000Z`);
  if (Number.isNaN(start) || isoDay(new Date(start)) !== day) return { error: `${day} is not a date.` };
  const today = Date.parse(`${isoDay(now)}T00:00:00.000Z`);
  if (start <= today) return { error: 'Pick a day after today.' };
  if (start > today + MUTE_MAX_DAYS * DAY_MS) return { error: `A mute lasts at most ${MUTE_MAX_DAYS} days: pick ${isoDay(new Date(today + MUTE_MAX_DAYS * DAY_MS))} or earlier.` };
  return { expiresAt: new Date(start + DAY_MS).toISOString() };
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

/**
 * Mutes in the history: who muted which finding, why and until when. A
 * finding has at most one mute in force; ended mutes stay as the record.
 */
export class Mutes {
  constructor(private readonly store: Store) {}

  /** Mutes in force at `at`, by fingerprint. */
  active(at: Date): Map<string, MuteRecord> {
    const active = new Map<string, MuteRecord>();
    for (const mute of this.store.data.mutes) if (isActive(mute, at)) active.set(mute.fingerprint, mute);
    return active;
  }

  /** The finding a reference names, if the history knows it and the reference is consistent. */
  lookup(ref: unknown): Lookup {
    const parsed = parseFindingRef(ref);
    if (!parsed) return { found: false, reason: 'That control does not name a finding.' };
    const state = this.store.data.findings.find((f) => f.fingerprint === parsed.fingerprint) as FindingState | undefined;
    if (!state) return { found: false, reason: 'The bot no longer knows that finding (its history may have been reset).' };
    const scan = this.store.data.scans.find((s) => s.id === parsed.scanId);
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
    await this.store.update((data) => {
      for (const mute of data.mutes) {
        if (mute.fingerprint === record.fingerprint && isActive(mute, input.now)) {
          mute.unmutedAt = at;
          mute.unmutedBy = input.mutedBy;
          mute.replacedBy = record.id;
        }
      }
      data.mutes.push(record);
    });
    return record;
  }

  /** Ends a mute now; undefined when there is no such mute in force (already ended, expired or unknown). */
  async unmute(id: unknown, by: string, now: Date): Promise<MuteRecord | undefined> {
    if (typeof id !== 'string') return undefined;
    let ended: MuteRecord | undefined;
    await this.store.update((data) => {
      const mute = data.mutes.find((m) => m.id === id);
      if (!mute || !isActive(mute, now)) return;
      mute.unmutedAt = now.toISOString();
      mute.unmutedBy = by;
      ended = { ...mute };
    });
    return ended;
  }
}
