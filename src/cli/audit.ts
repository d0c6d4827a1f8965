import os from 'node:os';
import { ALL_CHECKS } from '../../checks/index.js';
import { runAudit } from '../audit/runner.js';
import { severityRank, type AuditResult, type Check, type Severity } from '../audit/types.js';
import { RoleSessions, roleSessionName } from '../aws/session.js';
import { partitionOfArn } from '../aws/partition.js';
import { auditLimits, findAccount, REGION, regionProblem, suggestAliases, type AccountConfig, type Config } from '../config.js';
import { AuditBotError } from '../errors.js';
import { couldNotCheck, csvChunks, FORMATS, formatTable, jsonChunks, type Format } from '../terminal/format.js';
import pkg from '../../package.json' with { type: 'json' };
import { createProgressBar } from '../terminal/progress.js';
import { FRAMEWORK_IDS, FRAMEWORKS } from '../compliance/index.js';
import { controlsOfCheck, evaluateCompliance, type Framework } from '../compliance/framework.js';
import { toAsff } from '../terminal/asff.js';
import { formatComplianceCsv, formatComplianceJson, formatComplianceTable } from '../terminal/compliance.js';
import { jsonListChunks } from '../terminal/json-list.js';
import { ocsfChunks } from '../terminal/ocsf.js';
import { formatSarif } from '../terminal/sarif.js';
import { terminalSafe } from '../terminal/sanitize.js';
import { wildcardMatch } from '../wildcard.js';
import { checkSecurityHubAccount, globalFindingsRegion, sendToSecurityHub } from './security-hub.js';
import { parseServices } from './services.js';
import { EXIT, MAX_LISTED, parseFormat, splitList, usageError, writePieces, type CliIo } from './shared.js';
import { aliasesByAccount, configMuteOf, configMuteRules, findingTarget, type ConfigMuteRule } from '../store/config-mutes.js';

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

/** A finding the config's mutes leave out, as JSON lists it. */
interface MutedFinding {
  checkId: string;
  region: string;
  resourceId: string;
  fingerprint: string;
  mute: string;
  reason: string;
  until: string;
}

/** The findings no config mute covers, and those it does. */
function withoutConfigMuted(
  result: AuditResult,
  rules: readonly ConfigMuteRule[],
  aliasesOf: (accountId: string) => readonly string[],
  now: Date,
): { kept: AuditResult; muted: MutedFinding[] } {
  if (rules.length === 0) return { kept: result, muted: [] };
  const muted: MutedFinding[] = [];
  const findings = result.findings.filter((f) => {
    const rule = configMuteOf(rules, findingTarget(f, aliasesOf), now);
    if (rule)
      muted.push({
        checkId: f.checkId,
        region: f.region,
        resourceId: f.resource.id,
        fingerprint: f.fingerprint,
        mute: rule.label,
        reason: rule.reason,
        until: rule.until,
      });
    return !rule;
  });
  return { kept: { ...result, findings }, muted };
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

function unknownAccount(config: Config, alias: string): AuditBotError {
  const aliases = config.accounts.map((a) => a.alias);
  const close = suggestAliases(alias, aliases);
  const listed =
    aliases.length <= MAX_LISTED
      ? aliases.join(', ')
      : `${aliases.slice(0, MAX_LISTED).join(', ')} and ${aliases.length - MAX_LISTED} more (aws-audit-bot accounts lists them)`;
  return new AuditBotError(
    'UNKNOWN_ACCOUNT',
    `No account "${terminalSafe(alias)}" in ${terminalSafe(config.sourcePath)}.${close.length ? ` Did you mean ${close.join(' or ')}?` : ''} Configured: ${listed}`,
  );
}

/** A region option's value: a region name its partition has ("did you mean eu-west-1?" otherwise). */
function checkRegion(option: string, region: string, partition: string): void {
  const problem = REGION.test(region) ? regionProblem(region, partition) : `"${region}" is not a region name (like eu-west-1)`;
  if (problem) throw usageError(`${option}: ${terminalSafe(problem)}${problem.endsWith('?') ? '' : '.'}`);
}

/** `--region`: regions of the partition, and among the account's configured ones when it has any. */
function parseRegions(values: Record<string, unknown>, account: AccountConfig, partition: string): string[] {
  const regions = splitList(values.region as string[] | undefined);
  const badRegion = regions.find((r) => !REGION.test(r));
  if (badRegion) throw usageError(`"${badRegion}" is not a region name (like eu-west-1).`);
  for (const r of regions) checkRegion('--region', r, partition);
  const outside = account.regions ? regions.filter((r) => !account.regions!.includes(r)) : [];
  if (outside.length > 0) {
    throw usageError(
      `${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} not among ${account.alias}'s configured regions (${account.regions!.join(', ')}).`,
    );
  }
  return regions;
}

interface ReportContext {
  format: Format;
  /** The audit but what the config mutes; `shown` is what --severity keeps of it. */
  result: AuditResult;
  shown: AuditResult;
  /** Findings the config's mutes left out. */
  muted: number;
  checks: ReadonlyMap<string, Check>;
  account: AccountConfig;
  partition: string;
  hubRegion: string | undefined;
  values: Record<string, unknown>;
}

/** The audit in the format asked for, on stdout (what could not be checked goes to stderr beside a CSV). */
async function writeReport(c: ReportContext, io: CliIo): Promise<void> {
  const { shown, checks } = c;
  if (c.format === 'json') await writePieces(io.stdout, jsonChunks(shown, checks));
  else if (c.format === 'sarif') await writePieces(io.stdout, [formatSarif(shown, checks, pkg.version)]);
  else if (c.format === 'ocsf') await writePieces(io.stdout, ocsfChunks(shown, checks, { toolVersion: pkg.version, partition: c.partition }));
  else if (c.format === 'asff') {
    const asff = toAsff(shown, checks, {
      partition: c.partition,
      toolVersion: pkg.version,
      now: new Date().toISOString(),
      globalRegion: globalFindingsRegion(c.account, c.partition),
      ...(c.hubRegion ? { region: c.hubRegion } : {}),
    });
    await writePieces(io.stdout, jsonListChunks(asff));
  } else if (c.format === 'csv') {
    await writePieces(io.stdout, csvChunks(shown, checks));
    for (const e of c.result.errors) io.stderr.write(`could not check ${couldNotCheck(e)}\n`);
  } else {
    const minSeverity = c.values.severity as Severity | undefined;
    const below = minSeverity ? { below: { severity: minSeverity, count: c.result.findings.length - shown.findings.length } } : {};
    io.stdout.write(formatTable(shown, checks, { width: terminalWidth(io.stdout), details: c.values.details === true, muted: c.muted, ...below }));
  }
}

/** `--compliance cis-5.0`: the framework, and only the checks that cover its controls. */
function complianceView(values: Record<string, unknown>, format: Format, checks: readonly Check[]): { framework?: Framework; checks: readonly Check[] } {
  const id = values.compliance as string | undefined;
  if (id === undefined) return { checks };
  const framework = FRAMEWORKS.get(id);
  if (!framework) throw usageError(`--compliance must be one of ${FRAMEWORK_IDS.join(', ')}, not "${id}".`);
  if (!COMPLIANCE_FORMATS.includes(format)) throw usageError(`--compliance prints ${COMPLIANCE_FORMATS.join(', ')}, not ${format}.`);
  // A control passes only when none of its findings is left out.
  if (values.severity !== undefined) throw usageError('--compliance judges every finding of a control: leave out --severity.');
  if (values.securityHub === true) throw usageError('--compliance and --security-hub do not go together: send the findings in a run of their own.');
  const covering = checks.filter((c) => controlsOfCheck(c).length > 0);
  if (covering.length === 0) throw usageError(`No check selected covers a control of ${framework.name} v${framework.version}.`);
  return { framework, checks: covering };
}

const COMPLIANCE_FORMATS: readonly Format[] = ['table', 'json', 'csv'];

/** The compliance view in the format asked for; exit 1 when a control fails, 3 when none fails but some could not be checked. */
async function writeCompliance(framework: Framework, result: AuditResult, all: readonly Check[], format: Format, values: Record<string, unknown>, io: CliIo) {
  const report = evaluateCompliance(result, all, framework);
  if (format === 'json') await writePieces(io.stdout, [formatComplianceJson(report)]);
  else if (format === 'csv') await writePieces(io.stdout, [formatComplianceCsv(report)]);
  else io.stdout.write(formatComplianceTable(report, { width: terminalWidth(io.stdout), details: values.details === true }));
  return report.totals.fail > 0 ? EXIT.findings : report.totals.error > 0 ? EXIT.incomplete : EXIT.clean;
}

export async function auditCommand(config: Config, alias: string, values: Record<string, unknown>, io: CliIo): Promise<number> {
  let account = findAccount(config, alias);
  if (!account && config.organization) {
    await (await import('./organization.js')).discoverForCli(config, io);
    account = findAccount(config, alias);
  }
  if (!account) throw unknownAccount(config, alias);
  const format = parseFormat(values.format as string | undefined, FORMATS);
  const all = io.checks ?? ALL_CHECKS;
  const view = complianceView(
    values,
    format,
    selectServices(selectChecks(all, splitList(values.check as string[] | undefined)), parseServices(values.service, all)),
  );
  const checks = view.checks;
  const minSeverity = values.severity as Severity | undefined;
  const partition = partitionOfArn(account.roleArn);
  const regions = parseRegions(values, account, partition);
  const hubRegion = values.securityHubRegion as string | undefined;
  if (hubRegion !== undefined && values.securityHub !== true) throw usageError('--security-hub-region goes with --security-hub.');
  if (hubRegion !== undefined) checkRegion('--security-hub-region', hubRegion, partition);

  // The config's mutes (a mute naming no check is refused before anything is audited).
  const rules = configMuteRules(
    config,
    all.map((c) => c.id),
  );

  const limits = auditLimits(config.audit);
  const sessions = io.sessions ?? new RoleSessions(undefined, undefined, limits.timeouts);
  const sessionName = cliSessionName();
  if (values.securityHub === true) await checkSecurityHubAccount({ account, partition, timeouts: limits.timeouts });
  const progress = createProgressBar(io.stderr, `Auditing ${alias}`);
  const result = await runAudit({
    account,
    checks,
    thresholds: config.thresholds,
    ...limits,
    sessions,
    sessionName,
    env: io.env,
    ...(regions.length ? { onlyRegions: regions } : {}),
    onProgress: (p) => progress.update(p),
  });
  progress.done();
  // Muted by the config: left out of every format (and not sent to Security Hub, nor archived there), listed apart in JSON, counted in the table.
  const { kept, muted } = withoutConfigMuted(result, rules, aliasesByAccount(config), new Date());
  // Below the severity asked for: left out of every format (and of Security Hub), and counted in the table's summary.
  const filtered = minSeverity ? { ...kept, findings: kept.findings.filter((f) => severityRank(f.severity) <= severityRank(minSeverity)) } : kept;
  const shown = muted.length > 0 && format === 'json' ? { ...filtered, muted } : filtered;
  if (view.framework && result.stats.checksRun > 0) return writeCompliance(view.framework, result, all, format, values, io);
  const byId = new Map(all.map((c) => [c.id, c]));
  // A compliance view of nothing is no view: only the "no check ran" below.
  if (!view.framework) await writeReport({ format, result: kept, shown, muted: muted.length, checks: byId, account, partition, hubRegion, values }, io);

  let imported = true;
  if (values.securityHub === true && result.stats.checksRun > 0) {
    const hub = { account, partition, sessions, sessionName, env: io.env, timeouts: limits.timeouts, toolVersion: pkg.version };
    imported = (await sendToSecurityHub(result, shown, byId, { ...hub, ...(hubRegion ? { region: hubRegion } : {}) }, io.stderr)).complete;
  }

  if (result.stats.checksRun === 0) {
    // Nothing was looked at: that is not a clean account.
    const skipped = result.scope.skippedRegions.map((r) => `${r.region} (${r.reason})`).join(', ');
    io.stderr.write(`No check ran${skipped ? `: every region asked for was skipped: ${terminalSafe(skipped)}` : ''}. Nothing was audited.\n`);
    return EXIT.incomplete;
  }
  if (!imported) return EXIT.notImported;
  if (shown.findings.length > 0) return EXIT.findings;
  return result.errors.length > 0 ? EXIT.incomplete : EXIT.clean;
}
