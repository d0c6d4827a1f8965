import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import type { AuditResult, Finding } from '../../src/audit/types.js';
import { CSV_COLUMNS, csvChunks, formatCsv, formatJson, jsonChunks } from '../../src/terminal/format.js';
import { jsonSafe } from '../../src/terminal/sanitize.js';

function finding(i: number, extra: Partial<Finding> = {}): Finding {
  return {
    checkId: 'ec2.sg-risky-ports',
    severity: 'critical',
    accountId: '123456789012',
    region: 'eu-west-1',
    resource: { type: 'AWS::EC2::SecurityGroup', id: `sg-${String(i).padStart(5, '0')}` },
    message: `Group ${i} lets the internet reach port 22.`,
    fingerprint: `fp-${i}`,
    details: { cidr: '0.0.0.0/0', fromPort: 22, inUse: i % 2 === 0, note: null },
    ...extra,
  };
}

function result(findings: Finding[], overrides: Partial<AuditResult> = {}): AuditResult {
  return {
    account: { alias: 'prod', accountId: '123456789012' },
    startedAt: '2026-12-03T09:30:00.000Z',
    findings,
    errors: [{ checkId: 'iam.root-mfa', region: 'global', code: 'AccessDenied', message: 'no\u2028way' }],
    scope: { checkIds: ['ec2.sg-risky-ports'], regions: ['global', 'eu-west-1'], skippedRegions: [] },
    stats: {
      durationMs: 1_234,
      apiCalls: 12,
      apiCallsByOperation: { 'ec2:DescribeSecurityGroups': 1 },
      httpAttempts: 12,
      retries: 0,
      checksRun: 2,
      byCheck: {},
    },
    ...overrides,
  };
}

/** What the JSON contract has always been: the whole result, indented by two, made terminal-safe. */
const contract = (r: AuditResult) => `${jsonSafe(JSON.stringify(r, null, 2))}\n`;

describe('the JSON report', () => {
  it('is written a finding at a time, and the pieces are byte for byte the whole report', () => {
    const hostile = finding(2, {
      message: 'Group "<!channel>" \u202e\u2028 says \u001b[31mhi',
      resource: { type: 'AWS::EC2::SecurityGroup', id: 'sg-\u2029' },
    });
    for (const r of [result([finding(1), hostile, finding(3)]), result([]), result([finding(1)], { scope: undefined as never })]) {
      const chunks = [...jsonChunks(r)];
      expect(chunks.join('')).toBe(contract(r));
      expect(formatJson(r)).toBe(contract(r));
      expect(JSON.parse(formatJson(r))).toEqual(JSON.parse(JSON.stringify(r)));
    }
    // One piece per finding: no piece holds the whole list.
    const big = result(Array.from({ length: 500 }, (_, i) => finding(i)));
    const pieces = [...jsonChunks(big)];
    expect(pieces.length).toBeGreaterThan(500);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(1_000);
  });
});

describe('the CSV report', () => {
  it('is written a thousand rows at a time, and the pieces are the whole table', () => {
    const r = result(Array.from({ length: 2_345 }, (_, i) => finding(i, i === 7 ? { message: '=HYPERLINK("x"), "quoted"\nline' } : {})));
    const chunks = [...csvChunks(r, new Map())];
    expect(chunks).toHaveLength(1 + 3);
    const whole = formatCsv(r, new Map());
    expect(chunks.join('')).toBe(whole);
    const lines = whole.trimEnd().split('\n');
    expect(lines[0]).toBe(stringify([[...CSV_COLUMNS]]).trimEnd());
    // A formula stays text and a newline shows as an escape: one line per row.
    expect(whole).toContain(`"'=HYPERLINK(""x""), ""quoted""\\x0aline"`);
    expect(lines).toHaveLength(1 + 2_345);
  });
});
