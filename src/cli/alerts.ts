import type { Config } from '../config.js';
import { AuditBotError } from '../errors.js';
import { messagesAsText } from '../slack/render/digest.js';
import { terminalSafe } from '../terminal/sanitize.js';
import { openCliRuntime } from './runtime.js';
import { EXIT, type CliIo } from './shared.js';

/**
 * One alert run (for an external scheduler): audit every account, post what
 * appeared at or above alerts.minSeverity since the last run to
 * alerts.channel, or print it with --dry-run (the cursor stays). Exit 0 when
 * done (posted, or nothing appeared), 2 when it could not be posted, 3 when
 * no account could be audited.
 */
export async function alertsCommand(config: Config, dryRun: boolean, io: CliIo): Promise<number> {
  if (!config.alerts)
    throw new AuditBotError(
      'CONFIG_INVALID',
      `${config.sourcePath} has no alerts section: set alerts.channel (and alerts.schedule, alerts.minSeverity) first.`,
    );
  const runtime = await openCliRuntime(config, dryRun, io);
  try {
    io.stderr.write(`Auditing ${config.accounts.length} account${config.accounts.length === 1 ? '' : 's'} for alerts…\n`);
    const run = await runtime.alerts!.run({ dryRun });
    const noneAudited = config.accounts.length > 0 && run.failed === config.accounts.length;
    const noneNote = noneAudited ? `No account could be audited (${run.failed} of ${run.failed}).\n` : '';
    const done = noneAudited ? EXIT.incomplete : EXIT.clean;
    if (run.baseline) {
      io.stderr.write(
        `${noneNote}First run: ${dryRun ? 'nothing was posted and no cursor was set' : 'the alerts cursor is set'}; from the next run, what appears at or above ${config.alerts.minSeverity} is posted.\n`,
      );
      return done;
    }
    if (run.message === null) {
      io.stderr.write(`${noneNote}Nothing appeared at or above ${config.alerts.minSeverity}: nothing was posted.\n`);
      return done;
    }
    if (dryRun) {
      io.stdout.write(`${messagesAsText([run.message]).split('\n').map(terminalSafe).join('\n')}`);
      io.stderr.write(`${noneNote}Dry run: nothing was posted and the alerts cursor did not move.\n`);
      return done;
    }
    if (!run.posted) {
      io.stderr.write(`The alert could not be posted: ${terminalSafe(run.error ?? 'unknown error')}. The cursor did not move: the next run posts it.\n`);
      return EXIT.usage;
    }
    io.stderr.write(`Posted the alert in ${config.alerts.channel}${run.error ? `, but ${terminalSafe(run.error)}` : ''}.\n${noneNote}`);
    return done;
  } finally {
    await runtime.close();
  }
}
