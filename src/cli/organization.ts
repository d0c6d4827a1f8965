import { RoleSessions } from '../aws/session.js';
import { auditLimits, type Config } from '../config.js';
import { AuditBotError } from '../errors.js';
import { createLogger } from '../log.js';
import type { Discovery } from '../organization/discovery.js';
import type { CliIo } from './shared.js';

/**
 * The organization's accounts for a terminal command (added to
 * `config.accounts`); the history is not touched. A discovery that fails
 * stops the command with AWS's words.
 */
export async function discoverForCli(config: Config, io: CliIo): Promise<Discovery> {
  const { AccountDirectory } = await import('../organization/directory.js');
  const limits = auditLimits(config.audit);
  const directory = new AccountDirectory(config, {
    sessions: io.sessions ?? new RoleSessions(undefined, undefined, limits.timeouts),
    timeouts: limits.timeouts,
    env: io.env,
    logger: createLogger({ format: 'json', level: 'silent' }),
  });
  const discovery = await directory.refresh({ force: true });
  if (!discovery) throw new AuditBotError('ORGANIZATION_UNREADABLE', `The bot ${directory.error ?? 'could not list the organization’s accounts'}.`);
  return discovery;
}
