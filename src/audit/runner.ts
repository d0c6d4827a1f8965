import { AwsClients } from '../aws/clients.js';
import { homeRegionOf, partitionOfArn } from '../aws/partition.js';
import { resolveRegions } from '../aws/regions.js';
import type { RoleSessions } from '../aws/session.js';
import type { AccountConfig, Thresholds } from '../config.js';
import { awsErrorCode, errorMessage } from '../errors.js';
import { createCheckContext } from './check.js';
import { Inventory } from './inventory.js';
import { compareFindings } from './order.js';

export { compareFindings } from './order.js';
import {
  GLOBAL_REGION,
  type AuditProgress,
  type AuditResult,
  type Check,
  type CheckError,
  type CheckStats,
  type Finding,
} from './types.js';

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
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (progress: AuditProgress) => void;
}

/** AWS actions the runner itself needs, whatever checks run. */
export const RUNNER_ACTIONS = ['ec2:DescribeRegions'] as const;

export { REGION_DISCOVERY } from '../aws/regions.js';

/**
 * Audits one account: assumes its audit role (failing fast with a clear
 * error), runs global checks once and regional checks once per enabled region,
 * and turns any check's failure into an error entry while the rest go on.
 */
export async function runAudit(options: RunAuditOptions): Promise<AuditResult> {
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = performance.now();
  const startedAt = now();
  const { account } = options;
  const accountRef = { alias: account.alias, accountId: account.accountId };

  const credentials = options.sessions.provider(account, options.sessionName);
  const assumedBefore = options.sessions.assumeCalls;
  await credentials(); // throws AuditBotError (ASSUME_ROLE_FAILED / NO_CREDENTIALS): nothing can run
  const clients = new AwsClients({
    credentials,
    homeRegion: homeRegionOf(partitionOfArn(account.roleArn)),
    concurrency: options.concurrency,
    ...(options.env ? { env: options.env } : {}),
  });
  for (let i = assumedBefore; i < options.sessions.assumeCalls; i++) clients.countCall('sts:AssumeRole');

  const inventory = new Inventory({ clients, accountId: account.accountId, now: startedAt, sleep });
  const globalChecks = options.checks.filter((c) => c.scope === 'global');
  const regionalChecks = options.checks.filter((c) => c.scope === 'regional');
  const enabled = (check: Check) => check.enabled?.(options.thresholds) ?? true;
  inventory.prefetch(globalChecks.filter(enabled), GLOBAL_REGION);

  const errors: CheckError[] = [];
  const skippedRegions: { region: string; reason: string }[] = [];
  let regions: string[] = [];
  if (regionalChecks.length > 0) {
    const resolved = await resolveRegions(clients, account.regions, options.onlyRegions);
    regions = resolved.regions;
    skippedRegions.push(...resolved.skipped);
    if (resolved.error) errors.push(resolved.error);
    for (const region of regions) inventory.prefetch(regionalChecks.filter(enabled), region);
  }

  const tasks: { check: Check; region: string }[] = [
    ...globalChecks.map((check) => ({ check, region: GLOBAL_REGION })),
    ...regions.flatMap((region) => regionalChecks.map((check) => ({ check, region }))),
  ];
  const byCheck: Record<string, CheckStats> = Object.fromEntries(options.checks.map((c) => [c.id, { passed: 0, failed: 0, errors: 0 }]));
  const findings = new Map<string, Finding>();
  let done = 0;
  options.onProgress?.({ done, total: tasks.length });

  await Promise.all(
    tasks.map(async ({ check, region }) => {
      const stats = byCheck[check.id]!;
      try {
        const ctx = createCheckContext({ check, account: accountRef, region, regions, now: startedAt, thresholds: options.thresholds, inventory: inventory.scoped(check, region) });
        const evaluations = enabled(check) ? await check.run(ctx) : [];
        for (const evaluation of evaluations) {
          if (evaluation.status === 'pass') stats.passed++;
          else if (evaluation.status === 'error') {
            stats.errors++;
            errors.push({ checkId: check.id, region, code: evaluation.code, message: evaluation.message, resource: evaluation.resourceId });
          } else if (!findings.has(evaluation.finding.fingerprint)) {
            stats.failed++;
            findings.set(evaluation.finding.fingerprint, evaluation.finding);
          }
        }
      } catch (error) {
        stats.errors++;
        errors.push({ checkId: check.id, region, code: awsErrorCode(error) ?? 'CheckFailed', message: firstLine(errorMessage(error)) });
      }
      done++;
      options.onProgress?.({ done, total: tasks.length, checkId: check.id, region });
    }),
  );

  const calls = clients.callCount();
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
    },
    stats: {
      durationMs: Math.round(performance.now() - started),
      apiCalls: calls.total,
      apiCallsByOperation: calls.byOperation,
      checksRun: tasks.length,
      byCheck,
    },
  };
}


function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 500);
}
