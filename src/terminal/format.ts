import { stringify } from 'csv-stringify/sync';
import type { AuditResult, Check, CheckError, Finding, Severity } from '../audit/types.js';
import { SEVERITIES } from '../audit/types.js';
import { jsonSafe, spreadsheetSafe, terminalSafe } from './sanitize.js';

export const FORMATS = ['table', 'json', 'csv', 'sarif', 'ocsf', 'asff'] as const;
export type Format = (typeof FORMATS)[number];

export function severityCounts(findings: readonly Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return counts;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The DESIGN.md JSON contract: account, findings[], errors[], stats (+ scope, startedAt); each finding with its check's title, remediation and references. */
export function formatJson(result: AuditResult, checks?: ReadonlyMap<string, Check>): string {
  return [...jsonChunks(result, checks)].join('');
}

/** A finding as the JSON report writes it: the finding, then what its check says of it (when the check is known). */
function withCheck(finding: Finding, checks: ReadonlyMap<string, Check> | undefined): object {
  const check = checks?.get(finding.checkId);
  return check ? { ...finding, title: check.title, remediation: check.remediation, references: check.references } : finding;
}

/**
 * The same JSON, byte for byte, a piece at a time: one piece per top-level
 * field and per finding, so a report of 26,000 findings is never one 20 MB
 * string (and its escaped copy, and its bytes) in memory at once.
 */
export function* jsonChunks(result: AuditResult, checks?: ReadonlyMap<string, Check>): Generator<string> {
  const indent = (json: string, by: string) => json.replaceAll('\n', `\n${by}`);
  const fields = Object.entries(result).filter(([, value]) => value !== undefined && typeof value !== 'function');
  yield '{';
  for (const [i, [key, value]] of fields.entries()) {
    const head = `${i === 0 ? '' : ','}\n  ${JSON.stringify(key)}: `;
    if (key === 'findings' && Array.isArray(value) && value.length > 0) {
      yield `${head}[`;
      for (const [j, finding] of (value as Finding[]).entries())
        yield `${j === 0 ? '' : ','}\n    ${jsonSafe(indent(JSON.stringify(withCheck(finding, checks), null, 2), '    '))}`;
      yield '\n  ]';
    } else yield `${head}${jsonSafe(indent(JSON.stringify(value, null, 2), '  '))}`;
  }
  yield fields.length ? '\n}\n' : '}\n';
}

export const CSV_COLUMNS = [
  'severity',
  'checkId',
  'title',
  'accountId',
  'alias',
  'region',
  'resourceType',
  'resourceId',
  'resourceArn',
  'message',
  'remediation',
  'fingerprint',
  'scannedAt',
] as const;

/** One row per finding, safe to open in a spreadsheet and to print in a terminal (controls shown as escapes). */
export function formatCsv(result: AuditResult, checks: ReadonlyMap<string, Check>): string {
  return [...csvChunks(result, checks)].join('');
}

/** The same CSV, a thousand rows at a time (see {@link jsonChunks}). */
export function* csvChunks(result: AuditResult, checks: ReadonlyMap<string, Check>, rowsPerChunk = 1_000): Generator<string> {
  yield stringify([[...CSV_COLUMNS]]);
  for (let start = 0; start < result.findings.length; start += rowsPerChunk)
    yield stringify(csvRows(result, checks, result.findings.slice(start, start + rowsPerChunk)));
}

function csvRows(result: AuditResult, checks: ReadonlyMap<string, Check>, findings: readonly Finding[]): string[][] {
  return findings.map((f) => {
    const check = checks.get(f.checkId);
    const row: Record<(typeof CSV_COLUMNS)[number], string> = {
      severity: f.severity,
      checkId: f.checkId,
      title: check?.title ?? '',
      accountId: f.accountId,
      alias: result.account.alias,
      region: f.region,
      resourceType: f.resource.type,
      resourceId: f.resource.id,
      resourceArn: f.resource.arn ?? '',
      message: f.message,
      remediation: check?.remediation ?? '',
      fingerprint: f.fingerprint,
      scannedAt: result.startedAt,
    };
    return CSV_COLUMNS.map((c) => spreadsheetSafe(terminalSafe(row[c])));
  });
}

/** `iam.root-mfa in global: AccessDenied: …`: every part but our own check id may come from AWS. */
export function couldNotCheck(e: CheckError): string {
  return `${e.checkId} in ${terminalSafe(e.region)}${e.resource ? ` (${terminalSafe(e.resource)})` : ''}: ${terminalSafe(e.code)}: ${terminalSafe(e.message)}`;
}

export function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** Cut to `width` characters, the cut marked; the full text is in the JSON and CSV. */
export function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(1, width - 1))}…`;
}

/** Words wrapped to `width`, each line after the first indented by `indent`. */
export function wrap(text: string, width: number, indent: string): string[] {
  const lead = /^ */.exec(text)![0];
  const lines: string[] = [];
  let line = lead;
  for (const word of text.slice(lead.length).split(/\s+/).filter(Boolean)) {
    if (line.trim() && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line.trim() ? `${line} ${word}` : line + word;
  }
  if (line.trim()) lines.push(line);
  return lines;
}

export interface TableOptions {
  /** Columns to fit in (the terminal's width). */
  width?: number;
  /** Print each finding's remediation under it. */
  details?: boolean;
  /** Findings left out by `--severity`: counted in the summary. */
  below?: { severity: Severity; count: number };
  /** Findings the config's mutes left out. */
  muted?: number;
}

/**
 * Findings grouped by severity, then by check (its title named once), one
 * aligned line per finding cut to the terminal's width; then what could not
 * be checked, then a summary and how to see more.
 */
export function formatTable(result: AuditResult, checks: ReadonlyMap<string, Check> = new Map(), options: TableOptions = {}): string {
  const width = options.width ?? 120;
  const lines: string[] = [];
  const { account, findings, errors, stats, scope } = result;
  const regions = scope.regions.filter((r) => r !== 'global');
  lines.push(
    `Audit of ${terminalSafe(account.alias)} (${account.accountId}): ${plural(scope.checkIds.length, 'check')} in ${regions.length ? `${plural(regions.length, 'region')} + global` : 'global scope'}`,
    '',
  );
  if (findings.length === 0) {
    lines.push(errors.length ? 'No findings in what could be checked.' : 'No findings.');
  } else {
    // One column for the resource, one for the region, the rest for the finding; narrow terminals get narrow columns.
    const resourceWidth = Math.max(12, Math.min(40, Math.max(...findings.map((f) => terminalSafe(f.resource.id).length)), Math.floor(width * 0.3)));
    const regionWidth = Math.max(6, ...findings.map((f) => f.region.length));
    const messageWidth = Math.max(20, width - 4 - resourceWidth - 2 - regionWidth - 2);
    for (const severity of SEVERITIES) {
      const ofSeverity = findings.filter((f) => f.severity === severity);
      if (ofSeverity.length === 0) continue;
      lines.push(`${severity.toUpperCase()} (${ofSeverity.length})`);
      const byCheck = new Map<string, Finding[]>();
      for (const f of ofSeverity) byCheck.set(f.checkId, [...(byCheck.get(f.checkId) ?? []), f]);
      for (const [checkId, group] of [...byCheck].sort(([a], [b]) => a.localeCompare(b))) {
        const title = checks.get(checkId)?.title;
        lines.push(cut(`  ${checkId}${title ? ` · ${terminalSafe(title)}` : ''} (${group.length})`, width));
        for (const f of group) {
          const message = terminalSafe(f.message);
          const lead = `    ${pad(cut(terminalSafe(f.resource.id), resourceWidth), resourceWidth)}  ${pad(f.region, regionWidth)}  `;
          if (options.details) {
            const room = Math.max(20, width - lead.length);
            lines.push(...wrap(message, room, '').map((part, i) => `${i === 0 ? lead : ' '.repeat(lead.length)}${part}`));
            const remediation = checks.get(checkId)?.remediation;
            if (remediation) lines.push(...wrap(`      Fix: ${terminalSafe(remediation)}`, width, '           '));
          } else lines.push(`${lead}${cut(message, messageWidth)}`.trimEnd());
        }
      }
      lines.push('');
    }
    lines.pop();
  }
  if (errors.length > 0) {
    lines.push('', `Could not check (${plural(errors.length, 'error')}; these are not passes):`);
    for (const e of errors) lines.push(`  ${couldNotCheck(e)}`);
  }
  if (scope.skippedRegions.length > 0) {
    lines.push('', `Skipped regions: ${terminalSafe(scope.skippedRegions.map((s) => `${s.region} (${s.reason})`).join(', '))}`);
  }
  const notOffered = scope.skippedChecks ?? [];
  if (notOffered.length > 0) {
    lines.push('', `Not available there (skipped, not passes): ${terminalSafe(notOffered.map((s) => `${s.checkId} in ${s.region}`).join(', '))}`);
  }
  const counts = severityCounts(findings);
  const bySeverity = SEVERITIES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  const below = options.below?.count ? ` · ${options.below.count} below ${options.below.severity} left out` : '';
  const muted = options.muted ? ` · ${options.muted} muted by the config` : '';
  lines.push(
    '',
    `${plural(findings.length, 'finding')}${bySeverity.length ? ` (${bySeverity.join(', ')})` : ''}${below}${muted} · ${plural(errors.length, 'error')} · ` +
      `${(stats.durationMs / 1000).toFixed(1)} s · ${plural(stats.apiCalls, 'AWS call')}`,
  );
  if (findings.length > 0 && !options.details) {
    lines.push(`What to do about each: --details; every field, untruncated: --format json or csv.`);
  }
  return `${lines.join('\n')}\n`;
}
