import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import type { Store } from '../store/contract.js';
import type { ActionRecord } from '../store/records.js';

export type { ActionRecord, ActionResult, MessageRef } from '../store/records.js';

/** A new entry: the log gives it its id and time. */
export type NewEntry = Omit<ActionRecord, 'id' | 'at'>;

/** An earlier entry changed in the same write as a new one (the fix it settles, the one an undo undoes). */
export interface AlsoChange {
  id: string;
  edit: (record: ActionRecord, newId: string) => void;
}

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

  /** Every entry, oldest first; of one finding with `fingerprint`. */
  all(query: { fingerprint?: string } = {}): Promise<ActionRecord[]> {
    return this.store.actions(query);
  }

  async record(id: string): Promise<ActionRecord | undefined> {
    return (await this.store.actions({ id }))[0];
  }

  /** The entry that answers a click (its request id), if any. */
  async byRequest(requestId: string): Promise<ActionRecord | undefined> {
    return (await this.store.actions({ requestId }))[0];
  }

  /** Appends an entry; `alsoChange` edits an earlier entry in the same write. */
  async append(entry: NewEntry, alsoChange?: AlsoChange): Promise<ActionRecord> {
    const record: ActionRecord = { id: randomUUID(), at: this.now().toISOString(), ...entry };
    await this.store.transaction(async (tx) => {
      if (alsoChange) {
        const [target] = await tx.actions({ id: alsoChange.id });
        if (target) {
          alsoChange.edit(target, record.id);
          await tx.putAction(target);
        }
      }
      await tx.putAction(record);
    });
    this.logged(record);
    return record;
  }

  /** Completes an `applying` entry: the same entry, now with its result. */
  async complete(id: string, change: Pick<ActionRecord, 'result'> & Pick<Partial<ActionRecord>, 'why' | 'state' | 'partial'>): Promise<ActionRecord> {
    const record = await this.change(id, (target) => Object.assign(target, change, { completedAt: this.now().toISOString() }));
    if (!record) throw new Error(`the action log has no entry ${id}`);
    this.logged(record);
    return record;
  }

  /** Changes one entry in place (a request decided or withdrawn); the entry as written, or undefined when there is none. */
  change(id: string, edit: (record: ActionRecord) => void): Promise<ActionRecord | undefined> {
    return this.store.transaction(async (tx) => {
      const [target] = await tx.actions({ id });
      if (!target) return undefined;
      edit(target);
      await tx.putAction(target);
      return target;
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
