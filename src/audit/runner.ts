import { setMaxListeners } from 'node:events';
import { AwsClients } from '../aws/clients.js';
import { DEFAULT_TIMEOUTS, type HttpTimeouts } from '../aws/timeouts.js';
import { seconds, SERVICE_NOT_OFFERED } from '../aws/transport-errors.js';
import { homeRegionOf, partitionOfArn } from '../aws/partition.js';
import { REGION_DISCOVERY, resolveRegions } from './regions.js';
import type { RoleSessions } from '../aws/session.js';
import type { AccountConfig, Thresholds } from '../config.js';
import { AuditBotError, awsErrorCode, errorMessage, type OwnErrorCode } from '../errors.js';
import { createCheckContext } from './check.js';
import { Inventory } from './inventory.js';
import { compareFindings } from './order.js';

export { compareFindings } from './order.js';
import { GLOBAL_REGION, type AuditProgress, type AuditResult, type Check, type CheckError, type CheckStats, type Finding } from './types.js';

export interface RunAuditOptions {
  account: AccountConfig;
  checks: readonly Check[];
  thresholds: Thresholds;
  /** Most AWS calls in flight at once. */
  concurrency: number;
  sessions: RoleSessions;
  /** AssumeRole session name (who asked). */
  sessionName: string;
  /** Only these regions (for regional checks); default: the account's. */
  onlyRegions?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Limits of each HTTP attempt to AWS; default 5 s to connect, 30 s to answer. */
  timeouts?: HttpTimeouts;
  /** The audit's deadline: what is unfinished then becomes error entries, and the result is returned. Default 15 min. */
  deadlineMs?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (progress: AuditProgress) => void;
}

/** `audit.timeoutSeconds`' default. */
export const DEFAULT_DEADLINE_MS = 15 * 60_000;

/** The code of the error entries of checks the deadline cut short. */
export const DEADLINE_CODE: OwnErrorCode = 'AuditDeadline';

/** AWS actions the runner itself needs, whatever checks run. */
export const RUNNER_ACTIONS = ['ec2:DescribeRegions'] as const;

export { REGION_DISCOVERY } from './regions.js';

/**
 * Audits one account: assumes its audit role (failing fast with a clear
 * error), runs global checks once and regional checks once per enabled region,
 * and turns any check's failure into an error entry while the rest go on.
 */
export async function runAudit(options: RunAuditOptions): Promise<AuditResult> {
  const now = options.now ?? (() => new Date());
  const started = performance.now();
  const startedAt = now();
  const { account } = options;
  const accountRef = { alias: account.alias, accountId: account.accountId };
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const deadline = new AbortController();
  // Every call of the audit listens to this one signal.
  setMaxListeners(0, deadline.signal);
  const reason = `the audit reached its deadline of ${formatDuration(deadlineMs)} (audit.timeoutSeconds)`;
  const timer = setTimeout(() => deadline.abort(reason), deadlineMs);
  const expired = new Promise<void>((resolve) => deadline.signal.addEventListener('abort', () => resolve(), { once: true }));
  // Waits (the credential report's polling) end at the deadline too, so nothing keeps the process alive after it.
  const sleep = options.sleep ?? ((ms: number) => abortableSleep(ms, deadline.signal));

  try {
    const credentials = options.sessions.provider(account, options.sessionName);
    const assumedBefore = options.sessions.assumeCalls;
    const attemptsBefore = options.sessions.assumeAttempts;
    // Throws AuditBotError (ASSUME_ROLE_FAILED / NO_CREDENTIALS): nothing can run.
    await Promise.race([
      credentials(),
      expired.then(() => {
        throw new AuditBotError('ASSUME_ROLE_FAILED', `Cannot assume ${account.roleArn} for account "${account.alias}": STS had not answered when ${reason}.`);
      }),
    ]);
    const clients = new AwsClients({
      credentials,
      homeRegion: homeRegionOf(partitionOfArn(account.roleArn)),
      concurrency: options.concurrency,
      timeouts: options.timeouts ?? DEFAULT_TIMEOUTS,
      signal: deadline.signal,
      ...(options.env ? { env: options.env } : {}),
    });
    for (let i = assumedBefore; i < options.sessions.assumeCalls; i++) clients.countCall('sts:AssumeRole');
    clients.countAttempts(options.sessions.assumeAttempts - attemptsBefore);

    const inventory = new Inventory({ clients, accountId: account.accountId, now: startedAt, sleep });
    const globalChecks = options.checks.filter((c) => c.scope === 'global');
    const regionalChecks = options.checks.filter((c) => c.scope === 'regional');
    const enabled = (check: Check) => check.enabled?.(options.thresholds) ?? true;
    inventory.prefetch(globalChecks.filter(enabled), GLOBAL_REGION);

    const errors: CheckError[] = [];
    const skippedRegions: { region: string; reason: string }[] = [];
    const skippedChecks: { checkId: string; region: string; reason: string }[] = [];
    let regions: string[] = [];
    const byCheck: Record<string, CheckStats> = Object.fromEntries(options.checks.map((c) => [c.id, { passed: 0, failed: 0, errors: 0 }]));
    const findings = new Map<string, Finding>();
    /** Checks not yet judged, by task key: what the deadline turns into error entries. */
    const unfinished = new Map<string, { check: Check; region: string }>();
    const taskKey = (check: Check, region: string) => `${check.id}@${region}`;
    for (const check of globalChecks) unfinished.set(taskKey(check, GLOBAL_REGION), { check, region: GLOBAL_REGION });
    let total = globalChecks.length;
    let done = 0;
    let closed = false;

    const judge = async (check: Check, region: string) => {
      const stats = byCheck[check.id]!;
      const outcome: { findings: Finding[]; errors: CheckError[]; passed: number; skipped?: string } = { findings: [], errors: [], passed: 0 };
      try {
        const ctx = createCheckContext({
          check,
          account: accountRef,
          region,
          regions,
          now: startedAt,
          thresholds: options.thresholds,
          inventory: inventory.scoped(check, region),
        });
        const evaluations = enabled(check) ? await check.run(ctx) : [];
        for (const evaluation of evaluations) {
          if (evaluation.status === 'pass') outcome.passed++;
          else if (evaluation.status === 'error') {
            outcome.errors.push({ checkId: check.id, region, code: evaluation.code, message: evaluation.message, resource: evaluation.resourceId });
          } else outcome.findings.push(evaluation.finding);
        }
      } catch (error) {
        // The service does not exist there: nothing was judged, and that is not an error either.
        if (awsErrorCode(error) === SERVICE_NOT_OFFERED) outcome.skipped = `${check.service} is ${firstLine(errorMessage(error))}`;
        else
          outcome.errors.push({
            checkId: check.id,
            region,
            code: awsErrorCode(error) ?? ('CheckFailed' satisfies OwnErrorCode),
            message: firstLine(errorMessage(error)),
          });
      }
      // After the deadline the report is out: a late answer changes nothing in it.
      if (closed) return;
      unfinished.delete(taskKey(check, region));
      if (outcome.skipped !== undefined) skippedChecks.push({ checkId: check.id, region, reason: outcome.skipped });
      stats.passed += outcome.passed;
      stats.errors += outcome.errors.length;
      errors.push(...outcome.errors);
      for (const finding of outcome.findings) {
        if (findings.has(finding.fingerprint)) continue;
        stats.failed++;
        findings.set(finding.fingerprint, finding);
      }
      done++;
      options.onProgress?.({ done, total, checkId: check.id, region });
    };

    // Global checks start at once: a slow or hung DescribeRegions holds only the regional ones.
    options.onProgress?.({ done, total });
    const globalRuns = globalChecks.map((check) => judge(check, GLOBAL_REGION));
    const work = (async () => {
      if (regionalChecks.length > 0) {
        const resolved = await resolveRegions(clients, account.regions, options.onlyRegions);
        if (closed) return;
        regions = resolved.regions;
        skippedRegions.push(...resolved.skipped);
        if (resolved.error) errors.push(resolved.error);
        for (const region of regions) for (const check of regionalChecks) unfinished.set(taskKey(check, region), { check, region });
        total += regions.length * regionalChecks.length;
        if (regions.length > 0) options.onProgress?.({ done, total });
        const prefetched = regionalChecks.filter(enabled);
        for (const region of regions) {
          inventory.prefetch(prefetched, region);
          // A region's first calls go out while the next region's clients are being built (CPU, about 10 ms a region).
          await new Promise<void>((resolve) => setImmediate(resolve));
          // At the deadline the unfinished checks, these regions' among them, become error entries.
          if (closed) return;
        }
      }
      await Promise.all([...globalRuns, ...regions.flatMap((region) => regionalChecks.map((check) => judge(check, region)))]);
    })();

    await Promise.race([work, expired]);
    closed = true;
    if (deadline.signal.aborted) {
      const waiting = clients.pendingOperations();
      const stuck = waiting.length ? ` Still waiting for ${waiting.slice(0, 5).join(', ')}${waiting.length > 5 ? ` and ${waiting.length - 5} more` : ''}.` : '';
      for (const { check, region } of unfinished.values()) {
        byCheck[check.id]!.errors++;
        errors.push({ checkId: check.id, region, code: DEADLINE_CODE, message: `Not finished: ${reason}.${stuck}` });
      }
      if (regionalChecks.length > 0 && regions.length === 0) {
        errors.push({
          checkId: REGION_DISCOVERY,
          region: GLOBAL_REGION,
          code: DEADLINE_CODE,
          message: `Could not list the account's enabled regions: ${reason}.${stuck} No regional check could run.`,
        });
      }
    }

    const calls = clients.callCount();
    // The audit's connections close with it (a bot runs audits for months).
    clients.destroy();
    return {
      account: accountRef,
      startedAt: startedAt.toISOString(),
      findings: [...findings.values()].sort(compareFindings),
      errors: errors.sort(
        (a, b) => a.checkId.localeCompare(b.checkId) || a.region.localeCompare(b.region) || (a.resource ?? '').localeCompare(b.resource ?? ''),
      ),
      scope: {
        checkIds: options.checks.map((c) => c.id),
        regions: [...(globalChecks.length > 0 ? [GLOBAL_REGION] : []), ...regions],
        skippedRegions,
        skippedChecks: skippedChecks.sort((a, b) => a.checkId.localeCompare(b.checkId) || a.region.localeCompare(b.region)),
        perTrailChecks: options.checks.filter((c) => c.judgedPer === 'trail').map((c) => c.id),
      },
      stats: {
        durationMs: Math.round(performance.now() - started),
        apiCalls: calls.total,
        apiCallsByOperation: calls.byOperation,
        httpAttempts: calls.httpAttempts,
        retries: calls.retries,
        checksRun: globalChecks.length + regions.length * regionalChecks.length - skippedChecks.length,
        byCheck,
      },
    };
  } finally {
    clearTimeout(timer);
    // Calls still in flight (a late region, a poll) end now instead of keeping sockets open.
    if (!deadline.signal.aborted) deadline.abort('the audit is over');
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return seconds(ms);
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 500);
}
