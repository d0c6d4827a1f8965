import os from 'node:os';
import { ALL_CHECKS } from '../../checks/index.js';
import { runAudit } from '../audit/runner.js';
import { severityRank, type Check, type Severity } from '../audit/types.js';
import { RoleSessions, roleSessionName } from '../aws/session.js';
import { partitionOfArn } from '../aws/partition.js';
import { auditLimits, findAccount, REGION, regionProblem, suggestAliases, type Config } from '../config.js';
import { AuditBotError } from '../errors.js';
import { couldNotCheck, csvChunks, FORMATS, formatTable, jsonChunks } from '../terminal/format.js';
import pkg from '../../package.json' with { type: 'json' };
import { createProgressBar } from '../terminal/progress.js';
import { formatSarif } from '../terminal/sarif.js';
import { terminalSafe } from '../terminal/sanitize.js';
import { wildcardMatch } from '../wildcard.js';
import { parseServices } from './services.js';
import { EXIT, MAX_LISTED, parseFormat, splitList, usageError, writePieces, type CliIo } from './shared.js';

function selectChecks(all: readonly Check[], globs: string[]): readonly Check[] {
  if (globs.length === 0) return all;
  const unmatched = globs.filter((g) => !all.some((c) => wildcardMatch(g, c.id)));
  if (unmatched.length > 0) {
    throw usageError(`No check matches ${unmatched.map((g) => `"${g}"`).join(', ')}. Checks: ${all.map((c) => c.id).join(', ')}`);
  }
  return all.filter((c) => globs.some((g) => wildcardMatch(g, c.id)));
}

/** `--service iam,s3`: only the checks of those services. */
function selectServices(checks: readonly Check[], services: string[]): readonly Check[] {
  if (services.length === 0) return checks;
  const selected = checks.filter((c) => services.includes(c.service));
  if (selected.length === 0) throw usageError('No check is both of those services and matches --check.');
  return selected;
}

/** The terminal's width when the table goes to one; 120 columns for a file or a pipe. */
function terminalWidth(stream: CliIo['stdout']): number {
  const columns = (stream as { isTTY?: boolean; columns?: number }).isTTY ? (stream as { columns?: number }).columns : undefined;
  return columns && columns >= 40 ? columns : 120;
}

function cliSessionName(): string {
  try {
    return roleSessionName(`cli-${os.userInfo().username}`);
  } catch {
    return roleSessionName('cli');
  }
}

export async function auditCommand(config: Config, alias: string, values: Record<string, unknown>, io: CliIo): Promise<number> {
  const account = findAccount(config, alias);
  if (!account) {
    const aliases = config.accounts.map((a) => a.alias);
    const close = suggestAliases(alias, aliases);
    const listed =
      aliases.length <= MAX_LISTED
        ? aliases.join(', ')
        : `${aliases.slice(0, MAX_LISTED).join(', ')} and ${aliases.length - MAX_LISTED} more (aws-audit-bot accounts lists them)`;
    throw new AuditBotError(
      'UNKNOWN_ACCOUNT',
      `No account "${terminalSafe(alias)}" in ${terminalSafe(config.sourcePath)}.${close.length ? ` Did you mean ${close.join(' or ')}?` : ''} Configured: ${listed}`,
    );
  }
  const format = parseFormat(values.format as string | undefined, FORMATS);
  const all = io.checks ?? ALL_CHECKS;
  const checks = selectServices(selectChecks(all, splitList(values.check as string[] | undefined)), parseServices(values.service, all));
  const minSeverity = values.severity as Severity | undefined;
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
  // Below the severity asked for: left out of every format, and counted in the table's summary.
  const shown = minSeverity ? { ...result, findings: result.findings.filter((f) => severityRank(f.severity) <= severityRank(minSeverity)) } : result;
  const hidden = result.findings.length - shown.findings.length;

  const byId = new Map((io.checks ?? ALL_CHECKS).map((c) => [c.id, c]));
  if (format === 'json') await writePieces(io.stdout, jsonChunks(shown, byId));
  else if (format === 'sarif') await writePieces(io.stdout, [formatSarif(shown, byId, pkg.version)]);
  else if (format === 'csv') {
    await writePieces(io.stdout, csvChunks(shown, byId));
    for (const e of result.errors) io.stderr.write(`could not check ${couldNotCheck(e)}\n`);
  } else
    io.stdout.write(
      formatTable(shown, byId, {
        width: terminalWidth(io.stdout),
        details: values.details === true,
        ...(minSeverity ? { below: { severity: minSeverity, count: hidden } } : {}),
      }),
    );

  if (result.stats.checksRun === 0) {
    // Nothing was looked at: that is not a clean account.
    const skipped = result.scope.skippedRegions.map((r) => `${r.region} (${r.reason})`).join(', ');
    io.stderr.write(`No check ran${skipped ? `: every region asked for was skipped: ${terminalSafe(skipped)}` : ''}. Nothing was audited.\n`);
    return EXIT.incomplete;
  }
  if (shown.findings.length > 0) return EXIT.findings;
  return result.errors.length > 0 ? EXIT.incomplete : EXIT.clean;
}
