import { daysBetween, isoDay } from '../audit/check.js';

/** Shared by the checks that judge IAM server certificates. Not a check (no default export). */

const DAY_MS = 86_400_000;

export interface ExpiryShortfall {
  expired: boolean;
  /** Whole days since it expired, or left until it does. */
  days: number;
  /** `expired 3 days ago (2026-11-20)` or `expires in 10 days (2026-12-04)`. */
  phrase: string;
}

/** Whether a certificate expiring at `expiration` is expired or within `windowDays` of it at `now`; undefined when neither. */
export function expiryShortfall(expiration: Date, now: Date, windowDays: number): ExpiryShortfall | undefined {
  const remainingMs = expiration.getTime() - now.getTime();
  if (remainingMs < 0) {
    const days = daysBetween(expiration, now);
    return { expired: true, days, phrase: `expired ${days === 0 ? 'today' : `${days} day${days === 1 ? '' : 's'} ago`} (${isoDay(expiration)})` };
  }
  if (remainingMs > windowDays * DAY_MS) return undefined;
  const days = Math.floor(remainingMs / DAY_MS);
  return { expired: false, days, phrase: `expires ${days === 0 ? 'within a day' : `in ${days} day${days === 1 ? '' : 's'}`} (${isoDay(expiration)})` };
}
