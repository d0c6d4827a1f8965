import { ALL_CHECKS } from '../../checks/index.js';
import type { Config } from '../config.js';
import { createLogger } from '../log.js';
import { FallbackWorker } from '../queue/worker.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { readWebApiEnv } from '../slack/env.js';
import type { CliIo } from './shared.js';

/**
 * The runtime for a command that audits every account and posts (digest,
 * alerts): Slack's Web API unless it is a dry run, warnings as readable lines
 * on stderr (what is posted or printed goes to stdout).
 */
export async function openCliRuntime(config: Config, dryRun: boolean, io: CliIo): Promise<Runtime> {
  const slack = dryRun ? undefined : readWebApiEnv(io.env);
  const logger = createLogger({
    format: 'pretty',
    ...(slack ? { secrets: [slack.botToken] } : {}),
    level: io.env.LOG_LEVEL ?? 'warn',
    write: (line) => io.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
  });
  const runtime = await openRuntime({
    config,
    checks: io.checks ?? ALL_CHECKS,
    logger,
    env: io.env,
    ...(io.sessions ? { sessions: io.sessions } : {}),
    ...(slack ? { slack } : {}),
  });
  if (!runtime.queue) return runtime;
  // With PostgreSQL the audits are jobs: taken by the worker processes, or by this one while none runs.
  const fallback = new FallbackWorker(runtime.queue.worker, runtime.queue.concurrency);
  try {
    await fallback.start();
  } catch (error) {
    await runtime.close();
    throw error;
  }
  return {
    ...runtime,
    close: async () => {
      await fallback.stop();
      await runtime.close();
    },
  };
}
