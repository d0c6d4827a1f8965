import { stringify } from 'csv-stringify/sync';
import type { AuditResult, Check, CheckError, Finding, Severity } from '../audit/types.js';
import { SEVERITIES } from '../audit/types.js';
import { jsonSafe, spreadsheetSafe, terminalSafe } from './sanitize.js';

export const FORMATS = ['table', 'json', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

export function severityCounts(findings: readonly Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return counts;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The DESIGN.md JSON contract: account, findings[], errors[], stats (+ scope, startedAt). */
export function formatJson(result: AuditResult): string {
  return [...jsonChunks(result)].join('');
}

/**
 * The same JSON, byte for byte, a piece at a time: one piece per top-level
 * field and per finding, so a report of 26,000 findings is never one 20 MB
 * string (and its escaped copy, and its bytes) in memory at once.
 */
export function* jsonChunks(result: AuditResult): Generator<string> {
  const indent = (json: string, by: string) => json.replaceAll('\n', `\n${by}`);
  const fields = Object.entries(result).filter(([, value]) => value !== undefined && typeof value !== 'function');
  yield '{';
  for (const [i, [key, value]] of fields.entries()) {
    const head = `${i === 0 ? '' : ','}\n  ${JSON.stringify(key)}: `;
    if (key === 'findings' && Array.isArray(value) && value.length > 0) {
      yield `${head}[`;
      for (const [j, finding] of value.entries()) yield `${j === 0 ? '' : ','}\n    ${jsonSafe(indent(JSON.stringify(finding, null, 2), '    '))}`;
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

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** Findings sorted by severity in aligned columns, then what could not be checked, then a summary. */
export function formatTable(result: AuditResult): string {
  const lines: string[] = [];
  const { account, findings, errors, stats, scope } = result;
  const regions = scope.regions.filter((r) => r !== 'global');
  lines.push(
    `Audit of ${terminalSafe(account.alias)} (${account.accountId}): ${plural(stats.checksRun, 'check')} in ${regions.length ? `${plural(regions.length, 'region')} + global` : 'global scope'}`,
    '',
  );
  if (findings.length === 0) {
    lines.push(errors.length ? 'No findings in what could be checked.' : 'No findings.');
  } else {
    const header = ['SEVERITY', 'CHECK', 'REGION', 'RESOURCE', 'FINDING'];
    const cells = findings.map((f) => [f.severity.toUpperCase(), f.checkId, f.region, terminalSafe(f.resource.id), terminalSafe(f.message)]);
    const widths = header.slice(0, 4).map((h, i) => Math.min(48, Math.max(h.length, ...cells.map((c) => c[i]!.length))));
    for (const row of [header, ...cells]) {
      lines.push(
        row
          .map((cell, i) => (i < 4 ? pad(cell, widths[i]!) : cell))
          .join('  ')
          .trimEnd(),
      );
    }
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
  lines.push(
    '',
    `${plural(findings.length, 'finding')}${bySeverity.length ? ` (${bySeverity.join(', ')})` : ''} · ${plural(errors.length, 'error')} · ` +
      `${(stats.durationMs / 1000).toFixed(1)} s · ${plural(stats.apiCalls, 'AWS call')}`,
  );
  return `${lines.join('\n')}\n`;
}
