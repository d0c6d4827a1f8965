import { ALL_CHECKS } from '../checks/index.js';
import type { Check } from './audit/types.js';
import type { RoleSessions } from './aws/session.js';
import type { Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { FallbackWorker } from './queue/worker.js';
import { openRuntime } from './runtime.js';
import { AlertSchedule, DigestSchedule } from './schedule.js';
import { registerCommands, type CommandOptions } from '../commands/index.js';
import { createSlackApp, type SlackApp } from './slack/app.js';
import type { SlackEnv } from './slack/env.js';
import { readSlackEnv } from './slack/env.js';
import { checkSlack } from './slack/preflight.js';

/** Where SIGTERM and SIGINT come from: the process, or an emitter in tests. */
export interface ShutdownSignals {
  once(event: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
}

export interface ServeOptions {
  config: Config;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  checks?: readonly Check[];
  sessions?: RoleSessions;
  /** Where shutdown signals come from (process in production). */
  signals?: ShutdownSignals;
}

export interface BotOptions extends Omit<CommandOptions, 'track'> {
  env: SlackEnv;
}

/** The Slack app with every command registered: what `serve` starts (and the tests drive through Bolt's request path). */
export function createBot(options: BotOptions): SlackApp {
  const { env, ...commands } = options;
  const slack = createSlackApp({
    env,
    logger: options.logger,
    health: { storeLost: () => options.store.lockLost, auditsRunning: () => options.audits.list().length },
    ...(options.now ? { now: options.now } : {}),
  });
  registerCommands(slack.app, { ...commands, track: slack.track });
  return slack;
}

/**
 * Runs the bot until SIGTERM or SIGINT, then shuts down gracefully: no new
 * requests, reports under way are posted, then it resolves. Throws (before
 * anything listens) when the Slack settings are missing or malformed.
 */
export async function serve(options: ServeOptions): Promise<{ app: SlackApp; port?: number; stopped: Promise<void>; catchUp?: Promise<void> }> {
  const env = options.env ?? process.env;
  const slackEnv = readSlackEnv(env);
  // Slack reachable and the tokens accepted, before the database is locked and anything listens.
  await checkSlack(slackEnv);
  const secrets = [slackEnv.botToken, slackEnv.mode === 'socket' ? slackEnv.appToken : slackEnv.signingSecret];
  const logger = options.logger ?? createLogger({ secrets, ...(env.LOG_LEVEL ? { level: env.LOG_LEVEL } : {}) });
  // A database that cannot be read stops start-up here, before anything listens; it is never overwritten.
  const checks = options.checks ?? ALL_CHECKS;
  const runtime = await openRuntime({
    config: options.config,
    checks,
    logger,
    env,
    ...(options.sessions ? { sessions: options.sessions } : {}),
    slack: { botToken: slackEnv.botToken, ...(slackEnv.apiUrl ? { apiUrl: slackEnv.apiUrl } : {}) },
  });
  const { store, slackAudits: audits, digest, remediation, alerts, directory } = runtime;
  // With PostgreSQL: the audit jobs are taken here while no worker process runs.
  const fallback = runtime.queue ? new FallbackWorker(runtime.queue.worker, runtime.queue.concurrency) : undefined;
  const digestConfig = options.config.digest;
  const app = createBot({
    env: slackEnv,
    config: options.config,
    checks,
    audits,
    store,
    remediation,
    logger,
    ...(directory ? { accounts: directory } : {}),
    ...(digestConfig
      ? {
          digest: {
            channel: digestConfig.channel,
            accounts: options.config.accounts.length,
            run: async (requester: string) => {
              const run = await digest.run({ requester });
              return { posted: run.posted, joined: run.joined, quiet: run.rendered.quiet, ...(run.error !== undefined ? { error: run.error } : {}) };
            },
          },
        }
      : {}),
  });
  const schedule = digestConfig
    ? new DigestSchedule({ schedule: digestConfig.schedule, timezone: digestConfig.timezone, store, logger, run: () => digest.run() })
    : undefined;
  const alertsConfig = options.config.alerts;
  const alertSchedule =
    alerts && alertsConfig
      ? new AlertSchedule({
          schedule: alertsConfig.schedule,
          timezone: alertsConfig.timezone ?? digestConfig?.timezone ?? 'UTC',
          logger,
          store,
          run: () => alerts.run(),
        })
      : undefined;
  let port: number | undefined;
  let catchUp: Promise<void> | undefined;
  try {
    ({ port } = await app.start());
    await fallback?.start();
    // The schedule starts once Slack can be reached; a digest missed while the bot was down is posted now.
    if (schedule) ({ catchUp } = await schedule.start());
    await alertSchedule?.start();
  } catch (error) {
    await Promise.all([schedule?.stop(), alertSchedule?.stop()]);
    await app.stop().catch(() => undefined);
    await Promise.all([schedule?.drain(), digest.drain(), alertSchedule?.drain(), alerts?.drain()]);
    await fallback?.stop().catch(() => undefined);
    await runtime.close();
    throw error;
  }
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down: finishing the reports under way');
      // No new digest and no new request at once; then finish the reports and the digest under way; then flush and release the database.
      void Promise.all([schedule?.stop(), alertSchedule?.stop(), app.stop()])
        .then(() => Promise.all([schedule?.drain(), digest.drain(), alertSchedule?.drain(), alerts?.drain()]))
        .then(() => fallback?.stop())
        .then(() => runtime.close())
        .catch((error: unknown) => logger.error({ err: error }, 'shutdown failed'))
        .then(() => {
          logger.info('stopped');
          resolve();
        });
    };
    const signals = options.signals ?? process;
    signals.once('SIGTERM', () => stop('SIGTERM'));
    signals.once('SIGINT', () => stop('SIGINT'));
  });
  return { app, ...(port !== undefined ? { port } : {}), stopped, ...(catchUp ? { catchUp } : {}) };
}
