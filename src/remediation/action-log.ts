import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import type { ActionRecord, Store } from '../store/store.js';

export type { ActionRecord, ActionResult, MessageRef } from '../store/store.js';

/** A new entry: the log gives it its id and time. */
export type NewEntry = Omit<ActionRecord, 'id' | 'at'>;

/**
 * The action log (the store's `actions`): every attempt to fix, undo, request
 * or decide, and what came of it, oldest first. Entries are appended; an
 * `applying` entry is completed in place, and an applied one is marked when it
 * is undone or superseded.
 */
export class ActionLog {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date,
    private readonly logger: Logger,
  ) {}

  get all(): readonly ActionRecord[] {
    return this.store.data.actions;
  }

  record(id: string): ActionRecord | undefined {
    return this.all.find((r) => r.id === id);
  }

  /** The entry that answers a click (its request id), if any. */
  byRequest(requestId: string): ActionRecord | undefined {
    return this.all.find((r) => r.requestId === requestId);
  }

  /** Appends an entry; `alsoChange` edits earlier entries in the same write. */
  async append(entry: NewEntry, alsoChange?: (actions: ActionRecord[], newId: string) => void): Promise<ActionRecord> {
    const record: ActionRecord = { id: randomUUID(), at: this.now().toISOString(), ...entry };
    await this.store.update((data) => {
      alsoChange?.(data.actions, record.id);
      data.actions.push(record);
    });
    this.logged(record);
    return this.record(record.id) ?? record;
  }

  /** Completes an `applying` entry: the same entry, now with its result. */
  async complete(id: string, change: Pick<ActionRecord, 'result'> & Pick<Partial<ActionRecord>, 'why' | 'state' | 'partial'>): Promise<ActionRecord> {
    await this.change(id, (target) => Object.assign(target, change, { completedAt: this.now().toISOString() }));
    const record = this.record(id)!;
    this.logged(record);
    return record;
  }

  /** Changes one entry in place (a request decided or withdrawn). */
  async change(id: string, edit: (record: ActionRecord) => void): Promise<void> {
    await this.store.update((data) => {
      const target = data.actions.find((r) => r.id === id);
      if (target) edit(target);
    });
  }

  private logged(record: ActionRecord): void {
    this.logger.info(
      { action: record.action, result: record.result, user: record.user, fingerprint: record.fingerprint, reason: record.why ?? record.reason },
      'remediation attempt',
    );
  }
}

/** Whether undo may act on this entry: a fix (or the part of one that was done) not undone, not replaced by a later one. */
export function undoable(record: ActionRecord): boolean {
  if (!record.state || record.undoneAt || record.supersededBy) return false;
  return record.result === 'applied' || record.result === 'applying' || (record.result === 'failed' && record.partial === true);
}
