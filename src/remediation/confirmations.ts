import type { Refusal } from './reasons.js';

/** A confirmation (the preview a remediator saw) can be acted on this long. */
export const CONFIRMATION_TTL_MS = 15 * 60 * 1000;

/** The fix settings a confirmation was made under. */
export interface FixSettings {
  mode: 'dry-run' | 'apply';
  /** The two-person rule applies (approval required, and not a dry run). */
  approval: boolean;
}

/**
 * What a remediator was shown and may now confirm: kept by the server (the
 * button carries only its id), bound to the user, the finding, the mode and
 * the rule in force, and to the state AWS was in.
 */
export interface Confirmation extends FixSettings {
  user: string;
  ref: string;
  fingerprint: string;
  action: string;
  change: string;
  state: Record<string, unknown>;
  expiresAt: number;
}

export type Confirmed = { ok: true; value: { change: string; state: Record<string, unknown> } } | { ok: false; refusal: Refusal };

/**
 * The confirmations shown and not yet acted on, by request id, in memory: a
 * restart of the bot ends them (the remediator chooses Fix again). One made
 * under other settings, by someone else, or too long ago is refused.
 */
export class Confirmations {
  private readonly shown = new Map<string, Confirmation>();

  constructor(private readonly now: () => Date) {}

  save(requestId: string, confirmation: Omit<Confirmation, 'expiresAt'>): void {
    const now = this.now().getTime();
    for (const [id, c] of this.shown) if (c.expiresAt <= now) this.shown.delete(id);
    this.shown.set(requestId, { ...confirmation, expiresAt: now + CONFIRMATION_TTL_MS });
  }

  /** Who the confirmation was shown to, while it lasts. */
  ownerOf(requestId: string): string | undefined {
    return this.shown.get(requestId)?.user;
  }

  /** Cancel: the confirmation can no longer be acted on (only its own user may cancel it). */
  cancel(requestId: string, user: string): void {
    if (this.shown.get(requestId)?.user === user) this.shown.delete(requestId);
  }

  /** The confirmation a click acts on, if it is the clicker's own, for this finding, under the settings in force now. */
  check(requestId: string, user: string, ref: unknown, now: FixSettings, approval: boolean): Confirmed {
    const c = this.shown.get(requestId);
    if (!c || c.expiresAt <= this.now().getTime()) return { ok: false, refusal: { code: 'confirmation-expired' } };
    if (c.user !== user) return { ok: false, refusal: { code: 'someone-elses' } };
    if (c.ref !== ref) return { ok: false, refusal: { code: 'button-mismatch' } };
    if (c.mode !== now.mode || c.approval !== now.approval || c.approval !== approval) return { ok: false, refusal: { code: 'settings-changed' } };
    return { ok: true, value: { change: c.change, state: c.state } };
  }
}
