import { randomUUID } from 'node:crypto';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import type { Check } from '../audit/types.js';
import { homeRegionOf, partitionOfArn } from '../aws/partition.js';
import { roleSessionName, type RoleSessions } from '../aws/session.js';
import type { AccountConfig, Config } from '../config.js';
import { errorMessage } from '../errors.js';
import type { FindingState } from '../history/diff.js';
import { Mutes } from '../history/mutes.js';
import type { Store } from '../history/store.js';
import type { Logger } from '../log.js';
import { actionFor } from './actions/index.js';
import type { RemediationAction, RemediationClients, RemediationTarget } from './types.js';

/** Undo is offered this long after a fix. */
export const UNDO_WINDOW_MS = 24 * 60 * 60 * 1000;

/** What happened to one attempt, as the action log keeps it. */
export type ActionResult = 'refused' | 'dry-run' | 'applying' | 'applied' | 'failed' | 'undone' | 'undo-failed' | 'requested' | 'rejected';

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
  /** What undo needs (applied entries). */
  state?: Record<string, unknown>;
  /** Applied entries: when and by whom it was undone. */
  undoneAt?: string;
  undoneBy?: string;
  /** Undo entries: the applied entry they undo. */
  undoOf?: string;
  /** Where the finding's thread is (a channel and the message the fix was asked from). */
  thread?: { channel: string; ts: string };
  /** Requests (two-person rule): the finding reference the requester's control carried. */
  ref?: string;
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

export type Guarded<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface RemediationServiceOptions {
  config: Config;
  checks: readonly Check[];
  store: Store;
  sessions: RoleSessions;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** SDK clients with the account's remediation role (tests pass mocked ones). */
  clients?: (account: AccountConfig, user: string) => RemediationClients;
}

/**
 * Fixes one finding at a time, guarded: only remediators, only in accounts
 * with a remediation role (assumed for the fix alone), only findings the
 * history knows as open and unmuted, a live precheck right before acting, one
 * AWS write per fix however often the click arrives, and every attempt in the
 * action log. `remediation.mode: dry-run` says what would change instead.
 */
export class RemediationService {
  private readonly now: () => Date;
  private readonly mutes: Mutes;
  /** One fix (or undo) at a time per finding: concurrent clicks queue here, and the later ones find the work done. */
  private readonly locks = new Map<string, Promise<unknown>>();

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

  isRemediator(user: string): boolean {
    return this.options.config.access.remediators.includes(user);
  }

  /** Whether a fix is offered for this check in this account at all (the menu shows it to everyone; the click decides). */
  offers(accountId: string, checkId: string): boolean {
    const account = this.accountOf(accountId);
    return Boolean(account?.remediationRoleArn) && this.options.config.access.remediators.length > 0 && actionFor(checkId) !== undefined;
  }

  /** The action log, newest last. */
  get log(): readonly ActionRecord[] {
    return this.options.store.data.actions as unknown as ActionRecord[];
  }

  record(id: string): ActionRecord | undefined {
    return this.log.find((r) => r.id === id);
  }

  /**
   * Every guard that needs no AWS call: the user, the account's role, the
   * finding (known, open, not muted), the action. A refusal is logged.
   */
  async guard(user: string, ref: unknown, requestId: string): Promise<Guarded<Fixable>> {
    const lookup = this.mutes.lookup(ref);
    if (!lookup.found) return this.refuse({ user, requestId, reason: lookup.reason });
    const { state, scan } = lookup.finding;
    const account = (scan && this.options.config.accounts.find((a) => a.alias === scan.alias)) ?? this.accountOf(state.accountId);
    const base = { user, requestId, state, alias: account?.alias ?? state.accountId };
    const action = actionFor(state.checkId);
    if (!action) return this.refuse({ ...base, reason: `There is no one-click fix for \`${state.checkId}\` findings.` });
    if (!this.isRemediator(user)) return this.refuse({ ...base, action, reason: 'Only the people in `access.remediators` may fix findings.' });
    if (!account) return this.refuse({ ...base, action, reason: `Account ${state.accountId} is no longer configured.` });
    if (!account.remediationRoleArn) {
      return this.refuse({ ...base, action, reason: `Fixes are off in ${account.alias}: it has no \`remediationRoleArn\` (the audit role stays read-only).` });
    }
    if (state.resolvedAt !== null) return this.refuse({ ...base, action, reason: `That finding was resolved on ${state.resolvedAt.slice(0, 10)}: there is nothing to fix.` });
    const mute = this.mutes.active(this.now()).get(state.fingerprint);
    if (mute) return this.refuse({ ...base, action, reason: `That finding is muted until ${mute.expiresAt.slice(0, 10)} (${mute.reason}); unmute it first.` });
    const target: RemediationTarget = { checkId: state.checkId, accountId: state.accountId, region: state.region, resourceId: state.resourceId, details: state.details ?? {} };
    return { ok: true, value: { action, account, state, target, describe: `${action.describe(target)} in ${accountLabel(account)}` } };
  }

  /**
   * The live precheck, for the confirmation (read-only): the exact change, or
   * why there is nothing to do (logged as a refused attempt).
   */
  async preview(fixable: Fixable, user: string, requestId: string): Promise<Guarded<string>> {
    const entry = {
      requestId,
      action: fixable.action.id,
      fingerprint: fixable.state.fingerprint,
      accountId: fixable.account.accountId,
      alias: fixable.account.alias,
      checkId: fixable.state.checkId,
      user,
    };
    try {
      const check = await fixable.action.precheck(fixable.target, this.clientsFor(fixable.account, user), { now: this.now(), thresholds: this.options.config.thresholds });
      if (check.ok) return { ok: true, value: `${check.change} in ${accountLabel(fixable.account)}` };
      await this.append({ ...entry, result: 'refused', reason: `the precheck found nothing to do: ${check.reason}` });
      return { ok: false, reason: check.reason };
    } catch (error) {
      const reason = `AWS could not be read with the remediation role: ${errorMessage(error)}`;
      await this.append({ ...entry, result: 'failed', reason });
      return { ok: false, reason };
    }
  }

  /**
   * Fixes the finding (or, in dry-run mode, says what would change): guards,
   * live precheck, apply, log. A repeat of the same request, or a fix already
   * applied by someone else meanwhile, is answered without acting or logging.
   */
  async execute(input: { user: string; ref: unknown; requestId: string; approvedBy?: string; thread?: { channel: string; ts: string } }): Promise<ExecuteOutcome> {
    const repeat = this.byRequest(input.requestId);
    if (repeat) return { kind: 'repeat', record: repeat };
    const guarded = await this.guard(input.approvedBy ?? input.user, input.ref, input.requestId);
    if (!guarded.ok) return { kind: 'refused', reason: guarded.reason, record: this.byRequest(input.requestId) };
    const fixable = guarded.value;
    return this.locked(fixable.state.fingerprint, async () => {
      const again = this.byRequest(input.requestId);
      if (again) return { kind: 'repeat', record: again };
      const done = this.log.find((r) => r.fingerprint === fixable.state.fingerprint && r.action === fixable.action.id && (r.result === 'applied' || r.result === 'applying') && !r.undoneAt);
      if (done) return { kind: 'already', record: done };
      const entry = {
        requestId: input.requestId,
        action: fixable.action.id,
        fingerprint: fixable.state.fingerprint,
        accountId: fixable.account.accountId,
        alias: fixable.account.alias,
        checkId: fixable.state.checkId,
        user: input.user,
        ...(input.approvedBy ? { approvedBy: input.approvedBy } : {}),
        ...(input.thread ? { thread: input.thread } : {}),
      };
      const clients = this.clientsFor(fixable.account, input.approvedBy ?? input.user);
      let precheck;
      try {
        precheck = await fixable.action.precheck(fixable.target, clients, { now: this.now(), thresholds: this.options.config.thresholds });
      } catch (error) {
        const record = await this.append({ ...entry, result: 'failed', reason: `the precheck could not read AWS: ${errorMessage(error)}` });
        return { kind: 'failed', record };
      }
      if (!precheck.ok) {
        const record = await this.append({ ...entry, result: 'refused', reason: `the precheck found nothing to do: ${precheck.reason}` });
        return { kind: 'stale', record };
      }
      const change = `${precheck.change} in ${accountLabel(fixable.account)}`;
      if (this.mode === 'dry-run') {
        const record = await this.append({ ...entry, result: 'dry-run', change });
        return { kind: 'dry-run', record };
      }
      // Written before acting (with what undo needs), completed after: a crash in between leaves an
      // `applying` entry that says what was being done, and can still be undone.
      const started = await this.append({ ...entry, result: 'applying', change, state: precheck.state });
      try {
        await fixable.action.apply(precheck.state, clients);
      } catch (error) {
        const record = await this.complete(started.id, { result: 'failed', reason: errorMessage(error) });
        this.options.logger.error({ action: fixable.action.id, fingerprint: fixable.state.fingerprint, err: errorMessage(error) }, 'a fix failed');
        return { kind: 'failed', record };
      }
      const record = await this.complete(started.id, { result: 'applied' });
      this.options.logger.info({ action: fixable.action.id, fingerprint: fixable.state.fingerprint, user: input.user, approvedBy: input.approvedBy }, 'a fix was applied');
      return { kind: 'applied', record };
    });
  }

  /** Files a request for a second remediator's approval (the two-person rule). */
  async request(input: { user: string; ref: unknown; requestId: string; change: string; thread?: { channel: string; ts: string } }): Promise<Guarded<ActionRecord>> {
    const repeat = this.byRequest(input.requestId);
    if (repeat) return { ok: true, value: repeat };
    const guarded = await this.guard(input.user, input.ref, input.requestId);
    if (!guarded.ok) return guarded;
    const f = guarded.value;
    const record = await this.append({
      requestId: input.requestId,
      result: 'requested',
      action: f.action.id,
      fingerprint: f.state.fingerprint,
      accountId: f.account.accountId,
      alias: f.account.alias,
      checkId: f.state.checkId,
      user: input.user,
      change: input.change,
      ref: String(input.ref),
      ...(input.thread ? { thread: input.thread } : {}),
    });
    return { ok: true, value: record };
  }

  /** Approves (or rejects) a filed request: another remediator than the requester. */
  async decide(input: { requestRecordId: string; by: string; approve: boolean }): Promise<ExecuteOutcome> {
    const request = this.record(input.requestRecordId);
    if (!request || request.result !== 'requested') return { kind: 'refused', reason: 'There is no such request (it may have been decided already).' };
    const decisionId = `decision:${request.id}`;
    const repeat = this.byRequest(decisionId);
    if (repeat) return { kind: 'repeat', record: repeat };
    if (!this.isRemediator(input.by)) {
      return { kind: 'refused', reason: 'Only the people in `access.remediators` may approve fixes.', record: await this.logRefusal(request, input.by, 'not a remediator') };
    }
    if (input.by === request.user) {
      return { kind: 'refused', reason: 'You asked for this fix: another remediator must approve it.', record: await this.logRefusal(request, input.by, 'the requester cannot approve their own request') };
    }
    const ref = request.ref ?? '';
    if (!input.approve) {
      const record = await this.append({ ...pick(request), requestId: decisionId, result: 'rejected', user: request.user, approvedBy: input.by });
      return { kind: 'rejected', record };
    }
    return this.execute({ user: request.user, approvedBy: input.by, ref, requestId: decisionId, ...(request.thread ? { thread: request.thread } : {}) });
  }

  /** Undoes an applied fix within 24 hours, after checking that what it did is still in place. */
  async undo(input: { recordId: string; user: string; requestId: string }): Promise<ExecuteOutcome> {
    const repeat = this.byRequest(input.requestId);
    if (repeat) return { kind: 'repeat', record: repeat };
    const applied = this.record(input.recordId);
    if (!applied || (applied.result !== 'applied' && applied.result !== 'applying') || !applied.state) return { kind: 'refused', reason: 'There is no such fix to undo.' };
    return this.locked(applied.fingerprint, async () => {
      const again = this.byRequest(input.requestId);
      if (again) return { kind: 'repeat', record: again };
      const current = this.record(input.recordId)!;
      if (current.undoneAt) return { kind: 'already', record: current };
      const entry = { ...pick(current), requestId: input.requestId, user: input.user, undoOf: current.id, ...(current.change ? { change: current.change } : {}) };
      if (!this.isRemediator(input.user)) return { kind: 'refused', reason: 'Only the people in `access.remediators` may undo fixes.', record: await this.append({ ...entry, result: 'refused', reason: 'not a remediator' }) };
      if (this.now().getTime() - Date.parse(current.at) > UNDO_WINDOW_MS) {
        return { kind: 'refused', reason: 'Undo is offered for 24 hours after a fix; this one is older. Change it in AWS directly.', record: await this.append({ ...entry, result: 'refused', reason: 'undo window over' }) };
      }
      const account = this.options.config.accounts.find((a) => a.alias === current.alias) ?? this.accountOf(current.accountId);
      const action = actionFor(current.checkId);
      if (!account?.remediationRoleArn || !action) return { kind: 'refused', reason: 'Fixes are no longer configured for that account.' };
      const clients = this.clientsFor(account, input.user);
      try {
        const check = await action.precheckUndo(current.state!, clients);
        if (!check.ok) return { kind: 'stale', record: await this.append({ ...entry, result: 'refused', reason: `nothing to undo: ${check.reason}` }) };
        await action.undo(current.state!, clients);
      } catch (error) {
        return { kind: 'failed', record: await this.append({ ...entry, result: 'undo-failed', reason: errorMessage(error) }) };
      }
      const at = this.now().toISOString();
      const record = await this.append({ ...entry, result: 'undone' }, (data) => {
        const target = (data.actions as unknown as ActionRecord[]).find((r) => r.id === current.id);
        if (target) {
          target.undoneAt = at;
          target.undoneBy = input.user;
        }
      });
      return { kind: 'undone', record };
    });
  }

  // ---- internals ------------------------------------------------------------------

  private accountOf(accountId: string): AccountConfig | undefined {
    return this.options.config.accounts.find((a) => a.accountId === accountId && a.remediationRoleArn) ?? this.options.config.accounts.find((a) => a.accountId === accountId);
  }

  private byRequest(requestId: string): ActionRecord | undefined {
    return this.log.find((r) => r.requestId === requestId);
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

  private async append(entry: Omit<ActionRecord, 'id' | 'at'>, alsoChange?: (data: { actions: unknown[] }) => void): Promise<ActionRecord> {
    const record: ActionRecord = { id: randomUUID(), at: this.now().toISOString(), ...entry };
    await this.options.store.update((data) => {
      alsoChange?.(data as unknown as { actions: unknown[] });
      data.actions.push(record as unknown as (typeof data.actions)[number]);
    });
    this.options.logger.info({ action: record.action, result: record.result, user: record.user, fingerprint: record.fingerprint, reason: record.reason }, 'remediation attempt');
    return record;
  }

  /** Completes an `applying` entry: the same entry, now with its result. */
  private async complete(id: string, change: Pick<ActionRecord, 'result'> & { reason?: string }): Promise<ActionRecord> {
    await this.options.store.update((data) => {
      const target = (data.actions as unknown as ActionRecord[]).find((r) => r.id === id);
      if (target) Object.assign(target, change, { completedAt: this.now().toISOString() });
    });
    const record = this.record(id)!;
    this.options.logger.info({ action: record.action, result: record.result, user: record.user, fingerprint: record.fingerprint, reason: record.reason }, 'remediation attempt');
    return record;
  }

  private async refuse(input: { user: string; requestId: string; reason: string; state?: FindingState; alias?: string; action?: RemediationAction }): Promise<{ ok: false; reason: string }> {
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
      });
    }
    return { ok: false, reason: input.reason };
  }

  private async logRefusal(request: ActionRecord, by: string, reason: string): Promise<ActionRecord> {
    return this.append({ ...pick(request), requestId: `refusal:${randomUUID()}`, result: 'refused', user: by, reason });
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
    return {
      iam: () => new IAMClient({ region: home, credentials, maxAttempts: 3 }),
      ec2: (region) => new EC2Client({ region, credentials, maxAttempts: 3 }),
      s3: (region) => new S3Client({ region, credentials, maxAttempts: 3, forcePathStyle: pathStyle }),
    };
  }
}

export type ExecuteOutcome =
  | { kind: 'applied' | 'dry-run' | 'stale' | 'failed' | 'undone' | 'rejected'; record: ActionRecord }
  | { kind: 'repeat' | 'already'; record: ActionRecord }
  | { kind: 'refused'; reason: string; record?: ActionRecord | undefined };

/** "123456789012 (prod)" */
export function accountLabel(account: AccountConfig): string {
  return `${account.accountId} (${account.alias})`;
}

function pick(r: ActionRecord): Pick<ActionRecord, 'action' | 'fingerprint' | 'accountId' | 'alias' | 'checkId'> & { thread?: { channel: string; ts: string } } {
  return { action: r.action, fingerprint: r.fingerprint, accountId: r.accountId, alias: r.alias, checkId: r.checkId, ...(r.thread ? { thread: r.thread } : {}) };
}
