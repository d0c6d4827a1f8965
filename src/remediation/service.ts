import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { lazyClient } from '../aws/lazy-client.js';
import { DEFAULT_TIMEOUTS } from '../aws/timeouts.js';
import { homeRegionOf, partitionOfArn } from '../aws/partition.js';
import { roleSessionName, type RoleSessions } from '../aws/session.js';
import type { AccountConfig, Config } from '../config.js';
import { errorMessage } from '../errors.js';
import type { FindingState } from '../store/diff.js';
import { Mutes } from '../store/mutes.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../log.js';
import { ActionLog, undoable, type ActionRecord, type MessageRef, type NewEntry } from './action-log.js';
import { ALL_ACTIONS, fixOf } from './actions/index.js';
import { Confirmations, type FixSettings } from './confirmations.js';
import { storedReason, type Failure, type Reason, type Refusal } from './reasons.js';
import type { AwsClients } from '../aws/clients.js';
import type { Precheck, RemediationAction, RemediationClients, RemediationTarget } from './types.js';

export { CONFIRMATION_TTL_MS } from './confirmations.js';

/** AWS calls in flight at once for one fix (its precheck reads a few things side by side). */
const FIX_CONCURRENCY = 4;
export { undoable, type ActionRecord, type ActionResult, type MessageRef } from './action-log.js';
export type { Failure, Reason, ReasonCode, Refusal, RefusalCode } from './reasons.js';

/** Undo is offered this long after a fix. */
export const UNDO_WINDOW_MS = 24 * 60 * 60 * 1000;
/** A request for approval (two-person rule) can be decided this long. */
export const REQUEST_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * After a fix, AWS may still answer reads with the old state for a moment
 * (IAM is eventually consistent): within this time a second click is told the
 * fix is done without reading AWS. After it, the live precheck decides.
 */
export const SETTLE_MS = 5 * 60 * 1000;

/** A finding a fix was asked for, after every guard that needs no AWS call. */
export interface Fixable {
  action: RemediationAction;
  account: AccountConfig;
  state: FindingState;
  target: RemediationTarget;
  /** From the recorded finding only: what would change. */
  describe: string;
}

export type Guarded<T> = { ok: true; value: T } | { ok: false; refusal: Reason };

export interface RemediationServiceOptions {
  config: Config;
  store: Store;
  sessions: RoleSessions;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** SDK clients with the account's remediation role (tests pass mocked ones); `user` names the role session. */
  clients?: (account: AccountConfig, user: string) => RemediationClients;
}

export type ExecuteOutcome =
  | { kind: 'applied' | 'dry-run' | 'stale' | 'failed' | 'undone' | 'rejected'; record: ActionRecord }
  | { kind: 'repeat' | 'already'; record: ActionRecord }
  | { kind: 'refused'; refusal: Reason; record?: ActionRecord | undefined };

/** Where a fix was asked from, for the log and the thread. */
export interface Origin {
  thread?: MessageRef | undefined;
  message?: MessageRef | undefined;
}

/**
 * Fixes one finding at a time, guarded: only remediators, only in accounts
 * with a remediation role (assumed for the fix alone), only findings the
 * history knows as open and unmuted, only what the remediator was shown (a
 * live precheck right before acting must find AWS as the preview did), one
 * AWS write per fix however often the click arrives, and every attempt in the
 * action log. `remediation.mode: dry-run` says what would change instead.
 */
export class RemediationService {
  private readonly now: () => Date;
  private readonly mutes: Mutes;
  /** Work queued per key (an account's fixes and undos; a request's decision): the later ones find the earlier done. */
  private readonly confirmations: Confirmations;
  private readonly actions: ActionLog;

  constructor(private readonly options: RemediationServiceOptions) {
    this.now = options.now ?? (() => new Date());
    this.mutes = new Mutes(options.store);
    this.confirmations = new Confirmations(this.now, options.store.shelf);
    this.actions = new ActionLog(options.store, this.now, options.logger);
  }

  get mode(): 'dry-run' | 'apply' {
    return this.options.config.remediation.mode;
  }

  get requireApproval(): boolean {
    return this.options.config.access.requireApproval;
  }

  /** The people who may fix, undo and approve. */
  get remediators(): readonly string[] {
    return this.options.config.access.remediators;
  }

  isRemediator(user: string): boolean {
    return this.options.config.access.remediators.includes(user);
  }

  /** Whether a fix (the finding's `fix` action id) is offered in this account at all (the menu shows it to everyone; the click decides). */
  offers(accountId: string, fix: string | null | undefined): boolean {
    if (!fix || !ALL_ACTIONS.some((a) => a.id === fix)) return false;
    const account = this.accountOf(accountId);
    return Boolean(account?.remediationRoleArn) && this.options.config.access.remediators.length > 0;
  }

  /** The action log, oldest first. */
  log(): Promise<ActionRecord[]> {
    return this.actions.all();
  }

  record(id: string): Promise<ActionRecord | undefined> {
    return this.actions.record(id);
  }

  /** The log entry that answers a click (its request id), if any. */
  attempt(requestId: string): Promise<ActionRecord | undefined> {
    return this.byRequest(requestId);
  }

  /**
   * Every guard that needs no AWS call: the user, the account's role, the
   * finding (known, open, not muted), the action. A refusal is logged.
   */
  async guard(user: string, ref: unknown, requestId: string, where: Origin = {}): Promise<Guarded<Fixable>> {
    const lookup = await this.mutes.lookup(ref);
    if (!lookup.found) return this.refuse({ user, requestId, refusal: { code: 'finding-unknown', detail: lookup.reason }, where });
    const { state, scan } = lookup.finding;
    // The account the finding was found in: its alias may have been moved to another account since.
    const account = this.options.config.accounts.find((a) => a.alias === scan?.alias && a.accountId === state.accountId) ?? this.accountOf(state.accountId);
    const base = { user, requestId, state, alias: account?.alias ?? scan?.alias ?? state.accountId, where };
    const action = fixOf(state);
    if (!action) return this.refuse({ ...base, refusal: { code: 'no-fix', checkId: state.checkId } });
    if (!this.isRemediator(user)) return this.refuse({ ...base, action, refusal: { code: 'not-remediator' } });
    if (!account) return this.refuse({ ...base, action, refusal: { code: 'account-gone', accountId: state.accountId } });
    if (!account.remediationRoleArn) return this.refuse({ ...base, action, refusal: { code: 'fixes-off', alias: account.alias } });
    if (state.resolvedAt !== null) return this.refuse({ ...base, action, refusal: { code: 'resolved', on: state.resolvedAt.slice(0, 10) } });
    const mute = (await this.mutes.active(this.now())).get(state.fingerprint);
    if (mute) return this.refuse({ ...base, action, refusal: { code: 'muted', until: mute.expiresAt.slice(0, 10), reason: mute.reason } });
    const target: RemediationTarget = {
      checkId: state.checkId,
      accountId: state.accountId,
      region: state.region,
      resourceId: state.resourceId,
      details: state.details ?? {},
      foundAt: state.reopenedAt ?? state.firstSeen,
    };
    return { ok: true, value: { action, account, state, target, describe: `${action.describe(target)} in ${accountLabel(account)}` } };
  }

  /**
   * The live precheck, for the confirmation (read-only): the exact change, or
   * why there is nothing to do (logged as a refused attempt). What it shows is
   * what a click on the confirmation may do, for `CONFIRMATION_TTL_MS`.
   */
  async preview(fixable: Fixable, user: string, requestId: string, ref: string): Promise<Guarded<string>> {
    const entry = { ...entryOf(fixable), requestId, user };
    try {
      const check = await this.withClients(fixable.account, user, (clients) => fixable.action.precheck(fixable.target, clients, this.context()));
      if (!check.ok) {
        const refusal: Refusal = { code: 'nothing-to-do', detail: check.reason };
        await this.actions.append({ ...entry, result: 'refused', why: refusal });
        return { ok: false, refusal };
      }
      const change = `${check.change} in ${accountLabel(fixable.account)}`;
      await this.confirmations.save(requestId, {
        user,
        ref,
        fingerprint: fixable.state.fingerprint,
        action: fixable.action.id,
        ...this.settings(),
        change,
        state: check.state,
      });
      return { ok: true, value: change };
    } catch (error) {
      const refusal: Refusal = { code: 'aws-unreadable', error: errorMessage(error) };
      await this.actions.append({ ...entry, result: 'failed', why: refusal });
      return { ok: false, refusal };
    }
  }

  /**
   * Acts on a confirmation (or, in dry-run mode, says what would change):
   * guards, live precheck, apply, log. A repeat of the same request, or a fix
   * already applied meanwhile, is answered without acting or logging.
   */
  async execute(input: { user: string; ref: unknown; requestId: string } & Origin): Promise<ExecuteOutcome> {
    const where: Origin = { thread: input.thread, message: input.message };
    if (await this.foreign(input.requestId, input.user))
      return this.refusedOutcome(input.user, input.ref, `foreign:${randomUUID()}`, { code: 'someone-elses' }, undefined, where);
    const repeat = await this.settled(await this.byRequest(input.requestId));
    if (repeat) return { kind: 'repeat', record: repeat };
    // One click of a confirmation at a time: a double click that is refused is refused (and logged) once.
    return this.locked(`request:${input.requestId}`, async () => {
      const again = await this.byRequest(input.requestId);
      if (again) return { kind: 'repeat', record: again };
      const confirmed = await this.confirmations.check(input.requestId, input.user, input.ref, this.settings(), false);
      if (!confirmed.ok) return this.refusedOutcome(input.user, input.ref, input.requestId, confirmed.refusal, undefined, where);
      const guarded = await this.guard(input.user, input.ref, input.requestId, where);
      if (!guarded.ok) return { kind: 'refused', refusal: guarded.refusal, record: await this.byRequest(input.requestId) };
      return this.run(guarded.value, { user: input.user, requestId: input.requestId, expected: confirmed.value, origin: where });
    });
  }

  /** Cancel on a confirmation: it can no longer be acted on. False when it was acted on already (or is not this user's). */
  async cancel(requestId: string, user: string): Promise<boolean> {
    await this.confirmations.cancel(requestId, user);
    return (await this.byRequest(requestId)) === undefined;
  }

  /**
   * Files a request for a second remediator's approval (the two-person rule),
   * from a confirmation made under that rule. A repeat returns the request
   * filed first (`repeat: true`: it is not posted again).
   */
  async request(input: { user: string; ref: unknown; requestId: string } & Origin): Promise<Guarded<{ record: ActionRecord; repeat: boolean }>> {
    if (await this.foreign(input.requestId, input.user)) {
      return this.refuse({
        user: input.user,
        requestId: `foreign:${randomUUID()}`,
        refusal: { code: 'someone-elses' },
        ...(await this.aboutRef(input.ref)),
        where: input,
      });
    }
    return this.locked(`request:${input.requestId}`, async () => {
      const repeat = await this.byRequest(input.requestId);
      if (repeat) {
        if (repeat.result === 'requested') return { ok: true, value: { record: repeat, repeat: true } };
        // Answered already: with what it was answered (a refusal, a request nobody could be shown), in words only for entries written before codes.
        const earlier = storedReason(repeat.why) ?? (repeat.reason ? { code: 'earlier-answer', detail: repeat.reason } : undefined);
        return { ok: false, refusal: earlier ?? { code: 'already-answered' } };
      }
      const confirmed = await this.confirmations.check(input.requestId, input.user, input.ref, this.settings(), true);
      if (!confirmed.ok)
        return this.refuse({ user: input.user, requestId: input.requestId, refusal: confirmed.refusal, ...(await this.aboutRef(input.ref)), where: input });
      const guarded = await this.guard(input.user, input.ref, input.requestId, input);
      if (!guarded.ok) return guarded;
      const record = await this.actions.append({
        ...entryOf(guarded.value),
        requestId: input.requestId,
        result: 'requested',
        user: input.user,
        change: confirmed.value.change,
        state: confirmed.value.state,
        ref: String(input.ref),
        ...origin(input),
      });
      return { ok: true, value: { record, repeat: false } };
    });
  }

  /** A request that could not be shown to anyone: closed, so that it is not left waiting. */
  async withdraw(requestRecordId: string, why: Failure): Promise<void> {
    await this.actions.change(requestRecordId, (target) => {
      if (target.result === 'requested' && !target.decidedAt) Object.assign(target, { result: 'failed', why, completedAt: this.now().toISOString() });
    });
  }

  /** Approves (or rejects) a filed request: another remediator than the requester, once. */
  async decide(input: { requestRecordId: string; by: string; approve: boolean; requestId?: string }): Promise<ExecuteOutcome> {
    return this.locked(`request:${input.requestRecordId}`, async () => {
      const request = await this.record(input.requestRecordId);
      if (!request || (request.result !== 'requested' && !request.decidedAt)) {
        return this.refusedOutcome(input.by, request?.ref ?? '', input.requestId ?? `decision:${randomUUID()}`, { code: 'request-gone' }, request);
      }
      const decision = await this.byRequest(`decision:${request.id}`);
      if (request.decidedAt) {
        if (decision) return { kind: 'repeat', record: (await this.settled(decision)) ?? decision };
        return { kind: 'refused', refusal: { code: 'already-decided', ...(request.decidedBy ? { by: request.decidedBy } : {}) } };
      }
      const refusal = (why: Refusal) => this.refusedOutcome(input.by, request.ref ?? '', `refusal:${randomUUID()}`, why, request);
      if (!this.isRemediator(input.by)) return refusal({ code: 'approver-not-remediator' });
      if (input.by === request.user) return refusal({ code: 'own-request' });
      if (this.now().getTime() - Date.parse(request.at) > REQUEST_TTL_MS) return refusal({ code: 'request-expired' });
      const decidedAt = this.now().toISOString();
      await this.actions.change(request.id, (target) => Object.assign(target, { decidedAt, decidedBy: input.by }));
      const decisionId = `decision:${request.id}`;
      const where: Origin = { ...(request.thread ? { thread: request.thread } : {}), ...(request.message ? { message: request.message } : {}) };
      if (!input.approve) {
        const record = await this.actions.append({
          ...pick(request),
          requestId: decisionId,
          result: 'rejected',
          user: request.user,
          approvedBy: input.by,
          ...(request.change ? { change: request.change } : {}),
        });
        return { kind: 'rejected', record };
      }
      // The requester must still be a remediator; the approver passes every guard too.
      if (!this.isRemediator(request.user)) return refusal({ code: 'requester-not-remediator' });
      const guarded = await this.guard(input.by, request.ref ?? '', decisionId);
      if (!guarded.ok) return { kind: 'refused', refusal: guarded.refusal, record: await this.byRequest(decisionId) };
      return this.run(guarded.value, {
        user: request.user,
        approvedBy: input.by,
        requestId: decisionId,
        expected: request.state ? { change: request.change ?? '', state: request.state } : undefined,
        origin: where,
      });
    });
  }

  /** Undoes a fix within 24 hours, after checking that what it did is still in place. */
  async undo(input: { recordId: string; user: string; requestId: string }): Promise<ExecuteOutcome> {
    const repeat = await this.byRequest(input.requestId);
    if (repeat) return { kind: 'repeat', record: repeat };
    const fix = await this.record(input.recordId);
    if (fix?.undoneAt) return { kind: 'already', record: fix };
    if (!fix || !undoable(fix)) {
      return this.refusedOutcome(input.user, '', input.requestId, { code: fix?.supersededBy ? 'undo-superseded' : 'undo-unknown' }, fix);
    }
    return this.locked(`account:${fix.accountId}`, async () => {
      const again = await this.byRequest(input.requestId);
      if (again) return { kind: 'repeat', record: again };
      const current = (await this.record(input.recordId))!;
      if (current.undoneAt) return { kind: 'already', record: current };
      if (!undoable(current)) return this.refusedOutcome(input.user, '', input.requestId, { code: 'undo-superseded' }, current);
      const entry = {
        ...pick(current),
        requestId: input.requestId,
        user: input.user,
        undoOf: current.id,
        ...(current.change ? { change: current.change } : {}),
      };
      const refuse = async (refusal: Refusal): Promise<ExecuteOutcome> => ({
        kind: 'refused',
        refusal,
        record: await this.actions.append({ ...entry, result: 'refused', why: refusal }),
      });
      if (!this.isRemediator(input.user)) return refuse({ code: 'undo-not-remediator' });
      if (this.mode === 'dry-run') return refuse({ code: 'undo-dry-run' });
      if (this.now().getTime() - Date.parse(current.at) > UNDO_WINDOW_MS) return refuse({ code: 'undo-window-over' });
      const account =
        this.options.config.accounts.find((a) => a.alias === current.alias && a.accountId === current.accountId) ?? this.accountOf(current.accountId);
      const action = ALL_ACTIONS.find((a) => a.id === current.action);
      if (!account?.remediationRoleArn || !action) return refuse({ code: 'fixes-unconfigured', accountId: current.accountId });
      const { clients, release } = this.clientsFor(account, input.user);
      const state = current.state!;
      try {
        const check = await action.precheckUndo(state, clients);
        if (!check.ok) {
          const record = await this.actions.append(
            { ...entry, result: 'refused', why: { code: 'nothing-to-undo', detail: check.reason } },
            {
              id: current.id,
              // An entry whose outcome was never known, and whose change is not in place: it was not applied.
              edit: (target) => {
                if (target.result === 'applying')
                  Object.assign(target, { result: 'failed', why: { code: 'never-applied-undo', detail: check.reason }, completedAt: this.now().toISOString() });
              },
            },
          );
          return { kind: 'stale', record };
        }
        await action.undo(state, clients);
      } catch (error) {
        return {
          kind: 'failed',
          record: await this.actions.append({ ...entry, result: 'undo-failed', why: { code: 'undo-error', error: errorMessage(error) } }),
        };
      } finally {
        release();
      }
      const at = this.now().toISOString();
      const record = await this.actions.append(
        { ...entry, result: 'undone' },
        { id: current.id, edit: (target) => Object.assign(target, { undoneAt: at, undoneBy: input.user }) },
      );
      return { kind: 'undone', record };
    });
  }

  // ---- internals ------------------------------------------------------------------

  /** The fix itself, one per account at a time: live precheck, compared with what was confirmed, then apply. */
  private run(
    fixable: Fixable,
    input: { user: string; approvedBy?: string; requestId: string; expected: { change: string; state: Record<string, unknown> } | undefined; origin: Origin },
  ): Promise<ExecuteOutcome> {
    return this.locked(`account:${fixable.account.accountId}`, async () => {
      const again = await this.byRequest(input.requestId);
      if (again) return { kind: 'repeat', record: again };
      const entry = {
        ...entryOf(fixable),
        requestId: input.requestId,
        user: input.user,
        ...(input.approvedBy ? { approvedBy: input.approvedBy } : {}),
        ...origin(input.origin),
      };
      // The newest fix of this finding since it was (re)opened that may still be in place.
      const since = fixable.target.foundAt;
      const prior = (await this.actions.all({ fingerprint: fixable.state.fingerprint }))
        .reverse()
        .find(
          (r) =>
            r.fingerprint === fixable.state.fingerprint &&
            r.action === fixable.action.id &&
            (r.result === 'applied' || r.result === 'applying') &&
            !r.undoneAt &&
            !r.supersededBy &&
            r.at >= since,
        );
      if (prior?.result === 'applied' && this.now().getTime() - Date.parse(prior.at) < SETTLE_MS) return { kind: 'already', record: prior };

      const user = input.approvedBy ? `${input.approvedBy}-for-${input.user}` : input.user;
      return this.withClients(fixable.account, user, (clients) => this.precheckAndApply(fixable, input, entry, prior, clients));
    });
  }

  /** The live precheck, compared with what was confirmed, then the change (or, in dry-run mode, what it would be). */
  private async precheckAndApply(
    fixable: Fixable,
    input: { user: string; approvedBy?: string; expected: { change: string; state: Record<string, unknown> } | undefined },
    entry: Omit<NewEntry, 'result'>,
    prior: ActionRecord | undefined,
    clients: RemediationClients,
  ): Promise<ExecuteOutcome> {
    let precheck: Precheck;
    try {
      precheck = await fixable.action.precheck(fixable.target, clients, this.context());
    } catch (error) {
      return {
        kind: 'failed',
        record: await this.actions.append({ ...entry, result: 'failed', why: { code: 'precheck-failed', error: errorMessage(error) } }),
      };
    }
    if (!precheck.ok) {
      if (prior) return { kind: 'already', record: prior };
      return { kind: 'stale', record: await this.actions.append({ ...entry, result: 'refused', why: { code: 'nothing-to-do', detail: precheck.reason } }) };
    }
    const change = `${precheck.change} in ${accountLabel(fixable.account)}`;
    if (input.expected && !isDeepStrictEqual(input.expected.state, precheck.state)) {
      const refusal: Refusal = { code: 'aws-changed', was: input.expected.change, now: change };
      return { kind: 'stale', record: await this.actions.append({ ...entry, result: 'refused', why: refusal }) };
    }
    // A recorded fix whose problem is live again: an `applying` one never landed; an applied one was reverted outside the bot.
    const settlePrior = prior && {
      id: prior.id,
      edit: (target: ActionRecord, newId: string) => {
        if (target.result === 'applying')
          Object.assign(target, {
            result: 'failed',
            why: { code: 'never-applied' } satisfies Failure,
            completedAt: this.now().toISOString(),
          });
        else target.supersededBy = newId;
      },
    };
    if (this.mode === 'dry-run') return { kind: 'dry-run', record: await this.actions.append({ ...entry, result: 'dry-run', change }) };

    // Written before acting (with what undo needs), completed after: a crash in between leaves an
    // `applying` entry that says what was being done, and can still be undone.
    const started = await this.actions.append({ ...entry, result: 'applying', change, state: precheck.state }, settlePrior);
    try {
      await fixable.action.apply(precheck.state, clients);
    } catch (error) {
      const record = await this.afterFailedApply(fixable.action, started, precheck.state, clients, error);
      return { kind: record.result === 'applied' ? 'applied' : 'failed', record };
    }
    const record = await this.actions.complete(started.id, { result: 'applied' });
    this.options.logger.info(
      { action: fixable.action.id, fingerprint: fixable.state.fingerprint, user: input.user, approvedBy: input.approvedBy },
      'a fix was applied',
    );
    return { kind: 'applied', record };
  }

  private async withClients<T>(account: AccountConfig, user: string, work: (clients: RemediationClients) => Promise<T>): Promise<T> {
    const { clients, release } = this.clientsFor(account, user);
    try {
      return await work(clients);
    } finally {
      release();
    }
  }

  /**
   * AWS answered an error, but a write may still have landed (a timeout after
   * AWS took it, a retried revoke AWS had already done): what apply does is
   * read back. In place → applied; part of it → failed, undoable for that part.
   */
  private async afterFailedApply(
    action: RemediationAction,
    started: ActionRecord,
    state: Record<string, unknown>,
    clients: RemediationClients,
    error: unknown,
  ): Promise<ActionRecord> {
    this.options.logger.error({ action: action.id, fingerprint: started.fingerprint, err: errorMessage(error) }, 'a fix failed');
    let inPlace = false;
    try {
      inPlace = (await action.precheckUndo(state, clients)).ok;
    } catch {
      inPlace = false;
    }
    if (inPlace) return this.actions.complete(started.id, { result: 'applied', why: { code: 'applied-despite-error', error: errorMessage(error) } });
    const partial = (error as { partialState?: unknown }).partialState;
    return this.actions.complete(started.id, {
      result: 'failed',
      why: { code: 'apply-failed', error: errorMessage(error) } satisfies Failure,
      ...(partial && typeof partial === 'object' ? { state: partial as Record<string, unknown>, partial: true } : {}),
    });
  }

  private context() {
    return { now: this.now(), thresholds: this.options.config.thresholds };
  }

  /** The settings a confirmation is made and acted on under. */
  private settings(): FixSettings {
    return { mode: this.mode, approval: this.requireApproval && this.mode === 'apply' };
  }

  /** A click on a confirmation (or a request) that is someone else's: refused without touching theirs. */
  private async foreign(requestId: string, user: string): Promise<boolean> {
    const owner = await this.confirmations.ownerOf(requestId);
    if (owner !== undefined) return owner !== user;
    const record = await this.byRequest(requestId);
    return record !== undefined && record.user !== user;
  }

  private accountOf(accountId: string): AccountConfig | undefined {
    return (
      this.options.config.accounts.find((a) => a.accountId === accountId && a.remediationRoleArn) ??
      this.options.config.accounts.find((a) => a.accountId === accountId)
    );
  }

  private byRequest(requestId: string): Promise<ActionRecord | undefined> {
    return this.actions.byRequest(requestId);
  }

  /** A record still `applying` (in this process or another on the same store) is waited for (its account's lock), so a repeat shows the outcome. */
  private async settled(record: ActionRecord | undefined): Promise<ActionRecord | undefined> {
    if (record?.result !== 'applying') return record;
    await this.locked(`account:${record.accountId}`, async () => undefined).catch(() => undefined);
    return (await this.record(record.id)) ?? record;
  }

  /**
   * Work that must not run twice at once for one key (a request, an
   * account's fixes): held in the store, so across every bot process on it.
   */
  private locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.options.store.exclusive(`fix:${key}`, work);
  }

  /** What a finding reference names, for a refusal's log entry when the guards were not reached. */
  private async aboutRef(ref: unknown): Promise<{ state?: FindingState; alias?: string; action?: RemediationAction }> {
    const lookup = await this.mutes.lookup(ref);
    if (!lookup.found) return {};
    const { state, scan } = lookup.finding;
    const action = fixOf(state);
    return { state, ...(scan ? { alias: scan.alias } : {}), ...(action ? { action } : {}) };
  }

  private async refuse(input: {
    user: string;
    requestId: string;
    refusal: Refusal;
    state?: FindingState | undefined;
    alias?: string | undefined;
    action?: RemediationAction | undefined;
    where?: Origin | undefined;
  }): Promise<{ ok: false; refusal: Refusal }> {
    if (!(await this.byRequest(input.requestId))) {
      await this.actions.append({
        requestId: input.requestId,
        result: 'refused',
        action: input.action?.id ?? 'unknown',
        fingerprint: input.state?.fingerprint ?? 'unknown',
        accountId: input.state?.accountId ?? 'unknown',
        alias: input.alias ?? 'unknown',
        checkId: input.state?.checkId ?? 'unknown',
        user: input.user,
        why: input.refusal,
        ...origin(input.where ?? {}),
      });
    }
    return { ok: false, refusal: input.refusal };
  }

  /** A refusal as an outcome, logged: about the record it concerns when there is one, else about the finding reference. */
  private async refusedOutcome(
    user: string,
    ref: unknown,
    requestId: string,
    refusal: Refusal,
    about?: ActionRecord,
    where: Origin = {},
  ): Promise<ExecuteOutcome> {
    if (about) {
      const record = (await this.byRequest(requestId)) ?? (await this.actions.append({ ...pick(about), requestId, result: 'refused', user, why: refusal }));
      return { kind: 'refused', refusal, record };
    }
    await this.refuse({ user, requestId, refusal, ...(await this.aboutRef(ref)), where });
    return { kind: 'refused', refusal, record: await this.byRequest(requestId) };
  }

  /**
   * SDK clients with the account's remediation role, assumed for this fix
   * alone (`user` names the role session), built like the audit's by
   * src/aws/clients.ts: the same HTTP limits and transport errors, so a hung
   * call cannot hold the account's queue (5 s to connect, 30 s to answer, 3
   * attempts; the outcome is read back). The SDK loads with the first call.
   * `release` closes the connections when the fix is done.
   */
  private clientsFor(account: AccountConfig, user: string): { clients: RemediationClients; release: () => void } {
    if (this.options.clients) return { clients: this.options.clients(account, user), release: () => undefined };
    const credentials = this.options.sessions.provider(
      { alias: account.alias, roleArn: account.remediationRoleArn!, externalId: account.externalId },
      roleSessionName(`fix-${user}`),
    );
    const env = this.options.env ?? process.env;
    const homeRegion = homeRegionOf(partitionOfArn(account.remediationRoleArn!));
    let set: Promise<AwsClients> | undefined;
    const load = () =>
      (set ??= import('../aws/clients.js').then(
        ({ AwsClients }) => new AwsClients({ credentials, homeRegion, concurrency: FIX_CONCURRENCY, env, maxAttempts: 3, timeouts: DEFAULT_TIMEOUTS }),
      ));
    return {
      clients: {
        iam: () => lazyClient(async () => (await load()).iam()),
        ec2: (region) => lazyClient(async () => (await load()).ec2(region)),
        s3: (region) => lazyClient(async () => (await load()).s3(region)),
        rds: (region) => lazyClient(async () => (await load()).rds(region)),
      },
      release: () => void set?.then((clients) => clients.destroy()).catch(() => undefined),
    };
  }
}

/** "123456789012 (prod)" */
export function accountLabel(account: AccountConfig): string {
  return `${account.accountId} (${account.alias})`;
}

function entryOf(f: Fixable): Pick<NewEntry, 'action' | 'fingerprint' | 'accountId' | 'alias' | 'checkId'> {
  return { action: f.action.id, fingerprint: f.state.fingerprint, accountId: f.account.accountId, alias: f.account.alias, checkId: f.state.checkId };
}

function origin(o: Origin): Pick<ActionRecord, 'thread' | 'message'> {
  return { ...(o.thread ? { thread: o.thread } : {}), ...(o.message ? { message: o.message } : {}) };
}

function pick(r: ActionRecord): Pick<ActionRecord, 'action' | 'fingerprint' | 'accountId' | 'alias' | 'checkId' | 'thread' | 'message'> {
  return { action: r.action, fingerprint: r.fingerprint, accountId: r.accountId, alias: r.alias, checkId: r.checkId, ...origin(r) };
}
