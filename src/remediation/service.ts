import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { lazyClient } from '../aws/lazy-client.js';
import { boundedClientConfig, DEFAULT_TIMEOUTS } from '../aws/timeouts.js';
import { homeRegionOf, partitionOfArn } from '../aws/partition.js';
import { roleSessionName, type RoleSessions } from '../aws/session.js';
import type { AccountConfig, Config } from '../config.js';
import { errorMessage } from '../errors.js';
import type { FindingState } from '../store/diff.js';
import { Mutes } from '../store/mutes.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../log.js';
import { ALL_ACTIONS, fixOf } from './actions/index.js';
import type { Precheck, RemediationAction, RemediationClients, RemediationTarget } from './types.js';

/** Undo is offered this long after a fix. */
export const UNDO_WINDOW_MS = 24 * 60 * 60 * 1000;
/** A confirmation (the preview a remediator saw) can be acted on this long. */
export const CONFIRMATION_TTL_MS = 15 * 60 * 1000;
/** A request for approval (two-person rule) can be decided this long. */
export const REQUEST_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * After a fix, AWS may still answer reads with the old state for a moment
 * (IAM is eventually consistent): within this time a second click is told the
 * fix is done without reading AWS. After it, the live precheck decides.
 */
export const SETTLE_MS = 5 * 60 * 1000;

const SOMEONE_ELSES = 'That confirmation was shown to someone else: choose Fix yourself.';

/** What happened to one attempt, as the action log keeps it. */
export type ActionResult = 'refused' | 'dry-run' | 'applying' | 'applied' | 'failed' | 'undone' | 'undo-failed' | 'requested' | 'rejected';

/** A Slack message: the finding's thread, or the message a fix was chosen in. */
export interface MessageRef {
  channel: string;
  ts: string;
}

/** One entry of the action log (the store's `actions`). */
export interface ActionRecord {
  id: string;
  at: string;
  /** The click this entry answers: a repeat of it (a replayed payload) is answered from here, never acted on again. */
  requestId: string;
  result: ActionResult;
  action: string;
  fingerprint: string;
  accountId: string;
  alias: string;
  checkId: string;
  /** Who clicked (the requester, under the two-person rule). */
  user: string;
  /** Under the two-person rule: who approved (or rejected). */
  approvedBy?: string;
  /** What changed, would change (dry run) or was asked (request): one sentence. */
  change?: string;
  /** Why it was refused or failed. */
  reason?: string;
  /** What undo needs (applied entries, and failed ones that changed part of it); what was previewed (requests). */
  state?: Record<string, unknown>;
  /** Failed entries: part of the change was made (`state` says which part; undo restores it). */
  partial?: boolean;
  /** `applying` entries: when the outcome was written. */
  completedAt?: string;
  /** Applied entries: when and by whom it was undone. */
  undoneAt?: string;
  undoneBy?: string;
  /** Applied entries the live state no longer matched, fixed again by a later entry: undo that one. */
  supersededBy?: string;
  /** Undo entries: the applied entry they undo. */
  undoOf?: string;
  /** Where the finding's thread is. */
  thread?: MessageRef;
  /** The report or digest message the fix was chosen in (it gets a line with the outcome). */
  message?: MessageRef;
  /** Requests (two-person rule): the finding reference the requester's control carried. */
  ref?: string;
  /** Requests: decided (approved or rejected) when and by whom; a request is decided once. */
  decidedAt?: string;
  decidedBy?: string;
}

/** A finding a fix was asked for, after every guard that needs no AWS call. */
export interface Fixable {
  action: RemediationAction;
  account: AccountConfig;
  state: FindingState;
  target: RemediationTarget;
  /** From the recorded finding only: what would change. */
  describe: string;
}

/**
 * What a remediator was shown and may now confirm: kept by the server (the
 * button carries only its id), bound to the user, the finding, the mode and
 * the rule in force, and to the state AWS was in. A confirmation made under
 * other settings, by someone else, or too long ago is refused.
 */
interface Confirmation {
  user: string;
  ref: string;
  fingerprint: string;
  action: string;
  mode: 'dry-run' | 'apply';
  approval: boolean;
  change: string;
  state: Record<string, unknown>;
  expiresAt: number;
}

export type Guarded<T> = { ok: true; value: T } | { ok: false; reason: string };

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
  | { kind: 'refused'; reason: string; record?: ActionRecord | undefined };

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
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly confirmations = new Map<string, Confirmation>();

  constructor(private readonly options: RemediationServiceOptions) {
    this.now = options.now ?? (() => new Date());
    this.mutes = new Mutes(options.store);
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
  get log(): readonly ActionRecord[] {
    return this.options.store.data.actions as unknown as ActionRecord[];
  }

  record(id: string): ActionRecord | undefined {
    return this.log.find((r) => r.id === id);
  }

  /** The log entry that answers a click (its request id), if any. */
  attempt(requestId: string): ActionRecord | undefined {
    return this.byRequest(requestId);
  }

  /**
   * Every guard that needs no AWS call: the user, the account's role, the
   * finding (known, open, not muted), the action. A refusal is logged.
   */
  async guard(user: string, ref: unknown, requestId: string, where: Origin = {}): Promise<Guarded<Fixable>> {
    const lookup = this.mutes.lookup(ref);
    if (!lookup.found) return this.refuse({ user, requestId, reason: lookup.reason, where });
    const { state, scan } = lookup.finding;
    // The account the finding was found in: its alias may have been moved to another account since.
    const account = this.options.config.accounts.find((a) => a.alias === scan?.alias && a.accountId === state.accountId) ?? this.accountOf(state.accountId);
    const base = { user, requestId, state, alias: account?.alias ?? scan?.alias ?? state.accountId, where };
    const action = fixOf(state);
    if (!action) return this.refuse({ ...base, reason: `There is no one-click fix for this \`${state.checkId}\` finding.` });
    if (!this.isRemediator(user)) return this.refuse({ ...base, action, reason: 'Only the people in `access.remediators` may fix findings.' });
    if (!account) return this.refuse({ ...base, action, reason: `Account ${state.accountId} is no longer configured.` });
    if (!account.remediationRoleArn) {
      return this.refuse({ ...base, action, reason: `Fixes are off in ${account.alias}: it has no \`remediationRoleArn\` (the audit role stays read-only).` });
    }
    if (state.resolvedAt !== null)
      return this.refuse({ ...base, action, reason: `That finding was resolved on ${state.resolvedAt.slice(0, 10)}: there is nothing to fix.` });
    const mute = this.mutes.active(this.now()).get(state.fingerprint);
    if (mute) return this.refuse({ ...base, action, reason: `That finding is muted until ${mute.expiresAt.slice(0, 10)} (${mute.reason}); unmute it first.` });
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
  async preview(fixable: Fixable, user: string, requestId: string, ref: string): Promise<Guarded<string> & { unreadable?: boolean }> {
    const entry = { ...entryOf(fixable), requestId, user };
    try {
      const check = await fixable.action.precheck(fixable.target, this.clientsFor(fixable.account, user), this.context());
      if (!check.ok) {
        await this.append({ ...entry, result: 'refused', reason: `the precheck found nothing to do: ${check.reason}` });
        return { ok: false, reason: check.reason };
      }
      const change = `${check.change} in ${accountLabel(fixable.account)}`;
      const now = this.now().getTime();
      for (const [id, c] of this.confirmations) if (c.expiresAt <= now) this.confirmations.delete(id);
      this.confirmations.set(requestId, {
        user,
        ref,
        fingerprint: fixable.state.fingerprint,
        action: fixable.action.id,
        mode: this.mode,
        approval: this.requireApproval && this.mode === 'apply',
        change,
        state: check.state,
        expiresAt: now + CONFIRMATION_TTL_MS,
      });
      return { ok: true, value: change };
    } catch (error) {
      const reason = `AWS could not be read with the remediation role: ${errorMessage(error)}`;
      await this.append({ ...entry, result: 'failed', reason });
      return { ok: false, reason, unreadable: true };
    }
  }

  /**
   * Acts on a confirmation (or, in dry-run mode, says what would change):
   * guards, live precheck, apply, log. A repeat of the same request, or a fix
   * already applied meanwhile, is answered without acting or logging.
   */
  async execute(input: { user: string; ref: unknown; requestId: string } & Origin): Promise<ExecuteOutcome> {
    const where: Origin = { thread: input.thread, message: input.message };
    if (this.foreign(input.requestId, input.user))
      return this.refusedOutcome(input.user, input.ref, `foreign:${randomUUID()}`, SOMEONE_ELSES, undefined, SOMEONE_ELSES, where);
    const repeat = await this.settled(this.byRequest(input.requestId));
    if (repeat) return { kind: 'repeat', record: repeat };
    // One click of a confirmation at a time: a double click that is refused is refused (and logged) once.
    return this.locked(`request:${input.requestId}`, async () => {
      const again = this.byRequest(input.requestId);
      if (again) return { kind: 'repeat', record: again };
      const confirmed = this.confirmed(input.requestId, input.user, input.ref, false);
      if (!confirmed.ok) return this.refusedOutcome(input.user, input.ref, input.requestId, confirmed.reason, undefined, confirmed.reason, where);
      const guarded = await this.guard(input.user, input.ref, input.requestId, where);
      if (!guarded.ok) return { kind: 'refused', reason: guarded.reason, record: this.byRequest(input.requestId) };
      return this.run(guarded.value, { user: input.user, requestId: input.requestId, expected: confirmed.value, origin: where });
    });
  }

  /** Cancel on a confirmation: it can no longer be acted on. False when it was acted on already (or is not this user's). */
  cancel(requestId: string, user: string): boolean {
    const confirmation = this.confirmations.get(requestId);
    if (confirmation?.user === user) this.confirmations.delete(requestId);
    return this.byRequest(requestId) === undefined;
  }

  /**
   * Files a request for a second remediator's approval (the two-person rule),
   * from a confirmation made under that rule. A repeat returns the request
   * filed first (`repeat: true`: it is not posted again).
   */
  async request(input: { user: string; ref: unknown; requestId: string } & Origin): Promise<Guarded<{ record: ActionRecord; repeat: boolean }>> {
    if (this.foreign(input.requestId, input.user)) {
      return this.refuse({ user: input.user, requestId: `foreign:${randomUUID()}`, reason: SOMEONE_ELSES, ...this.aboutRef(input.ref), where: input });
    }
    return this.locked(`request:${input.requestId}`, async () => {
      const repeat = this.byRequest(input.requestId);
      if (repeat) return repeat.result === 'requested' ? { ok: true, value: { record: repeat, repeat: true } } : { ok: false, reason: outcomeReason(repeat) };
      const confirmed = this.confirmed(input.requestId, input.user, input.ref, true);
      if (!confirmed.ok)
        return this.refuse({ user: input.user, requestId: input.requestId, reason: confirmed.reason, ...this.aboutRef(input.ref), where: input });
      const guarded = await this.guard(input.user, input.ref, input.requestId, input);
      if (!guarded.ok) return guarded;
      const record = await this.append({
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
  async withdraw(requestRecordId: string, reason: string): Promise<void> {
    await this.options.store.update((data) => {
      const target = (data.actions as unknown as ActionRecord[]).find((r) => r.id === requestRecordId && r.result === 'requested' && !r.decidedAt);
      if (target) Object.assign(target, { result: 'failed', reason, completedAt: this.now().toISOString() });
    });
  }

  /** Approves (or rejects) a filed request: another remediator than the requester, once. */
  async decide(input: { requestRecordId: string; by: string; approve: boolean; requestId?: string }): Promise<ExecuteOutcome> {
    return this.locked(`request:${input.requestRecordId}`, async () => {
      const request = this.record(input.requestRecordId);
      if (!request || (request.result !== 'requested' && !request.decidedAt)) {
        return this.refusedOutcome(
          input.by,
          request?.ref ?? '',
          input.requestId ?? `decision:${randomUUID()}`,
          'There is no such request (it may have been withdrawn).',
          request,
        );
      }
      const decision = this.log.find((r) => r.requestId === `decision:${request.id}`);
      if (request.decidedAt) {
        if (decision) return { kind: 'repeat', record: (await this.settled(decision)) ?? decision };
        return { kind: 'refused', reason: `That request was already decided${request.decidedBy ? ` by <@${request.decidedBy}>` : ''}.` };
      }
      const refusal = (reason: string, logged: string) => this.refusedOutcome(input.by, request.ref ?? '', `refusal:${randomUUID()}`, reason, request, logged);
      if (!this.isRemediator(input.by)) return refusal('Only the people in `access.remediators` may approve fixes.', 'not a remediator');
      if (input.by === request.user)
        return refusal('You asked for this fix: another remediator must approve it.', 'the requester cannot approve their own request');
      if (this.now().getTime() - Date.parse(request.at) > REQUEST_TTL_MS) {
        return refusal('That request is more than 24 hours old: ask for the fix again.', 'the request expired');
      }
      const decidedAt = this.now().toISOString();
      await this.options.store.update((data) => {
        const target = (data.actions as unknown as ActionRecord[]).find((r) => r.id === request.id);
        if (target) Object.assign(target, { decidedAt, decidedBy: input.by });
      });
      const decisionId = `decision:${request.id}`;
      const where: Origin = { ...(request.thread ? { thread: request.thread } : {}), ...(request.message ? { message: request.message } : {}) };
      if (!input.approve) {
        const record = await this.append({
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
      if (!this.isRemediator(request.user)) return refusal('The requester is no longer in `access.remediators`.', 'the requester is no longer a remediator');
      const guarded = await this.guard(input.by, request.ref ?? '', decisionId);
      if (!guarded.ok) return { kind: 'refused', reason: guarded.reason, record: this.byRequest(decisionId) };
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
    const repeat = this.byRequest(input.requestId);
    if (repeat) return { kind: 'repeat', record: repeat };
    const fix = this.record(input.recordId);
    if (fix?.undoneAt) return { kind: 'already', record: fix };
    if (!fix || !undoable(fix)) {
      const reason = fix?.supersededBy ? 'A later fix replaced this one: undo that one.' : 'There is no such fix to undo.';
      return this.refusedOutcome(input.user, '', input.requestId, reason, fix);
    }
    return this.locked(`account:${fix.accountId}`, async () => {
      const again = this.byRequest(input.requestId);
      if (again) return { kind: 'repeat', record: again };
      const current = this.record(input.recordId)!;
      if (current.undoneAt) return { kind: 'already', record: current };
      if (!undoable(current)) return this.refusedOutcome(input.user, '', input.requestId, 'A later fix replaced this one: undo that one.', current);
      const entry = {
        ...pick(current),
        requestId: input.requestId,
        user: input.user,
        undoOf: current.id,
        ...(current.change ? { change: current.change } : {}),
      };
      const refuse = async (reason: string, logged = reason): Promise<ExecuteOutcome> => ({
        kind: 'refused',
        reason,
        record: await this.append({ ...entry, result: 'refused', reason: logged }),
      });
      if (!this.isRemediator(input.user)) return refuse('Only the people in `access.remediators` may undo fixes.', 'not a remediator');
      if (this.mode === 'dry-run')
        return refuse('The bot is in dry-run mode (`remediation.mode: dry-run`): it changes nothing in AWS, undo included.', 'dry-run mode');
      if (this.now().getTime() - Date.parse(current.at) > UNDO_WINDOW_MS) {
        return refuse('Undo is offered for 24 hours after a fix; this one is older. Change it in AWS directly.', 'undo window over');
      }
      const account =
        this.options.config.accounts.find((a) => a.alias === current.alias && a.accountId === current.accountId) ?? this.accountOf(current.accountId);
      const action = ALL_ACTIONS.find((a) => a.id === current.action);
      if (!account?.remediationRoleArn || !action) return refuse(`Fixes are no longer configured for account ${current.accountId}.`);
      const clients = this.clientsFor(account, input.user);
      const state = current.state!;
      try {
        const check = await action.precheckUndo(state, clients);
        if (!check.ok) {
          const record = await this.append({ ...entry, result: 'refused', reason: `nothing to undo: ${check.reason}` }, (actions) => {
            // An entry whose outcome was never known, and whose change is not in place: it was not applied.
            const target = actions.find((r) => r.id === current.id);
            if (target?.result === 'applying')
              Object.assign(target, { result: 'failed', reason: `not applied (undo found ${check.reason})`, completedAt: this.now().toISOString() });
          });
          return { kind: 'stale', record };
        }
        await action.undo(state, clients);
      } catch (error) {
        return { kind: 'failed', record: await this.append({ ...entry, result: 'undo-failed', reason: errorMessage(error) }) };
      }
      const at = this.now().toISOString();
      const record = await this.append({ ...entry, result: 'undone' }, (actions) => {
        const target = actions.find((r) => r.id === current.id);
        if (target) Object.assign(target, { undoneAt: at, undoneBy: input.user });
      });
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
      const again = this.byRequest(input.requestId);
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
      const prior = [...this.log]
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

      const clients = this.clientsFor(fixable.account, input.approvedBy ? `${input.approvedBy}-for-${input.user}` : input.user);
      let precheck: Precheck;
      try {
        precheck = await fixable.action.precheck(fixable.target, clients, this.context());
      } catch (error) {
        return { kind: 'failed', record: await this.append({ ...entry, result: 'failed', reason: `the precheck could not read AWS: ${errorMessage(error)}` }) };
      }
      if (!precheck.ok) {
        if (prior) return { kind: 'already', record: prior };
        return { kind: 'stale', record: await this.append({ ...entry, result: 'refused', reason: `the precheck found nothing to do: ${precheck.reason}` }) };
      }
      const change = `${precheck.change} in ${accountLabel(fixable.account)}`;
      if (input.expected && !isDeepStrictEqual(input.expected.state, precheck.state)) {
        const reason = `AWS changed since the confirmation (it said: ${input.expected.change}; now: ${change}); choose Fix again`;
        return { kind: 'stale', record: await this.append({ ...entry, result: 'refused', reason }) };
      }
      // A recorded fix whose problem is live again: an `applying` one never landed; an applied one was reverted outside the bot.
      const settlePrior = (actions: ActionRecord[], newId: string) => {
        const target = prior && actions.find((r) => r.id === prior.id);
        if (!target) return;
        if (target.result === 'applying')
          Object.assign(target, {
            result: 'failed',
            reason: 'not applied: the bot stopped before AWS answered, and AWS still showed the problem later',
            completedAt: this.now().toISOString(),
          });
        else target.supersededBy = newId;
      };
      if (this.mode === 'dry-run') return { kind: 'dry-run', record: await this.append({ ...entry, result: 'dry-run', change }) };

      // Written before acting (with what undo needs), completed after: a crash in between leaves an
      // `applying` entry that says what was being done, and can still be undone.
      const started = await this.append({ ...entry, result: 'applying', change, state: precheck.state }, settlePrior);
      try {
        await fixable.action.apply(precheck.state, clients);
      } catch (error) {
        const record = await this.afterFailedApply(fixable.action, started, precheck.state, clients, error);
        return { kind: record.result === 'applied' ? 'applied' : 'failed', record };
      }
      const record = await this.complete(started.id, { result: 'applied' });
      this.options.logger.info(
        { action: fixable.action.id, fingerprint: fixable.state.fingerprint, user: input.user, approvedBy: input.approvedBy },
        'a fix was applied',
      );
      return { kind: 'applied', record };
    });
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
    if (inPlace) return this.complete(started.id, { result: 'applied', reason: `AWS answered an error (${errorMessage(error)}), but the change is in place` });
    const partial = (error as { partialState?: unknown }).partialState;
    return this.complete(started.id, {
      result: 'failed',
      reason: errorMessage(error),
      ...(partial && typeof partial === 'object' ? { state: partial as Record<string, unknown>, partial: true } : {}),
    });
  }

  private context() {
    return { now: this.now(), thresholds: this.options.config.thresholds };
  }

  /** The confirmation a click acts on, if it is the clicker's own, for this finding, under the settings in force now. */
  private confirmed(requestId: string, user: string, ref: unknown, approval: boolean): Guarded<{ change: string; state: Record<string, unknown> }> {
    const c = this.confirmations.get(requestId);
    if (!c || c.expiresAt <= this.now().getTime()) {
      return { ok: false, reason: 'That confirmation has expired (they last 15 minutes, and a restart of the bot ends them): choose Fix again.' };
    }
    if (c.user !== user) return { ok: false, reason: SOMEONE_ELSES };
    if (c.ref !== ref) return { ok: false, reason: 'That button does not match the confirmation it is on.' };
    const approvalNow = this.requireApproval && this.mode === 'apply';
    if (c.mode !== this.mode || c.approval !== approvalNow || c.approval !== approval) {
      return { ok: false, reason: "The bot's fix settings (`remediation.mode`, `access.requireApproval`) changed since this confirmation: choose Fix again." };
    }
    return { ok: true, value: { change: c.change, state: c.state } };
  }

  /** A click on a confirmation (or a request) that is someone else's: refused without touching theirs. */
  private foreign(requestId: string, user: string): boolean {
    const confirmation = this.confirmations.get(requestId);
    if (confirmation) return confirmation.user !== user;
    const record = this.byRequest(requestId);
    return record !== undefined && record.user !== user;
  }

  private accountOf(accountId: string): AccountConfig | undefined {
    return (
      this.options.config.accounts.find((a) => a.accountId === accountId && a.remediationRoleArn) ??
      this.options.config.accounts.find((a) => a.accountId === accountId)
    );
  }

  private byRequest(requestId: string): ActionRecord | undefined {
    return this.log.find((r) => r.requestId === requestId);
  }

  /** A record still `applying` in this process is waited for (its account's queue), so a repeat shows the outcome. */
  private async settled(record: ActionRecord | undefined): Promise<ActionRecord | undefined> {
    if (record?.result !== 'applying') return record;
    const running = this.locks.get(`account:${record.accountId}`);
    if (running) await running.catch(() => undefined);
    return this.record(record.id) ?? record;
  }

  private async locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.locks.get(key) ?? Promise.resolve();
    const run = before.catch(() => undefined).then(work);
    this.locks.set(key, run);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === run) this.locks.delete(key);
    }
  }

  private async append(entry: Omit<ActionRecord, 'id' | 'at'>, alsoChange?: (actions: ActionRecord[], newId: string) => void): Promise<ActionRecord> {
    const record: ActionRecord = { id: randomUUID(), at: this.now().toISOString(), ...entry };
    await this.options.store.update((data) => {
      alsoChange?.(data.actions as unknown as ActionRecord[], record.id);
      data.actions.push(record as unknown as (typeof data.actions)[number]);
    });
    this.options.logger.info(
      { action: record.action, result: record.result, user: record.user, fingerprint: record.fingerprint, reason: record.reason },
      'remediation attempt',
    );
    return this.record(record.id) ?? record;
  }

  /** Completes an `applying` entry: the same entry, now with its result. */
  private async complete(
    id: string,
    change: Pick<ActionRecord, 'result'> & Pick<Partial<ActionRecord>, 'reason' | 'state' | 'partial'>,
  ): Promise<ActionRecord> {
    await this.options.store.update((data) => {
      const target = (data.actions as unknown as ActionRecord[]).find((r) => r.id === id);
      if (target) Object.assign(target, change, { completedAt: this.now().toISOString() });
    });
    const record = this.record(id)!;
    this.options.logger.info(
      { action: record.action, result: record.result, user: record.user, fingerprint: record.fingerprint, reason: record.reason },
      'remediation attempt',
    );
    return record;
  }

  /** What a finding reference names, for a refusal's log entry when the guards were not reached. */
  private aboutRef(ref: unknown): { state?: FindingState; alias?: string; action?: RemediationAction } {
    const lookup = this.mutes.lookup(ref);
    if (!lookup.found) return {};
    const { state, scan } = lookup.finding;
    const action = fixOf(state);
    return { state, ...(scan ? { alias: scan.alias } : {}), ...(action ? { action } : {}) };
  }

  private async refuse(input: {
    user: string;
    requestId: string;
    reason: string;
    state?: FindingState | undefined;
    alias?: string | undefined;
    action?: RemediationAction | undefined;
    where?: Origin | undefined;
  }): Promise<{ ok: false; reason: string }> {
    if (!this.byRequest(input.requestId)) {
      await this.append({
        requestId: input.requestId,
        result: 'refused',
        action: input.action?.id ?? 'unknown',
        fingerprint: input.state?.fingerprint ?? 'unknown',
        accountId: input.state?.accountId ?? 'unknown',
        alias: input.alias ?? 'unknown',
        checkId: input.state?.checkId ?? 'unknown',
        user: input.user,
        reason: input.reason,
        ...origin(input.where ?? {}),
      });
    }
    return { ok: false, reason: input.reason };
  }

  /** A refusal as an outcome, logged: about the record it concerns when there is one, else about the finding reference. */
  private async refusedOutcome(
    user: string,
    ref: unknown,
    requestId: string,
    reason: string,
    about?: ActionRecord,
    logged = reason,
    where: Origin = {},
  ): Promise<ExecuteOutcome> {
    if (about) {
      const record = this.byRequest(requestId) ?? (await this.append({ ...pick(about), requestId, result: 'refused', user, reason: logged }));
      return { kind: 'refused', reason, record };
    }
    await this.refuse({ user, requestId, reason: logged, ...this.aboutRef(ref), where });
    return { kind: 'refused', reason, record: this.byRequest(requestId) };
  }

  private clientsFor(account: AccountConfig, user: string): RemediationClients {
    if (this.options.clients) return this.options.clients(account, user);
    const credentials = this.options.sessions.provider(
      { alias: account.alias, roleArn: account.remediationRoleArn!, externalId: account.externalId },
      roleSessionName(`fix-${user}`),
    );
    const env = this.options.env ?? process.env;
    const pathStyle = Boolean(env.AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_S3);
    const home = homeRegionOf(partitionOfArn(account.remediationRoleArn!));
    // A hung call would hold the account's queue: every call gives up after 5 s to connect, 30 s to answer, 3 attempts
    // (the outcome is read back). The limit must throw: the SDK's requestTimeout alone only logs a warning.
    const bounded = boundedClientConfig(DEFAULT_TIMEOUTS, 3);
    // Each client's package loads with its first call (see lazyClient).
    return {
      iam: () => lazyClient(async () => new (await import('./sdk.js')).IAMClient({ region: home, credentials, ...bounded })),
      ec2: (region) => lazyClient(async () => new (await import('./sdk.js')).EC2Client({ region, credentials, ...bounded })),
      s3: (region) => lazyClient(async () => new (await import('./sdk.js')).S3Client({ region, credentials, forcePathStyle: pathStyle, ...bounded })),
      rds: (region) => lazyClient(async () => new (await import('./sdk.js')).RDSClient({ region, credentials, ...bounded })),
    };
  }
}

/** Whether undo may act on this entry: a fix (or the part of one that was done) not undone, not replaced by a later one. */
export function undoable(record: ActionRecord): boolean {
  if (!record.state || record.undoneAt || record.supersededBy) return false;
  return record.result === 'applied' || record.result === 'applying' || (record.result === 'failed' && record.partial === true);
}

/** "123456789012 (prod)" */
export function accountLabel(account: AccountConfig): string {
  return `${account.accountId} (${account.alias})`;
}

function entryOf(f: Fixable): Pick<ActionRecord, 'action' | 'fingerprint' | 'accountId' | 'alias' | 'checkId'> {
  return { action: f.action.id, fingerprint: f.state.fingerprint, accountId: f.account.accountId, alias: f.account.alias, checkId: f.state.checkId };
}

function origin(o: Origin): Pick<ActionRecord, 'thread' | 'message'> {
  return { ...(o.thread ? { thread: o.thread } : {}), ...(o.message ? { message: o.message } : {}) };
}

function outcomeReason(record: ActionRecord): string {
  return record.reason ?? 'That request was already answered.';
}

function pick(r: ActionRecord): Pick<ActionRecord, 'action' | 'fingerprint' | 'accountId' | 'alias' | 'checkId' | 'thread' | 'message'> {
  return { action: r.action, fingerprint: r.fingerprint, accountId: r.accountId, alias: r.alias, checkId: r.checkId, ...origin(r) };
}
