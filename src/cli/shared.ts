/**
 * What every command of the command line shares: exit codes, the usage text,
 * how a usage error reads. Light on purpose: `--help` loads this and nothing
 * of the audit, the SDK or Slack.
 */
import type { Check } from '../audit/types.js';
import type { RoleSessions } from '../aws/session.js';
import type { ShutdownSignals } from '../serve.js';
import type { ProgressStream } from '../terminal/progress.js';
import { AuditBotError } from '../errors.js';
import { terminalSafe } from '../terminal/sanitize.js';

export const EXIT = { clean: 0, findings: 1, usage: 2, incomplete: 3, notImported: 4 } as const;

/** Aliases named in one message at most. */
export const MAX_LISTED = 10;

export interface CliIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  env: NodeJS.ProcessEnv;
  /** Injected in tests; the bot's own credential chain otherwise. */
  sessions?: RoleSessions;
  checks?: readonly Check[];
  /** Shutdown signals for `serve` (process in production). */
  signals?: ShutdownSignals;
}

export const EXIT_CODES_HELP = `Exit codes: 0 no findings, 1 findings, 2 usage, config or credential error,
3 no findings but some checks could not run (their errors are listed), or no check ran at all,
4 --security-hub: Security Hub did not take every finding (what it refused is listed).
digest, alerts: 0 posted (or printed, or nothing to post), 2 not posted, 3 no account could be audited.`;

/** `message` may quote what was typed: it is shown with controls escaped. */
export function usageError(message: string): AuditBotError {
  return new AuditBotError('USAGE', `${terminalSafe(message)}\n(aws-audit-bot <command> --help shows its options)`);
}

export function splitList(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

export function parseFormat<F extends string>(value: string | undefined, allowed: readonly F[]): F {
  const format = value ?? 'table';
  if (!(allowed as readonly string[]).includes(format)) throw usageError(`--format must be one of ${allowed.join(', ')}, not "${format}".`);
  return format as F;
}

/**
 * Writes a report piece by piece, in batches of about 64 KiB, waiting for a
 * pipe to take each batch before the next, so a large report never sits
 * whole in memory (nor in the stream's buffer). A reader that goes away
 * (`| head`) ends the writing, not the process.
 */
export async function writePieces(stream: ProgressStream, pieces: Iterable<string>): Promise<void> {
  const events = stream as Partial<Pick<NodeJS.WritableStream, 'once' | 'off'>>;
  let closed = false;
  const flush = async (batch: string) => {
    if (stream.write(batch) !== false || !events.once || !events.off) return;
    await new Promise<void>((resolve) => {
      const drained = () => settle(false);
      const ended = () => settle(true);
      const settle = (gone: boolean) => {
        closed ||= gone;
        events.off!('drain', drained);
        events.off!('error', ended);
        events.off!('close', ended);
        resolve();
      };
      events.once!('drain', drained);
      events.once!('error', ended);
      events.once!('close', ended);
    });
  };
  let batch = '';
  for (const piece of pieces) {
    if (closed) return;
    batch += piece;
    if (batch.length >= 65_536) {
      await flush(batch);
      batch = '';
    }
  }
  if (batch && !closed) await flush(batch);
}
