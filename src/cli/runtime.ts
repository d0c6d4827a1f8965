import { ALL_CHECKS } from '../../checks/index.js';
import type { Config } from '../config.js';
import { createLogger } from '../log.js';
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
  return openRuntime({
    config,
    checks: io.checks ?? ALL_CHECKS,
    logger,
    env: io.env,
    ...(io.sessions ? { sessions: io.sessions } : {}),
    ...(slack ? { slack } : {}),
  });
}
