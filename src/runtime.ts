import { WebClient } from '@slack/web-api';
import type { Check } from './audit/types.js';
import { RoleSessions } from './aws/session.js';
import { auditLimits, queueLimits, type AccountConfig, type Config } from './config.js';
import { errorMessage } from './errors.js';
import type { ScanQueue } from './queue/scan-queue.js';
import type { WorkerDeps } from './queue/worker.js';
import type { PostgresStore } from './store/postgres/store.js';
import { DigestService, type ScanAccount } from './digest/service.js';
import { aliasesByAccount, configMuteRules } from './store/config-mutes.js';
import { History } from './store/history.js';
import type { OrganizationAccount, Store } from './store/contract.js';
import { describeTarget, openStore, storeTarget } from './store/open.js';
import type { AccountDirectory } from './organization/directory.js';
import { RemediationService } from './remediation/service.js';
import type { Logger } from './log.js';
import { nextDue } from './schedule.js';
import { renderDigest } from './slack/render/digest.js';
import { slackDigestPoster } from './slack/digest-poster.js';
import { ALERTS_REQUESTER, AuditService, DIGEST_REQUESTER, type AuditServiceOptions } from './audit/service.js';
import { AlertService } from './alerts/service.js';
import { renderAlert } from './slack/render/alert.js';

/** What `serve` and `digest` share: the database, the audits that record into it, and the digest. */
export interface Runtime {
  store: Store;
  history: History;
  /** Audits in this process (the digest's without a queue, and this process's jobs), recorded in the history. */
  audits: AuditService;
  /** The audits `/audit` asks for: `audits` itself, or with PostgreSQL jobs on the queue (a worker audits, records and sends the result back). */
  slackAudits: AuditService;
  digest: DigestService;
  remediation: RemediationService;
  /** With `alerts:` in the config. */
  alerts?: AlertService;
  /** With `organization:` in the config: the accounts discovered (kept in `config.accounts`). */
  directory?: AccountDirectory;
  /** With PostgreSQL: the job queue the digest's and alerts' audits go through, and what a worker needs to take its jobs. */
  queue?: { queue: ScanQueue; worker: WorkerDeps; concurrency: number };
  /** Stops the queue's connections (jobs under way in this process finish first) and closes the store. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  config: Config;
  checks: readonly Check[];
  logger: Logger;
  env: NodeJS.ProcessEnv;
  sessions?: RoleSessions;
  /** Slack's Web API for posting the digest; absent for a dry run. */
  slack?: { botToken: string; apiUrl?: string };
}

/**
 * Opens the database (an unreadable one stops everything here, and is never
 * overwritten) and builds the services on it: every audit is recorded as a
 * scan before anyone sees its result.
 */
export async function openRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, checks, logger, env } = options;
  // Before the database is opened: a mute naming no check is a config error, like any other.
  const rules = configMuteRules(
    config,
    checks.map((c) => c.id),
  );
  const target = storeTarget(config, env);
  const store = await openStore(target, {
    onLost: (error) =>
      logger.error(
        { err: error.message, path: describeTarget(target) },
        'the database lock was lost (another process took it over); nothing more is written: restart the bot',
      ),
    onError: (error) => logger.warn({ err: error.message, store: describeTarget(target) }, 'a database connection failed; it is replaced'),
    // A worker's audits hold a connection each (their account's key), fixes two: room for all of them.
    lockPoolSize: 2 * config.queue.concurrency + 20,
  });
  try {
    const history = new History(store, rules.length > 0 ? { configMutes: { rules, aliasesOf: aliasesByAccount(config) } } : {});
    // The config may have changed while the bot was down: its mutes are brought in line before anything is reported.
    const synced = await history.syncConfigMutes();
    if (synced.added + synced.ended > 0) logger.info(synced, 'mutes from the config brought in line with the history');
    const limits = auditLimits(config.audit);
    const sessions = options.sessions ?? new RoleSessions(undefined, undefined, limits.timeouts);
    const remediation = new RemediationService({ config, store, sessions, logger, env });
    // Discovery loads the AWS SDK: only with an organization (a bot idles without it until its first audit).
    const org = config.organization ? await import('./organization/directory.js') : undefined;
    const directory = org ? new org.AccountDirectory(config, { sessions, timeouts: limits.timeouts, env, logger, store }) : undefined;
    // The organization's accounts before anything is audited or asked for (a failure is logged; the digest tells it).
    await directory?.refresh({ force: true });
    const audits = new AuditService({
      sessions,
      thresholds: config.thresholds,
      ...limits,
      logger,
      env,
      onFinished: async (result, account, recordAs) => {
        const started = performance.now();
        const recorded = await history.record(result, account.alias, recordAs);
        // What the store costs per scan (the JSON file rewrites the whole history; PostgreSQL writes the account's rows).
        logger.info({ alias: account.alias, scanId: recorded.scanId, recordMs: Math.round((performance.now() - started) * 10) / 10 }, 'scan recorded');
        return recorded;
      },
    });
    /** One recorded scan of an account, for the digest or the alerts (an /audit of the same account and checks is joined). */
    const scanAs =
      (requester: string): ScanAccount =>
      async (account) => {
        const { run } = audits.start(account, checks, requester);
        const result = await run.result;
        if (run.scanId === undefined) throw new Error('the scan was not recorded');
        return { result, scanId: run.scanId };
      };
    // Rate limits are waited out by the client; other failures are retried a few times (about a minute in all), then the digest says what failed.
    // (A retry after a lost answer can post a message twice: the digest prefers twice to never.)
    // The retry policy is written out: @slack/web-api is CommonJS, and Node's ESM loader does not see its `retryPolicies` export.
    // With PostgreSQL, the digest's and alerts' audits are jobs that any worker process takes (this one's too, see FallbackWorker).
    const jobs = store.backend === 'postgres' ? await openJobs(store as PostgresStore, { config, checks, logger, audits, directory }) : undefined;
    const slackAudits = jobs ? queuedAudits(jobs.queue, { sessions, thresholds: config.thresholds, ...limits, logger, env }) : audits;
    const scanAll = jobs
      ? {
          scanAll: (accounts: readonly AccountConfig[], what: 'digest' | 'alerts') =>
            jobs.queue.scanAll(accounts, what === 'digest' ? DIGEST_REQUESTER : ALERTS_REQUESTER, what),
        }
      : {};
    const client = options.slack
      ? new WebClient(options.slack.botToken, {
          retryConfig: { retries: 3, factor: 3, minTimeout: 2_000 },
          ...(options.slack.apiUrl ? { slackApiUrl: options.slack.apiUrl } : {}),
        })
      : undefined;
    const digest = new DigestService({
      config,
      checks,
      store,
      history,
      logger,
      render: renderDigest,
      ...(client ? { poster: slackDigestPoster(client) } : {}),
      ...(config.digest ? { nextDue: () => nextDue(config.digest!.schedule, config.digest!.timezone) } : {}),
      fixable: (accountId, fix) => remediation.offers(accountId, fix),
      scan: scanAs(DIGEST_REQUESTER),
      ...scanAll,
      ...(directory && org
        ? {
            organization: {
              refresh: (o: { force: boolean }) => directory.refresh(o),
              news: (accounts: Readonly<Record<string, OrganizationAccount>>) => org.organizationNews(accounts, directory.error),
              markReported: org.markReported,
            },
          }
        : {}),
    });
    const alertsConfig = config.alerts;
    const alerts = alertsConfig
      ? new AlertService({
          config: { ...config, alerts: alertsConfig },
          checks,
          store,
          history,
          logger,
          render: renderAlert,
          ...(client ? { poster: slackDigestPoster(client) } : {}),
          fixable: (accountId, fix) => remediation.offers(accountId, fix),
          scan: scanAs(ALERTS_REQUESTER),
          ...scanAll,
          ...(directory ? { beforeRun: () => directory.refresh() } : {}),
        })
      : undefined;
    return {
      store,
      history,
      audits,
      slackAudits,
      digest,
      remediation,
      ...(alerts ? { alerts } : {}),
      ...(directory ? { directory } : {}),
      ...(jobs ? { queue: jobs } : {}),
      close: async () => {
        await jobs?.queue.close().catch((error: unknown) => logger.warn({ err: errorMessage(error) }, 'the job queue did not close cleanly'));
        await store.close();
      },
    };
  } catch (error) {
    // A start-up that fails after the database opened lets go of it (and of the queue's connections).
    await store.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Audits as jobs, with AuditService's joining and listing: the worker runs
 * the audit (under the requester's session name) and records the scan; the
 * result comes back in the job's output.
 */
function queuedAudits(queue: ScanQueue, options: Omit<AuditServiceOptions, 'run' | 'onFinished'>): AuditService {
  const scanIds = new WeakMap<object, string>();
  return new AuditService({
    ...options,
    run: async (o) => {
      const { result, scanId } = await queue.runOne({
        alias: o.account.alias,
        accountId: o.account.accountId,
        requester: o.sessionName,
        sessionName: o.sessionName,
        checkIds: o.checks.map((c) => c.id),
      });
      scanIds.set(result, scanId);
      return result;
    },
    onFinished: async (result) => {
      const scanId = scanIds.get(result);
      return scanId === undefined ? undefined : { scanId };
    },
  });
}

/** The job queue and a worker's needs (pg-boss loads only with PostgreSQL). */
async function openJobs(
  store: PostgresStore,
  deps: { config: Config; checks: readonly Check[]; logger: Logger; audits: AuditService; directory: AccountDirectory | undefined },
): Promise<{ queue: ScanQueue; worker: WorkerDeps; concurrency: number }> {
  const { ScanQueue } = await import('./queue/scan-queue.js');
  const settings = queueLimits(deps.config);
  const queue = await ScanQueue.open({ store, settings, logger: deps.logger });
  const { directory } = deps;
  return {
    queue,
    concurrency: settings.concurrency,
    worker: {
      queue,
      store,
      audits: deps.audits,
      checks: deps.checks,
      accounts: () => deps.config.accounts,
      ...(directory ? { refreshAccounts: () => directory.refresh() } : {}),
      logger: deps.logger,
    },
  };
}
