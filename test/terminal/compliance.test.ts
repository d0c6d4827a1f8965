/** The compliance view in the terminal: the table's lines, --details, the CSV. */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.js';
import { CIS_5_0 } from '../../src/compliance/cis-5.0.js';
import { evaluateCompliance } from '../../src/compliance/framework.js';
import { type COMPLIANCE_CSV_COLUMNS, FINDINGS_PER_CONTROL, formatComplianceCsv, formatComplianceTable } from '../../src/terminal/compliance.js';
import { handFinding, handResult } from '../helpers/results.js';

const users = Array.from({ length: 5 }, (_, i) => handFinding('iam.user-console-mfa', 'high', `user-${i}`, `user-${i} has no MFA`));
const hostile = handFinding('iam.root-mfa', 'critical', '=cmd|\u001b[2J', 'root \u202e has no MFA');
const report = evaluateCompliance(
  handResult([...users, hostile], [{ checkId: 'iam.password-policy', region: 'global', code: 'AccessDenied', message: 'denied' }]),
  ALL_CHECKS,
  CIS_5_0,
);

describe('the compliance table', () => {
  it('lists each section with its totals, each control with its status, the first findings of a fail, what could not be checked', () => {
    const table = formatComplianceTable(report, { width: 100 });
    const lines = table.split('\n');
    expect(lines.every((l) => l.length <= 100)).toBe(true);
    expect(lines[0]).toBe('CIS AWS Foundations Benchmark v5.0.0 · prod (123456789012) · audited 2026-12-03T09:00:00.000Z');
    expect(table).toContain('1 Identity and Access Management — 2 fail · 2 could not check · 11 not run · 6 not covered');
    const at = lines.findIndex((l) => l.startsWith('  FAIL (5)') && l.includes(' 1.9 '));
    expect(lines.slice(at + 1, at + 2 + FINDINGS_PER_CONTROL).map((l) => l.trim())).toEqual([
      'user-0 · global — user-0 has no MFA',
      'user-1 · global — user-1 has no MFA',
      'user-2 · global — user-2 has no MFA',
      '…and 2 more',
    ]);
    expect(table).toMatch(/could not check +1\.7 .*\n +could not check iam\.password-policy in global: AccessDenied: denied/);
    expect(table).not.toMatch(/[\u001b\u202e]/);
    expect(table).toContain('=cmd|\\x1b[2J');
    expect(table.replace(/\n {2}/g, ' ')).toMatch(
      /^63 controls: 2 fail · 2 could not check · \d+ not run · \d+ not covered \(\d+ of the not covered are manual: a person checks them\)\.$/m,
    );
    expect(table).toContain('Not run: the checks that cover them were left out by --check or --service.');
    expect(table).toContain('Every finding behind each fail: --details');
    const details = formatComplianceTable(report, { width: 100, details: true });
    expect(details).toContain('user-4 · global — user-4 has no MFA');
    expect(details).not.toContain('…and 2 more');
  });

  it('writes one CSV row per control, a formula in a resource defused', () => {
    const rows = parse(formatComplianceCsv(report), { columns: true }) as Record<(typeof COMPLIANCE_CSV_COLUMNS)[number], string>[];
    expect(rows).toHaveLength(63);
    expect(rows.find((r) => r.control === '1.9')).toMatchObject({ status: 'fail', findings: '5', checks: 'iam.user-console-mfa', assessment: 'automated' });
    expect(rows.find((r) => r.control === '1.4')!.resources.startsWith("'=")).toBe(true);
  });
});
