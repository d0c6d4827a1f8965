#!/usr/bin/env node
/**
 * The command line: commander parses (subcommand help, suggestions for
 * mistyped commands and options, --version), then only the command asked for
 * is loaded. `--help` loads nothing of the audit; `audit` loads the checks
 * and the AWS SDK but not Slack; `serve` loads Bolt. Start-up is most of what
 * a short command costs.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { SEVERITIES } from './audit/types.js';
import { asAuditBotError } from './errors.js';
import { terminalSafe } from './terminal/sanitize.js';
import { EXIT, EXIT_CODES_HELP, type CliIo } from './cli/shared.js';

export { EXIT, type CliIo } from './cli/shared.js';

/** Repeatable options: `--check a --check b`, or `--check a,b`. */
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The program: every command, its options and its help. Actions set `exit`. */
function program(io: CliIo, exit: { code: number }): Command {
  const loadConfig = async (cmd: Command) => {
    const { loadConfig } = await import('./config.js');
    const path = cmd.optsWithGlobals().config as string | undefined;
    return loadConfig({ ...(path ? { path } : {}), env: io.env });
  };
  const root = new Command('aws-audit-bot')
    .description('Audit AWS accounts for security misconfigurations, from Slack or the terminal.')
    .version(pkg.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--config <path>', 'config file (default: $AUDIT_CONFIG, else ./audit.config.yml)')
    .addHelpText('after', `\n${EXIT_CODES_HELP}`)
    .showSuggestionAfterError(true)
    .showHelpAfterError('(aws-audit-bot --help lists the commands; aws-audit-bot <command> --help its options)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      // What was typed is quoted back: each line shown with controls escaped.
      outputError: (text, write) => write(`${text.trimEnd().split('\n').map(terminalSafe).join('\n')}\n`),
    });

  root
    .command('serve')
    .description('run the Slack bot (what npm start does)')
    .action(async (_options, cmd: Command) => {
      const config = await loadConfig(cmd);
      const { serve } = await import('./serve.js');
      const { stopped } = await serve({
        config,
        env: io.env,
        ...(io.sessions ? { sessions: io.sessions } : {}),
        ...(io.signals ? { signals: io.signals } : {}),
        ...(io.checks ? { checks: io.checks } : {}),
      });
      await stopped;
      exit.code = EXIT.clean;
    });

  root
    .command('worker')
    .description("take audit jobs from the queue in PostgreSQL (the digest's and the alerts' audits) until SIGTERM; run as many as you like")
    .option('--concurrency <n>', 'accounts this worker audits at once (default: queue.concurrency, 4)')
    .action(async (options: { concurrency?: string }, cmd: Command) => {
      const config = await loadConfig(cmd);
      exit.code = await (await import('./cli/worker.js')).workerCommand(config, options, io);
    });

  root
    .command('audit')
    .description('audit one account now and print what is wrong')
    .argument('<alias>', 'the account, as configured (aws-audit-bot accounts lists them)')
    .addOption(new Option('-f, --format <format>', 'table, json, csv, sarif, ocsf or asff').default('table'))
    .option('--check <glob>', "only checks whose id matches, e.g. 'iam.*' (repeatable, or comma-separated)", collect)
    .option('--service <name>', 'only checks of this service, e.g. iam or s3 (repeatable, or comma-separated)', collect)
    .addOption(new Option('--severity <min>', 'only findings at or above this severity').choices(SEVERITIES))
    .option('--region <region>', 'only these regions for regional checks (repeatable, or comma-separated); global checks still run', collect)
    .option('--details', 'table: print each finding’s remediation under it')
    .option('--compliance <framework>', 'the view of a compliance framework (cis-5.0): each control pass, fail, could not check or not covered')
    .option('--security-hub', 'also send the findings to the account’s AWS Security Hub (archiving the ones no longer found)')
    .option('--security-hub-region <region>', 'send every finding to this region’s Security Hub (default: each finding’s own region)')
    .addHelpText(
      'after',
      `\nExamples:\n  aws-audit-bot audit prod --severity high\n  aws-audit-bot audit prod --compliance cis-5.0\n  aws-audit-bot audit prod --service iam,s3 --format json > prod.json\n\n${EXIT_CODES_HELP}`,
    )
    .action(async (alias: string, options: Record<string, unknown>, cmd: Command) => {
      const config = await loadConfig(cmd);
      exit.code = await (await import('./cli/audit.js')).auditCommand(config, alias, options, io);
    });

  root
    .command('digest')
    .description('audit every account and post the digest once (for external schedulers)')
    .option('--dry-run', 'print the digest instead of posting it; the digest cursor does not move')
    .action(async (options: { dryRun?: boolean }, cmd: Command) => {
      const config = await loadConfig(cmd);
      exit.code = await (await import('./cli/digest.js')).digestCommand(config, options.dryRun === true, io);
    });

  root
    .command('alerts')
    .description('audit every account and post what just appeared at or above alerts.minSeverity, once (for external schedulers)')
    .option('--dry-run', 'print the alert instead of posting it; the alerts cursor does not move')
    .action(async (options: { dryRun?: boolean }, cmd: Command) => {
      const config = await loadConfig(cmd);
      exit.code = await (await import('./cli/alerts.js')).alertsCommand(config, options.dryRun === true, io);
    });

  root
    .command('accounts')
    .description('list the configured accounts')
    .addOption(new Option('-f, --format <format>', 'table or json').default('table'))
    .action(async (options: Record<string, unknown>, cmd: Command) => {
      const config = await loadConfig(cmd);
      exit.code = await (await import('./cli/accounts.js')).accountsCommand(config, options, io);
    });

  root
    .command('checks')
    .description('list the checks: id, title, severity, service and framework references')
    .addOption(new Option('-f, --format <format>', 'table or json').default('table'))
    .option('--service <name>', 'only checks of this service (repeatable, or comma-separated)', collect)
    .addOption(new Option('--severity <min>', 'only checks at or above this severity').choices(SEVERITIES))
    .action(async (options: Record<string, unknown>) => {
      exit.code = (await import('./cli/checks.js')).checksCommand(options, io);
    });

  const store = root.command('store').description("the bot's database: move a history between the JSON file and PostgreSQL, or see what one holds");
  store
    .command('migrate')
    .description('move a whole history into an empty store (JSON file to PostgreSQL, or back), then read it back and compare; the source is left as it was')
    .requiredOption('--from <file|url>', 'the store to read: a JSON file (stop the bot on it first) or a postgres:// URL')
    .requiredOption('--to <url|file>', 'the empty store to fill: a postgres:// URL or a JSON file')
    .option('--schema <name>', 'the PostgreSQL schema (default audit_bot)')
    .addHelpText('after', '\nExample:\n  aws-audit-bot store migrate --from data/audit-db.json --to postgres://audit@db.internal:5432/audit')
    .action(async (options: { from?: string; to?: string; schema?: string }) => {
      exit.code = await (await import('./cli/store.js')).storeMigrateCommand(options, io);
    });
  store
    .command('status')
    .description('which store the config selects, where, and what it holds (PostgreSQL: the migrations applied, which it applies when missing)')
    .action(async (_options, cmd: Command) => {
      const config = await loadConfig(cmd);
      const [{ storeTarget }, { storeStatusCommand }] = await Promise.all([import('./store/open.js'), import('./cli/store.js')]);
      exit.code = await storeStatusCommand(storeTarget(config, io.env), io);
    });

  root
    .command('roles')
    .description('print the IAM roles to create in each audited account, as a CloudFormation (StackSet-ready) or Terraform template')
    .addOption(new Option('-f, --format <format>', 'cloudformation or terraform').default('cloudformation'))
    .option('--remediation', 'also the remediation role (the fixes’ reads and writes), for accounts where fixes are wanted')
    .addHelpText('after', '\nExamples:\n  aws-audit-bot roles > audit-roles.yml\n  aws-audit-bot roles --format terraform --remediation > audit-roles.tf')
    .action(async (options: Record<string, unknown>) => {
      exit.code = (await import('./cli/roles.js')).rolesCommand(options, io);
    });
  return root;
}

/** Runs the command line; returns the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const exit = { code: EXIT.clean as number };
  const cli = program(io, exit);
  try {
    if (argv.length === 0) {
      cli.outputHelp({ error: true });
      return EXIT.usage;
    }
    await cli.parseAsync(argv, { from: 'user' });
    return exit.code;
  } catch (error) {
    // Help and --version end the parse too: clean. Commander has already said what was wrong with the arguments.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.clean : EXIT.usage;
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
  // A reader that goes away (`| head`): the rest is not wanted, and that is no crash; the command ends as it would.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
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
