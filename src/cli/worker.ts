import { ALL_CHECKS } from '../../checks/index.js';
import type { Config } from '../config.js';
import { AuditBotError } from '../errors.js';
import { createLogger } from '../log.js';
import { startWorker } from '../queue/worker.js';
import { openRuntime } from '../runtime.js';
import { describeTarget, storeTarget } from '../store/open.js';
import { EXIT, type CliIo } from './shared.js';

/**
 * `aws-audit-bot worker`: takes audit jobs from the queue in PostgreSQL (the
 * digest's and the alerts' audits, one job per account) until SIGTERM or
 * SIGINT, then lets the jobs under way finish and stops. Logs as JSON on
 * stdout, like serve.
 */
export async function workerCommand(config: Config, options: { concurrency?: string }, io: CliIo): Promise<number> {
  const target = storeTarget(config, io.env);
  if (target.backend !== 'postgres')
    throw new AuditBotError(
      'CONFIG_INVALID',
      `aws-audit-bot worker takes its jobs from PostgreSQL, and the history is in the JSON file ${describeTarget(target)}: set store.url (or DATABASE_URL). With the JSON file, serve and digest audit in their own process.`,
    );
  let concurrency = config.queue.concurrency;
  if (options.concurrency !== undefined) {
    concurrency = Number(options.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
      throw new AuditBotError(
        'USAGE',
        `--concurrency takes a whole number from 1 to 64 (accounts audited at once), not "${options.concurrency.slice(0, 40)}".`,
      );
  }
  const logger = createLogger({ ...(io.env.LOG_LEVEL ? { level: io.env.LOG_LEVEL } : {}), write: (line) => io.stdout.write(line) });
  const runtime = await openRuntime({ config, checks: io.checks ?? ALL_CHECKS, logger, env: io.env });
  try {
    const worker = await startWorker(runtime.queue!.worker, { concurrency, kind: 'dedicated' });
    logger.info({ store: describeTarget(target), concurrency, accounts: config.accounts.length }, 'worker started');
    const signals = io.signals ?? process;
    const signal = await new Promise<string>((resolve) => {
      signals.once('SIGTERM', () => resolve('SIGTERM'));
      signals.once('SIGINT', () => resolve('SIGINT'));
    });
    logger.info({ signal }, 'worker stopping: no new jobs; the ones under way finish');
    await worker.stop();
  } finally {
    await runtime.close();
  }
  logger.info('worker stopped');
  return EXIT.clean;
}
