import type { Config } from '../config.js';
import { AuditBotError } from '../errors.js';
import { digestAsText } from '../slack/render/digest.js';
import { terminalSafe } from '../terminal/sanitize.js';
import { openCliRuntime } from './runtime.js';
import { EXIT, type CliIo } from './shared.js';

/**
 * The digest once: audit every account (recorded in the history), then post
 * to `digest.channel`, or with `--dry-run` print it and leave the cursor.
 * Exit 0 when posted (or printed), 2 when it could not be posted.
 */
export async function digestCommand(config: Config, dryRun: boolean, io: CliIo): Promise<number> {
  if (!dryRun && !config.digest)
    throw new AuditBotError('CONFIG_INVALID', `${config.sourcePath} has no digest section: set digest.channel to post the digest (or use --dry-run).`);
  const runtime = await openCliRuntime(config, dryRun, io);
  try {
    io.stderr.write(`Auditing ${config.accounts.length} account${config.accounts.length === 1 ? '' : 's'} for the digest…\n`);
    const run = await runtime.digest.run({ dryRun, requester: 'cli' });
    // Every account failed: whatever was posted, nothing was audited.
    const noneAudited = config.accounts.length > 0 && run.failed === config.accounts.length;
    const noneNote = noneAudited ? `No account could be audited (${run.failed} of ${run.failed}); the digest says why for each.\n` : '';
    if (dryRun) {
      io.stdout.write(`${digestAsText(run.rendered).split('\n').map(terminalSafe).join('\n')}\n`);
      io.stderr.write(`${noneNote}Dry run: nothing was posted and the digest cursor did not move.\n`);
      return noneAudited ? EXIT.incomplete : EXIT.clean;
    }
    if (!run.posted) {
      io.stderr.write(
        `The digest could not be posted: ${terminalSafe(run.error ?? 'unknown error')}. The cursor did not move: the next digest covers this window too.\n`,
      );
      return EXIT.usage;
    }
    io.stderr.write(
      `Posted the digest in ${config.digest!.channel}${run.failed ? ` (${run.failed} account${run.failed === 1 ? '' : 's'} could not be audited)` : ''}.${run.error ? ` Part of the details could not be posted: ${terminalSafe(run.error)}.` : ''}\n${noneNote}`,
    );
    return noneAudited ? EXIT.incomplete : EXIT.clean;
  } finally {
    await runtime.close();
  }
}
