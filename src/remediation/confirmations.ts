import type { Shelf } from '../store/contract.js';
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
 * The confirmations shown and not yet acted on, by request id, on the
 * store's shelf: in memory with the JSON file (a restart of the bot ends
 * them: the remediator chooses Fix again), in PostgreSQL with several bot
 * replicas (a click that reaches another replica finds it). One made under
 * other settings, by someone else, or too long ago is refused.
 */
export class Confirmations {
  constructor(
    private readonly now: () => Date,
    private readonly shelf: Shelf,
  ) {}

  private key(requestId: string): string {
    return `confirmation:${requestId}`;
  }

  private async shown(requestId: string): Promise<Confirmation | undefined> {
    const c = (await this.shelf.get(this.key(requestId))) as Confirmation | undefined;
    return c && typeof c === 'object' && typeof c.user === 'string' ? c : undefined;
  }

  async save(requestId: string, confirmation: Omit<Confirmation, 'expiresAt'>): Promise<void> {
    const expiresAt = this.now().getTime() + CONFIRMATION_TTL_MS;
    // Kept a little past its time by the shelf (the clocks of replicas differ); `check` decides by this process's clock.
    await this.shelf.put(this.key(requestId), { ...confirmation, expiresAt }, new Date(Math.max(expiresAt, Date.now() + CONFIRMATION_TTL_MS) + 60_000));
  }

  /** Who the confirmation was shown to, while it lasts. */
  async ownerOf(requestId: string): Promise<string | undefined> {
    const c = await this.shown(requestId);
    return c && c.expiresAt > this.now().getTime() ? c.user : undefined;
  }

  /** Cancel: the confirmation can no longer be acted on (only its own user may cancel it). */
  async cancel(requestId: string, user: string): Promise<void> {
    if ((await this.shown(requestId))?.user === user) await this.shelf.delete(this.key(requestId));
  }

  /** The confirmation a click acts on, if it is the clicker's own, for this finding, under the settings in force now. */
  async check(requestId: string, user: string, ref: unknown, now: FixSettings, approval: boolean): Promise<Confirmed> {
    const c = await this.shown(requestId);
    if (!c || c.expiresAt <= this.now().getTime()) return { ok: false, refusal: { code: 'confirmation-expired' } };
    if (c.user !== user) return { ok: false, refusal: { code: 'someone-elses' } };
    if (c.ref !== ref) return { ok: false, refusal: { code: 'button-mismatch' } };
    if (c.mode !== now.mode || c.approval !== now.approval || c.approval !== approval) return { ok: false, refusal: { code: 'settings-changed' } };
    return { ok: true, value: { change: c.change, state: c.state } };
  }
}
