#!/usr/bin/env node
/**
 * The command line: parses, then loads only the command asked for. `--help`
 * loads nothing of the audit; `audit` loads the checks and the AWS SDK but not
 * Slack; `serve` loads Bolt. Start-up is most of what a short command costs.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { asAuditBotError } from './errors.js';
import { terminalSafe } from './terminal/sanitize.js';
import { EXIT, USAGE, usageError, type CliIo } from './cli/shared.js';

export { EXIT, type CliIo } from './cli/shared.js';

function parseArguments(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        format: { type: 'string', short: 'f' },
        check: { type: 'string', multiple: true },
        region: { type: 'string', multiple: true },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

/** Runs the command line; returns the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const parsed = parseArguments(argv);
    const [command, ...rest] = parsed.positionals;
    if (parsed.values.help || command === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.clean;
    }
    if (!command) throw usageError('Which command?');
    if (command !== 'audit' && command !== 'accounts' && command !== 'serve' && command !== 'digest') throw usageError(`Unknown command "${command}".`);
    if (parsed.values['dry-run'] && command !== 'digest') throw usageError('--dry-run is an option of digest.');
    const { loadConfig } = await import('./config.js');
    const config = await loadConfig({ ...(parsed.values.config ? { path: parsed.values.config } : {}), env: io.env });
    if (command === 'accounts') return (await import('./cli/accounts.js')).accountsCommand(config, parsed.values, io);
    if (command === 'serve') {
      const { serve } = await import('./serve.js');
      const { stopped } = await serve({
        config,
        env: io.env,
        ...(io.sessions ? { sessions: io.sessions } : {}),
        ...(io.signals ? { signals: io.signals } : {}),
        ...(io.checks ? { checks: io.checks } : {}),
      });
      await stopped;
      return EXIT.clean;
    }
    if (command === 'digest') {
      if (rest.length > 0) throw usageError(`digest takes no arguments (got ${rest.join(' ')}).`);
      return await (await import('./cli/digest.js')).digestCommand(config, parsed.values['dry-run'] === true, io);
    }
    return await (await import('./cli/audit.js')).auditCommand(config, rest, parsed.values, io);
  } catch (error) {
    const e = asAuditBotError(error);
    // Messages quote AWS answers, config values and arguments: each line is shown with controls escaped.
    const text = e.code === 'INTERNAL' ? `Unexpected error: ${(e.cause as Error | undefined)?.stack ?? e.message}` : e.message;
    io.stderr.write(`${text.split('\n').map(terminalSafe).join('\n')}\n`);
    return EXIT.usage;
  }
}

function isMain(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  // The SDK warns on every run that releases after January 2027 need Node 22; we pin the SDK version.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
  // A pipe holds 64 KiB: the rest of a large report waits in Node's buffer until the reader takes it. Once both
  // streams are flushed, a call still retrying in the background (an AssumeRole past the deadline) must not keep
  // the process alive.
  await Promise.all(
    [process.stdout, process.stderr].map(
      (stream) => new Promise<void>((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', () => resolve()))),
    ),
  );
  process.exit(code);
}
