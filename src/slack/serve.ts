import { ALL_CHECKS } from '../../checks/index.js';
import type { Check } from '../audit/types.js';
import { RoleSessions } from '../aws/session.js';
import type { Config } from '../config.js';
import { createLogger, type Logger } from '../log.js';
import { History } from '../history/history.js';
import { Store } from '../history/store.js';
import { createSlackApp, type SlackApp } from './app.js';
import { AuditService } from './audits.js';
import { readSlackEnv } from './env.js';

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

/**
 * Runs the bot until SIGTERM or SIGINT, then shuts down gracefully: no new
 * requests, reports under way are posted, then it resolves. Throws (before
 * anything listens) when the Slack settings are missing or malformed.
 */
export async function serve(options: ServeOptions): Promise<{ app: SlackApp; port?: number; stopped: Promise<void> }> {
  const env = options.env ?? process.env;
  const slackEnv = readSlackEnv(env);
  const secrets = [slackEnv.botToken, slackEnv.mode === 'socket' ? slackEnv.appToken : slackEnv.signingSecret];
  const logger = options.logger ?? createLogger({ secrets, ...(env.LOG_LEVEL ? { level: env.LOG_LEVEL } : {}) });
  // A database that cannot be read stops start-up here, before anything listens; it is never overwritten.
  const store = await Store.open(options.config.store.path);
  const history = new History(store);
  const checks = options.checks ?? ALL_CHECKS;
  const audits = new AuditService(
    {
      sessions: options.sessions ?? new RoleSessions(),
      thresholds: options.config.thresholds,
      concurrency: options.config.audit.concurrency,
      logger,
      env,
      onFinished: async (result, account) => {
        await history.record(result, account.alias);
      },
    },
    checks.map((c) => c.id),
  );
  const app = createSlackApp({ env: slackEnv, config: options.config, checks, audits, logger });
  let port: number | undefined;
  try {
    ({ port } = await app.start());
  } catch (error) {
    await store.close();
    throw error;
  }
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down: finishing the reports under way');
      // Stop taking requests, finish the reports under way, then flush and release the database.
      void app
        .stop()
        .then(() => store.close())
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
  return { app, ...(port !== undefined ? { port } : {}), stopped };
}
