#!/usr/bin/env node
import os from 'node:os';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ALL_CHECKS } from '../checks/index.js';
import { runAudit } from './audit/runner.js';
import type { Check } from './audit/types.js';
import { RoleSessions, roleSessionName } from './aws/session.js';
import { auditLimits, findAccount, loadConfig, REGION, regionProblem, suggestAliases, type Config } from './config.js';
import { partitionOfArn } from './aws/partition.js';
import { AuditBotError, asAuditBotError } from './errors.js';
import { couldNotCheck, FORMATS, formatCsv, formatJson, formatTable, type Format } from './terminal/format.js';
import { createProgressBar, type ProgressStream } from './terminal/progress.js';
import { terminalSafe } from './terminal/sanitize.js';
import { serve, type ShutdownSignals } from './slack/serve.js';
import { digestAsText } from './slack/digest.js';
import { readWebApiEnv } from './slack/env.js';
import { createLogger } from './log.js';
import { openRuntime } from './runtime.js';
import { wildcardMatch } from './wildcard.js';

export const EXIT = { clean: 0, findings: 1, usage: 2, incomplete: 3 } as const;

/** Aliases named in one message at most. */
const MAX_LISTED = 10;

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

const USAGE = `Usage:
  aws-audit-bot serve                  run the Slack bot (what npm start does)
  aws-audit-bot audit <alias> [--format table|json|csv] [--check <id-glob>]... [--region <region>]...
  aws-audit-bot digest [--dry-run]      audit every account and post the digest once (for external schedulers)
  aws-audit-bot accounts [--format table|json]
  aws-audit-bot help

Options:
  --config <path>   config file (default: $AUDIT_CONFIG, else ./audit.config.yml)
  --format <f>      table (default), json or csv
  --check <glob>    only checks whose id matches, e.g. 'iam.*' or 'iam.root-*' (repeatable, or comma-separated)
  --region <r>      only these regions for regional checks (repeatable, or comma-separated); global checks still run
  --dry-run         digest: print the digest instead of posting it; the digest cursor does not move

Exit codes: 0 no findings, 1 findings, 2 usage, config or credential error,
3 no findings but some checks could not run (their errors are listed), or no check ran at all.
digest: 0 posted (or printed), 2 not posted, 3 no account could be audited.`;

/** `message` may quote what was typed: it is shown with controls escaped. */
function usageError(message: string): AuditBotError {
  return new AuditBotError('USAGE', `${terminalSafe(message)}\n\n${USAGE}`);
}

function splitList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

function selectChecks(all: readonly Check[], globs: string[]): readonly Check[] {
  if (globs.length === 0) return all;
  const unmatched = globs.filter((g) => !all.some((c) => wildcardMatch(g, c.id)));
  if (unmatched.length > 0) {
    throw usageError(`No check matches ${unmatched.map((g) => `"${g}"`).join(', ')}. Checks: ${all.map((c) => c.id).join(', ')}`);
  }
  return all.filter((c) => globs.some((g) => wildcardMatch(g, c.id)));
}

function parseFormat(value: string | undefined, allowed: readonly string[]): Format {
  const format = value ?? 'table';
  if (!allowed.includes(format)) throw usageError(`--format must be one of ${allowed.join(', ')}, not "${format}".`);
  return format as Format;
}

function cliSessionName(): string {
  try {
    return roleSessionName(`cli-${os.userInfo().username}`);
  } catch {
    return roleSessionName('cli');
  }
}

async function auditCommand(config: Config, positionals: string[], values: Record<string, unknown>, io: CliIo): Promise<number> {
  const [alias, ...extra] = positionals;
  if (!alias) throw usageError('audit needs the alias of an account.');
  if (extra.length > 0) throw usageError(`Unexpected arguments: ${extra.join(' ')}`);
  const account = findAccount(config, alias);
  if (!account) {
    const aliases = config.accounts.map((a) => a.alias);
    const close = suggestAliases(alias, aliases);
    const listed = aliases.length <= MAX_LISTED ? aliases.join(', ') : `${aliases.slice(0, MAX_LISTED).join(', ')} and ${aliases.length - MAX_LISTED} more (aws-audit-bot accounts lists them)`;
    throw new AuditBotError(
      'UNKNOWN_ACCOUNT',
      `No account "${terminalSafe(alias)}" in ${terminalSafe(config.sourcePath)}.${close.length ? ` Did you mean ${close.join(' or ')}?` : ''} Configured: ${listed}`,
    );
  }
  const format = parseFormat(values.format as string | undefined, FORMATS);
  const checks = selectChecks(io.checks ?? ALL_CHECKS, splitList(values.check as string[] | undefined));
  const regions = splitList(values.region as string[] | undefined);
  const badRegion = regions.find((r) => !REGION.test(r));
  if (badRegion) throw usageError(`"${badRegion}" is not a region name (like eu-west-1).`);
  const partition = partitionOfArn(account.roleArn);
  const unknownRegion = regions.map((r) => regionProblem(r, partition)).find(Boolean);
  if (unknownRegion) throw usageError(`--region: ${terminalSafe(unknownRegion)}${unknownRegion.endsWith('?') ? '' : '.'}`);
  const outside = account.regions ? regions.filter((r) => !account.regions!.includes(r)) : [];
  if (outside.length > 0) {
    throw usageError(`${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} not among ${alias}'s configured regions (${account.regions!.join(', ')}).`);
  }

  const limits = auditLimits(config.audit);
  const progress = createProgressBar(io.stderr, `Auditing ${alias}`);
  const result = await runAudit({
    account,
    checks,
    thresholds: config.thresholds,
    ...limits,
    sessions: io.sessions ?? new RoleSessions(undefined, undefined, limits.timeouts),
    sessionName: cliSessionName(),
    env: io.env,
    ...(regions.length ? { onlyRegions: regions } : {}),
    onProgress: (p) => progress.update(p),
  });
  progress.done();

  const byId = new Map((io.checks ?? ALL_CHECKS).map((c) => [c.id, c]));
  if (format === 'json') io.stdout.write(formatJson(result));
  else if (format === 'csv') {
    io.stdout.write(formatCsv(result, byId));
    for (const e of result.errors) io.stderr.write(`could not check ${couldNotCheck(e)}\n`);
  } else io.stdout.write(formatTable(result));

  if (result.stats.checksRun === 0) {
    // Nothing was looked at: that is not a clean account.
    const skipped = result.scope.skippedRegions.map((r) => `${r.region} (${r.reason})`).join(', ');
    io.stderr.write(`No check ran${skipped ? `: every region asked for was skipped: ${terminalSafe(skipped)}` : ''}. Nothing was audited.\n`);
    return EXIT.incomplete;
  }
  if (result.findings.length > 0) return EXIT.findings;
  return result.errors.length > 0 ? EXIT.incomplete : EXIT.clean;
}

/**
 * The digest once: audit every account (recorded in the history), then post
 * to `digest.channel`, or with `--dry-run` print it and leave the cursor.
 * Exit 0 when posted (or printed), 2 when it could not be posted.
 */
async function digestCommand(config: Config, dryRun: boolean, io: CliIo): Promise<number> {
  if (!dryRun && !config.digest) throw new AuditBotError('CONFIG_INVALID', `${config.sourcePath} has no digest section: set digest.channel to post the digest (or use --dry-run).`);
  const slack = dryRun ? undefined : readWebApiEnv(io.env);
  // Warnings (an account that could not be audited, a failed post) as readable lines on stderr; the digest itself on stdout.
  const logger = createLogger({
    format: 'pretty',
    ...(slack ? { secrets: [slack.botToken] } : {}),
    level: io.env.LOG_LEVEL ?? 'warn',
    write: (line) => io.stderr.write(line.endsWith('\n') ? line : `${line}\n`),
  });
  const runtime = await openRuntime({ config, checks: io.checks ?? ALL_CHECKS, logger, env: io.env, ...(io.sessions ? { sessions: io.sessions } : {}), ...(slack ? { slack } : {}) });
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
      io.stderr.write(`The digest could not be posted: ${terminalSafe(run.error ?? 'unknown error')}. The cursor did not move: the next digest covers this window too.\n`);
      return EXIT.usage;
    }
    io.stderr.write(`Posted the digest in ${config.digest!.channel}${run.failed ? ` (${run.failed} account${run.failed === 1 ? '' : 's'} could not be audited)` : ''}.${run.error ? ` Part of the details could not be posted: ${terminalSafe(run.error)}.` : ''}\n${noneNote}`);
    return noneAudited ? EXIT.incomplete : EXIT.clean;
  } finally {
    await runtime.store.close();
  }
}

function accountsCommand(config: Config, values: Record<string, unknown>, io: CliIo): number {
  const format = parseFormat(values.format as string | undefined, ['table', 'json']);
  if (format === 'json') {
    const rows = config.accounts.map((a) => ({
      alias: a.alias,
      accountId: a.accountId,
      roleArn: a.roleArn,
      regions: a.regions ?? 'all enabled',
      remediation: Boolean(a.remediationRoleArn),
      channels: a.channels ?? 'any',
    }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.clean;
  }
  // No spread: a config may hold more accounts than a call takes arguments.
  const width = config.accounts.reduce((w, a) => Math.max(w, a.alias.length), 5);
  io.stdout.write(`${'ALIAS'.padEnd(width)}  ACCOUNT       REGIONS\n`);
  for (const a of config.accounts) {
    io.stdout.write(`${a.alias.padEnd(width)}  ${a.accountId}  ${a.regions?.join(', ') ?? 'all enabled'}\n`);
  }
  return EXIT.clean;
}

/** Runs the command line; returns the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({
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
    const [command, ...rest] = parsed.positionals;
    if (parsed.values.help || command === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.clean;
    }
    if (!command) throw usageError('Which command?');
    if (command !== 'audit' && command !== 'accounts' && command !== 'serve' && command !== 'digest') throw usageError(`Unknown command "${command}".`);
    if (parsed.values['dry-run'] && command !== 'digest') throw usageError('--dry-run is an option of digest.');
    const config = await loadConfig({ ...(parsed.values.config ? { path: parsed.values.config } : {}), env: io.env });
    if (command === 'accounts') return accountsCommand(config, parsed.values, io);
    if (command === 'serve') {
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
      return await digestCommand(config, parsed.values['dry-run'] === true, io);
    }
    return await auditCommand(config, rest, parsed.values, io);
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
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', () => resolve())))));
  process.exit(code);
}
