import { stringify } from 'csv-stringify/sync';
import { CONTROL_STATUSES, STATUS_LABEL, type ComplianceReport, type ControlResult, type StatusCounts } from '../compliance/framework.js';
import { couldNotCheck, cut, pad, plural, wrap } from './format.js';
import { jsonSafe, spreadsheetSafe, terminalSafe } from './sanitize.js';

/** Findings named under a failed control in the table, unless --details asks for all. */
export const FINDINGS_PER_CONTROL = 3;

/** `9 pass · 3 fail · 1 could not check`: the statuses that occur, worst first. */
export function statusTotals(totals: StatusCounts): string {
  return CONTROL_STATUSES.filter((s) => totals[s] > 0)
    .map((s) => `${totals[s]} ${STATUS_LABEL[s]}`)
    .join(' · ');
}

function controlLines(c: ControlResult, width: number, details: boolean): string[] {
  const status = c.status === 'fail' ? `FAIL (${c.findings.length})` : STATUS_LABEL[c.status];
  const lead = `  ${pad(status, 16)}${pad(c.id, 7)}${pad(c.assessment === 'automated' ? 'auto' : 'manual', 7)}`;
  const lines = [cut(`${lead}${c.title}`, width)];
  const indent = ' '.repeat(lead.length);
  const shown = details ? c.findings : c.findings.slice(0, FINDINGS_PER_CONTROL);
  for (const f of shown) {
    const line = `${indent}${terminalSafe(f.resource.id)} · ${f.region} — ${terminalSafe(f.message)}`;
    lines.push(...(details ? wrap(line, width, `${indent}  `) : [cut(line, width)]));
  }
  if (shown.length < c.findings.length) lines.push(`${indent}…and ${c.findings.length - shown.length} more`);
  if (c.status === 'error' || (details && c.errors.length > 0)) {
    for (const e of details ? c.errors : c.errors.slice(0, FINDINGS_PER_CONTROL)) lines.push(cut(`${indent}could not check ${couldNotCheck(e)}`, width));
  }
  return lines;
}

/** The framework's controls by section, each with its status and the findings behind a fail, then the totals. */
export function formatComplianceTable(report: ComplianceReport, options: { width?: number; details?: boolean } = {}): string {
  const width = options.width ?? 120;
  const { framework, account } = report;
  const lines = [`${framework.name} v${framework.version} · ${terminalSafe(account.alias)} (${account.accountId}) · audited ${report.startedAt}`, ''];
  for (const section of report.sections) {
    const controls = report.controls.filter((c) => c.section === section.id);
    if (controls.length === 0) continue;
    lines.push(cut(`${section.id} ${section.title} — ${statusTotals(section.totals)}`, width));
    for (const c of controls) lines.push(...controlLines(c, width, options.details === true));
    lines.push('');
  }
  const manual = report.controls.filter((c) => c.status === 'not-covered' && c.assessment === 'manual').length;
  lines.push(
    ...wrap(
      `${plural(report.controls.length, 'control')}: ${statusTotals(report.totals)}${manual ? ` (${manual} of the not covered are manual: a person checks them)` : ''}.`,
      width,
      '  ',
    ),
  );
  if (report.totals['not-run'] > 0) lines.push(...wrap('Not run: the checks that cover them were left out by --check or --service.', width, '  '));
  if (!options.details && report.controls.some((c) => c.findings.length > FINDINGS_PER_CONTROL)) {
    lines.push(`Every finding behind each fail: --details; as data: --format json or csv.`);
  }
  return `${lines.join('\n')}\n`;
}

/** The report as JSON: framework, account, sections with totals, every control with its status, checks, findings and errors. */
export function formatComplianceJson(report: ComplianceReport): string {
  return `${jsonSafe(JSON.stringify(report, null, 2))}\n`;
}

export const COMPLIANCE_CSV_COLUMNS = ['section', 'control', 'title', 'assessment', 'level', 'status', 'checks', 'findings', 'resources'] as const;

/** One row per control; spreadsheet formulas in what AWS named are defused. */
export function formatComplianceCsv(report: ComplianceReport): string {
  const rows = report.controls.map((c) => [
    c.section,
    c.id,
    c.title,
    c.assessment,
    String(c.level),
    STATUS_LABEL[c.status],
    c.checks.join(' '),
    String(c.findings.length),
    spreadsheetSafe(c.findings.map((f) => `${f.resource.id}@${f.region}`).join('; ')),
  ]);
  return stringify([[...COMPLIANCE_CSV_COLUMNS], ...rows]);
}
