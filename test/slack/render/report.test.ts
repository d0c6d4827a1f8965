import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../../checks/index.js';
import { defineCheck } from '../../../src/audit/check.js';
import type { AuditResult, CheckError, Finding, Severity } from '../../../src/audit/types.js';
import { SEVERITIES } from '../../../src/audit/types.js';
import type { RenderedReport, RenderReportInput, SlackMessage } from '../../../src/slack/render/report.js';
import { renderReport } from '../../../src/slack/render/report.js';
import { CSV_COLUMNS } from '../../../src/terminal/format.js';
import { blockKitViolations } from '../../helpers/slack.js';

// ---- fixtures --------------------------------------------------------------------

function check(id: string, severity: Severity, title: string, description: string) {
  return defineCheck({
    id,
    title,
    service: id.split('.')[0]!,
    scope: 'global',
    severity,
    description,
    references: {},
    remediation: 'Fix it.',
    uses: [],
    run: () => [],
  });
}

const SMALL_CHECKS = [
  check('iam.root-mfa', 'critical', 'Root user has MFA', 'The root user can do anything. A password alone protects it.'),
  check('ec2.sg-ssh', 'high', 'SSH not open to the world', 'Scanners find open SSH within minutes, e.g. Shodan. Then they brute-force it.'),
];

function finding(overrides: Partial<Finding> & Pick<Finding, 'checkId' | 'severity'>): Finding {
  return {
    accountId: '123456789012',
    region: 'global',
    resource: { type: 'AWS::IAM::User', id: 'root' },
    message: 'something is wrong',
    fingerprint: `fp-${overrides.checkId}-${overrides.resource?.id ?? 'root'}-${overrides.region ?? 'global'}`,
    ...overrides,
  };
}

function auditResult(findings: Finding[], errors: CheckError[] = [], overrides: Partial<AuditResult> = {}): AuditResult {
  return {
    account: { alias: 'prod', accountId: '123456789012' },
    startedAt: '2025-03-01T09:30:00.000Z',
    findings,
    errors,
    scope: { checkIds: [], regions: ['global', 'us-east-1', 'eu-west-1'], skippedRegions: [] },
    stats: { durationMs: 12_345, apiCalls: 1234, apiCallsByOperation: {}, httpAttempts: 0, retries: 0, checksRun: 5, byCheck: {} },
    ...overrides,
  };
}

const REGIONS = ['us-east-1', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'sa-east-1'];

/** `n` findings spread over every check, severity and region; resource ids `res-00042` identify them in the output. */
function manyFindings(n: number): Finding[] {
  return Array.from({ length: n }, (_, i) => {
    const c = ALL_CHECKS[(i * 7) % ALL_CHECKS.length]!;
    const id = `res-${String(i).padStart(5, '0')}`;
    return finding({
      checkId: c.id,
      severity: SEVERITIES[i % SEVERITIES.length]!,
      region: c.scope === 'global' ? 'global' : REGIONS[i % REGIONS.length]!,
      resource: { type: 'AWS::Test::Thing', id },
      message: `${c.title} fails for ${id}: ${'details & more <context> '.repeat(1 + (i % 6))}`.trim(),
      fingerprint: `fp-${i}`,
    });
  });
}

function manyErrors(n: number): CheckError[] {
  return Array.from({ length: n }, (_, i) => ({
    checkId: ALL_CHECKS[i % ALL_CHECKS.length]!.id,
    region: REGIONS[i % REGIONS.length]!,
    code: 'AccessDenied',
    message: `User: arn:aws:sts::123456789012:assumed-role/AuditReadOnly/u is not authorized to perform op-${i}`,
    resource: `err-${String(i).padStart(5, '0')}`,
  }));
}

// ---- what a message looks like ---------------------------------------------------

type AnyBlock = {
  type: string;
  block_id?: string;
  text?: { type: string; text: string; verbatim?: boolean };
  elements?: { type: string; text: string; verbatim?: boolean }[];
};

const messages = (r: RenderedReport): SlackMessage[] => [r.main, ...r.followUps];
const blocksOf = (m: SlackMessage): AnyBlock[] => m.blocks as AnyBlock[];

/** Every mrkdwn text object of a message. */
function mrkdwnTexts(m: SlackMessage): { text: string; verbatim?: boolean }[] {
  return blocksOf(m)
    .flatMap((b) => [...(b.text ? [b.text] : []), ...(b.elements ?? [])])
    .filter((t) => t.type === 'mrkdwn');
}

function sectionLines(m: SlackMessage, prefix: 'findings' | 'errors'): string[] {
  return blocksOf(m)
    .filter((b) => b.type === 'section' && b.block_id?.startsWith(`${prefix}-`))
    .flatMap((b) => b.text!.text.split('\n'))
    .filter((l) => l.startsWith('• '));
}

const findingIds = (lines: string[]) => lines.map((l) => /^• (res-\d+) · /.exec(l)?.[1]);

function expectWithinLimits(m: SlackMessage): void {
  expect(blockKitViolations(m as unknown as Record<string, unknown>)).toEqual([]);
  expect(m.blocks.length).toBeLessThanOrEqual(50);
  expect(JSON.stringify(m).length).toBeLessThanOrEqual(30_000);
  expect(m.text.length).toBeLessThanOrEqual(4000);
  const ids = blocksOf(m).flatMap((b) => (b.block_id ? [b.block_id] : []));
  expect(new Set(ids).size).toBe(ids.length);
  for (const b of blocksOf(m)) {
    if (b.type === 'section') expect(b.text!.text.length).toBeLessThanOrEqual(3000);
    if (b.type === 'header') expect(b.text!.text.length).toBeLessThanOrEqual(150);
    if (b.type === 'context') {
      expect(b.elements!.length).toBeLessThanOrEqual(10);
      for (const e of b.elements!) expect(e.text.length).toBeLessThanOrEqual(2000);
    }
  }
  for (const line of [...sectionLines(m, 'findings'), ...sectionLines(m, 'errors')]) expect(line.length).toBeLessThanOrEqual(300);
}

function render(input: Partial<RenderReportInput> & Pick<RenderReportInput, 'result'>): RenderedReport {
  return renderReport({ checks: ALL_CHECKS, alias: 'prod', ...input });
}

// ---- tests -----------------------------------------------------------------------

describe('renderReport: a small audit', () => {
  const result = auditResult(
    [
      finding({
        checkId: 'ec2.sg-ssh',
        severity: 'high',
        region: 'us-east-1',
        resource: { type: 'AWS::EC2::SecurityGroup', id: 'sg-1' },
        message: 'Port 22 open to 0.0.0.0/0.',
      }),
      finding({ checkId: 'iam.root-mfa', severity: 'critical', message: 'Root user has no MFA.' }),
      finding({
        checkId: 'ec2.sg-ssh',
        severity: 'high',
        region: 'eu-west-1',
        resource: { type: 'AWS::EC2::SecurityGroup', id: 'sg-2' },
        message: 'Port 22 open to ::/0.',
      }),
    ],
    [{ checkId: 'ec2.sg-ssh', region: 'eu-west-1', code: 'AccessDenied', message: 'not authorized', resource: 'sg-3' }],
  );

  it('has the exact structure: header, context, counts, findings by severity then check, then what could not be checked', () => {
    const report = renderReport({ result, checks: SMALL_CHECKS, alias: 'prod', muted: 2 });
    expect(report.followUps).toEqual([]);
    expect(report.csv).toBeNull();
    expect(report.shown).toBe(3);
    expect(report.total).toBe(3);
    expect(report.main.text).toBe('Audit of prod (123456789012): 1 critical, 2 high; 1 could not be checked');
    expect(report.main.blocks).toEqual([
      { type: 'header', block_id: 'header', text: { type: 'plain_text', text: 'Audit of prod (123456789012)' } },
      {
        type: 'context',
        block_id: 'context',
        elements: [
          {
            type: 'mrkdwn',
            verbatim: true,
            text: '12.3 s · 2 regions (us-east-1, eu-west-1) · scanned <!date^1740821400^{date_short_pretty} {time}|2025-03-01T09:30:00.000Z> · 1,234 API calls · 2 muted',
          },
        ],
      },
      {
        type: 'section',
        block_id: 'counts',
        text: {
          type: 'mrkdwn',
          verbatim: true,
          text:
            '*3 findings*: :red_circle: 1 critical   :large_orange_circle: 2 high   :large_yellow_circle: 0 medium   :large_blue_circle: 0 low   :white_circle: 0 info\n' +
            ':warning: 1 could not be checked (see below): these are not passes',
        },
      },
      { type: 'divider' },
      {
        type: 'section',
        block_id: 'findings-1',
        text: {
          type: 'mrkdwn',
          verbatim: true,
          text: [
            ':red_circle: *Root user has MFA* (1) · `iam.root-mfa`',
            '_The root user can do anything._',
            '• root · global — Root user has no MFA.',
            '',
            ':large_orange_circle: *SSH not open to the world* (2) · `ec2.sg-ssh`',
            '_Scanners find open SSH within minutes, e.g. Shodan._',
            '• sg-2 · eu-west-1 — Port 22 open to ::/0.',
            '• sg-1 · us-east-1 — Port 22 open to 0.0.0.0/0.',
          ].join('\n'),
        },
      },
      { type: 'divider' },
      {
        type: 'section',
        block_id: 'errors-1',
        text: {
          type: 'mrkdwn',
          verbatim: true,
          text: ':warning: *Could not check* (1): these are not passes\n• ec2.sg-ssh in eu-west-1 (sg-3): AccessDenied: not authorized',
        },
      },
    ]);
  });

  it('is deterministic: the order of the input does not matter', () => {
    const shuffled = { ...result, findings: [...result.findings].reverse() };
    expect(renderReport({ result: shuffled, checks: SMALL_CHECKS, alias: 'prod' })).toEqual(renderReport({ result, checks: SMALL_CHECKS, alias: 'prod' }));
  });

  it('names up to 6 regions, only counts more, and never counts global as a region', () => {
    const ctx = (regions: string[]) =>
      blocksOf(render({ result: auditResult([], [], { scope: { checkIds: [], regions, skippedRegions: [] } }) }).main)[1]!.elements![0]!.text;
    expect(ctx(['global', 'a-1', 'b-1', 'c-1', 'd-1', 'e-1', 'f-1'])).toContain('· 6 regions (a-1, b-1, c-1, d-1, e-1, f-1) ·');
    expect(ctx(['global', 'a-1', 'b-1', 'c-1', 'd-1', 'e-1', 'f-1', 'g-1'])).toContain('· 7 regions ·');
    expect(ctx(['global'])).toContain('· global checks only ·');
    expect(ctx(['global', 'eu-west-1'])).toContain('· 1 region (eu-west-1) ·');
  });

  it('says which checks were not available in a region (service not offered there), escaped', () => {
    const skippedChecks = [{ checkId: 'securityhub.enabled', region: 'eu-<!here>-1', reason: 'securityhub is not offered in eu-x-1' }];
    const text = blocksOf(
      render({ result: auditResult([], [], { scope: { checkIds: [], regions: ['global', 'us-east-1'], skippedRegions: [], skippedChecks } }) }).main,
    )[1]!.elements![0]!.text;
    expect(text).toContain('1 check not available there: securityhub.enabled in eu-&lt;!here&gt;-1');
  });

  it('uses regionsLabel when given, escaped', () => {
    const report = render({ result: auditResult([]), regionsLabel: 'all <!here> regions' });
    expect(blocksOf(report.main)[1]!.elements![0]!.text).toContain('· all &lt;!here&gt; regions ·');
  });

  it('does not show "muted" when nothing is muted', () => {
    expect(blocksOf(render({ result: auditResult([]), muted: 0 }).main)[1]!.elements![0]!.text).not.toContain('muted');
  });
});

describe('renderReport: nothing found', () => {
  it('says "No findings" for an empty result', () => {
    const report = render({ result: auditResult([]) });
    expect(report).toMatchObject({ followUps: [], csv: null, shown: 0, total: 0 });
    expect(report.main.text).toBe('Audit of prod (123456789012): no findings');
    expect(blocksOf(report.main).map((b) => b.type)).toEqual(['header', 'context', 'section']);
    expect(blocksOf(report.main)[2]!.text!.text).toBe(':white_check_mark: No findings');
  });

  it('is not a clean bill when checks could not run', () => {
    const report = render({ result: auditResult([], [{ checkId: 'iam.root-mfa', region: 'global', code: 'AccessDenied', message: 'denied' }]) });
    const all = JSON.stringify(report.main);
    expect(all).not.toContain('white_check_mark');
    expect(blocksOf(report.main)[2]!.text!.text).toContain('No findings in what could be checked');
    expect(report.main.text).toBe('Audit of prod (123456789012): no findings in what could be checked; 1 could not be checked');
    expect(sectionLines(report.main, 'errors')).toEqual(['• iam.root-mfa in global: AccessDenied: denied']);
  });
});

describe('renderReport: untrusted strings', () => {
  const HOSTILE = '<!channel> <https://evil.example|click> & *bold* <@U123>';
  const result = auditResult(
    [
      finding({
        checkId: 'iam.root-mfa',
        severity: 'critical',
        region: `us-east-1${HOSTILE}`,
        resource: { type: 'AWS::IAM::User', id: `${HOSTILE}\n• forged · global — fake line` },
        message: `Tag Owner=${HOSTILE} ${'x'.repeat(500)}`,
      }),
      finding({ checkId: 'not.a-known-check', severity: 'low', resource: { type: 'X', id: 'r' }, message: HOSTILE }),
    ],
    [{ checkId: 'ec2.sg-ssh', region: 'eu-west-1', code: `Denied${HOSTILE}`, message: `${HOSTILE}\nsecond line`, resource: HOSTILE }],
    { scope: { checkIds: [], regions: ['global', `eu-${HOSTILE}`], skippedRegions: [{ region: `x${HOSTILE}`, reason: HOSTILE }] } },
  );

  it('escapes every one of them in every mrkdwn text and in the notification text', () => {
    const report = renderReport({ result, checks: SMALL_CHECKS, alias: `prod${HOSTILE}`, regionsLabel: undefined });
    for (const m of messages(report)) {
      for (const t of mrkdwnTexts(m)) {
        // The only Slack token in our output is the date we build ourselves.
        expect(t.text.replace(/<!date\^\d+\^[^|<>]*\|[^<>]*>/g, '')).not.toMatch(/[<>]/);
        expect(t.verbatim).toBe(true);
      }
      expect(m.text).not.toMatch(/[<>]/);
      expectWithinLimits(m);
    }
    const json = JSON.stringify(report.main);
    expect(json).toContain('&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; *bold* &lt;@U123&gt;');
    expect(report.main.text).toContain('prod&lt;!channel&gt;');
  });

  it('keeps AWS text on its own line: a newline in a name cannot forge a finding', () => {
    const report = renderReport({ result, checks: SMALL_CHECKS, alias: 'prod' });
    const lines = sectionLines(report.main, 'findings');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^• &lt;!channel&gt; .* • forged · global — fake line · us-east-1&lt;!channel&gt;/);
    expect(lines[0]!.length).toBeLessThanOrEqual(300);
    expect(sectionLines(report.main, 'errors')).toHaveLength(1);
  });

  it('shows the alias as is in the plain_text header, where Slack parses nothing, and within 150 characters', () => {
    const report = renderReport({ result, checks: SMALL_CHECKS, alias: `prod${'z'.repeat(300)}` });
    const headerText = blocksOf(report.main)[0]!.text!;
    expect(headerText.type).toBe('plain_text');
    expect(headerText.text.length).toBeLessThanOrEqual(150);
    expect(headerText.text.endsWith('…')).toBe(true);
  });
});

describe('renderReport: access key ids', () => {
  it('masks any raw AKIA/ASIA key id that slipped through, in blocks, text, follow-ups and the CSV', () => {
    const findings = manyFindings(400);
    findings[0] = {
      ...findings[0]!,
      resource: { type: 'AWS::IAM::AccessKey', id: 'bob/AKIAIOSFODNN7EXAMPLE' },
      message: 'key AKIAIOSFODNN7EXAMPLE is 400 days old',
    };
    findings[399] = { ...findings[399]!, message: 'temporary ASIAY34FZKBOKMUTVV7A used' };
    const errors: CheckError[] = [
      {
        checkId: 'iam.access-key-rotation',
        region: 'global',
        code: 'AccessDenied',
        message: 'denied for AKIAABCDEFGHIJKLWXYZ',
        resource: 'AKIAABCDEFGHIJKLWXYZ',
      },
    ];
    const report = render({ result: auditResult(findings, errors), alias: 'prod' });
    expect(report.csv).not.toBeNull();
    const everything = JSON.stringify(messages(report)) + report.csv!.content;
    expect(everything).not.toMatch(/(AKIA|ASIA)[A-Z0-9]{16}/);
    expect(everything).toContain('AKIA…MPLE');
    expect(everything).toContain('ASIA…VV7A');
    expect(everything).toContain('AKIA…WXYZ');
  });
});

describe('renderReport: severity filter', () => {
  it('leaves out findings below minSeverity everywhere and says how many were hidden', () => {
    const findings = manyFindings(400);
    const report = render({ result: auditResult(findings), minSeverity: 'high' });
    const visible = findings.filter((f) => f.severity === 'critical' || f.severity === 'high');
    expect(report.total).toBe(visible.length);
    const counts = blocksOf(report.main)[2]!.text!.text;
    expect(counts).toContain(`*${visible.length} findings*: :red_circle: 80 critical   :large_orange_circle: 80 high`);
    expect(counts).not.toContain('medium   ');
    expect(counts).not.toContain(':large_yellow_circle:');
    expect(counts).toContain('_240 findings below high hidden by the severity filter_');
    expect(report.main.text).toBe('Audit of prod (123456789012): 80 critical, 80 high');
    const shownIds = messages(report).flatMap((m) => findingIds(sectionLines(m, 'findings')));
    expect(shownIds.sort()).toEqual(visible.map((f) => f.resource.id).sort());
    if (report.csv) expect(parse(report.csv.content)).toHaveLength(visible.length + 1);
  });

  it('says "No findings at <level> or above" when the filter hides everything', () => {
    const report = render({ result: auditResult(manyFindings(10).map((f) => ({ ...f, severity: 'low' as const }))), minSeverity: 'medium' });
    expect(blocksOf(report.main)[2]!.text!.text).toBe(
      ':white_check_mark: No findings at medium or above\n_10 findings below medium hidden by the severity filter_',
    );
    expect(sectionLines(report.main, 'findings')).toEqual([]);
  });
});

describe('renderReport: large audits stay within Slack limits', () => {
  function expectComplete(report: RenderedReport, findings: Finding[], alias = 'prod') {
    for (const m of messages(report)) expectWithinLimits(m);
    // Every finding exactly once, in report order, across main and follow-ups.
    const ids = messages(report).flatMap((m) => findingIds(sectionLines(m, 'findings')));
    const sorted = [...findings].sort(
      (a, b) =>
        SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
        a.checkId.localeCompare(b.checkId) ||
        a.region.localeCompare(b.region) ||
        a.resource.id.localeCompare(b.resource.id),
    );
    expect(ids).toEqual(sorted.map((f) => f.resource.id));
    expect(sectionLines(report.main, 'findings')).toHaveLength(report.shown);
    expect(report.total).toBe(findings.length);
    expect(report.shown).toBeLessThan(findings.length);
    // The main message says how many more, as its last block.
    const last = blocksOf(report.main).at(-1)!;
    expect(last.text!.text).toBe(
      `…and ${(findings.length - report.shown).toLocaleString('en-US')} more findings: the full list is in the thread (CSV attached)`,
    );
    // The CSV holds all of them.
    expect(report.csv).not.toBeNull();
    expect(report.csv!.filename).toBe(`audit-${alias}-20250301-0930.csv`);
    const rows = parse(report.csv!.content) as string[][];
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(findings.length + 1);
    expect(new Set(rows.slice(1).map((r) => r[CSV_COLUMNS.indexOf('resourceId')]))).toEqual(new Set(findings.map((f) => f.resource.id)));
    // Follow-ups say what they are.
    report.followUps.forEach((m, i) => {
      expect(m.text).toBe(`Audit of ${alias} (123456789012), continued (${i + 1}/${report.followUps.length})`);
      expect(blocksOf(m)[0]!.elements![0]!.text).toBe(`Audit of ${alias} (123456789012), continued · part ${i + 1} of ${report.followUps.length}`);
    });
  }

  it('300 findings: main within limits, the rest in follow-ups exactly once, CSV with 300 rows', () => {
    const findings = manyFindings(300);
    const report = render({ result: auditResult(findings) });
    expectComplete(report, findings);
    expect(report.followUps.length).toBeGreaterThan(0);
    expect(report.csv!.title).toBe('Audit of prod (123456789012): 300 findings');
    expect(blocksOf(report.main)[2]!.text!.text).toContain('*300 findings*: :red_circle: 60 critical');
  });

  it('2,000 findings too', () => {
    const findings = manyFindings(2000);
    const report = render({ result: auditResult(findings) });
    expectComplete(report, findings);
  });

  it('a section that starts inside a check group repeats the check title as "(continued)"', () => {
    const findings = manyFindings(300).map((f) => ({ ...f, checkId: 'iam.root-mfa', severity: 'critical' as const }));
    const report = render({ result: auditResult(findings) });
    expectComplete(report, findings);
    const firstLines = messages(report).flatMap((m) =>
      blocksOf(m)
        .filter((b) => b.block_id?.startsWith('findings-'))
        .map((b) => b.text!.text.split('\n')[0]),
    );
    expect(firstLines[0]).toMatch(/^:red_circle: \*Root user has MFA\* \(300\) · `iam\.root-mfa`$/);
    expect(firstLines.length).toBeGreaterThan(3);
    for (const line of firstLines.slice(1)) expect(line).toBe(':red_circle: *Root user has MFA* (continued)');
    // The why is said once per check group.
    expect(JSON.stringify(messages(report)).split('The root user can do anything').length - 1).toBe(1);
  });

  it('very long names and messages are cut, never a line over 300 characters', () => {
    const findings = manyFindings(120).map((f) => ({
      ...f,
      resource: { ...f.resource, id: `${f.resource.id}-${'&'.repeat(400)}` },
      message: '<'.repeat(2000),
    }));
    const report = render({ result: auditResult(findings) });
    for (const m of messages(report)) expectWithinLimits(m);
    const lines = messages(report).flatMap((m) => sectionLines(m, 'findings'));
    expect(lines).toHaveLength(120);
    for (const l of lines) expect(l).toMatch(/^• res-\d+-(&amp;)+…? · \S+ — (&lt;)+…$/);
  });
});

describe('renderReport: checks that could not run', () => {
  it('always appear in main, in their own section after the findings', () => {
    const findings = manyFindings(300);
    const report = render({ result: auditResult(findings, manyErrors(3)) });
    const ids = blocksOf(report.main).map((b) => b.block_id ?? b.type);
    const firstError = ids.indexOf('errors-1');
    expect(firstError).toBeGreaterThan(ids.lastIndexOf('findings-1'));
    expect(ids.filter((id) => id.startsWith('findings-')).every((id) => ids.indexOf(id) < firstError)).toBe(true);
    expect(sectionLines(report.main, 'errors')).toHaveLength(3);
    // Never mixed: no error line in a findings section and no finding line in an errors section.
    for (const m of messages(report)) {
      expect(sectionLines(m, 'findings').every((l) => /^• res-/.test(l))).toBe(true);
      expect(sectionLines(m, 'errors').every((l) => / in \S+ \(err-\d+\): AccessDenied: /.test(l))).toBe(true);
    }
    expect(
      blocksOf(report.main)
        .find((b) => b.block_id === 'errors-1')!
        .text!.text.split('\n')[0],
    ).toBe(':warning: *Could not check* (3): these are not passes');
    // All three fit in main: the follow-ups do not repeat them.
    expect(report.followUps.flatMap((m) => sectionLines(m, 'errors'))).toEqual([]);
    expectWithinLimits(report.main);
  });

  it('when there are too many, main shows what fits and how many more, and the follow-ups list all of them', () => {
    const findings = manyFindings(300);
    const errors = manyErrors(500);
    const report = render({ result: auditResult(findings, errors) });
    for (const m of messages(report)) expectWithinLimits(m);
    const inMain = sectionLines(report.main, 'errors');
    expect(inMain.length).toBeGreaterThan(10);
    expect(inMain.length).toBeLessThan(500);
    expect(blocksOf(report.main).find((b) => b.block_id === 'errors-more')!.elements![0]!.text).toBe(
      `…and ${500 - inMain.length} more that could not be checked: all of them are listed in the thread`,
    );
    // Findings still get room in main.
    expect(report.shown).toBeGreaterThan(20);
    const errorLinesInThread = report.followUps.flatMap((m) => sectionLines(m, 'errors'));
    expect(errorLinesInThread.map((l) => /\((err-\d+)\)/.exec(l)![1]).sort()).toEqual(errors.map((e) => e.resource).sort());
    expect(messages(report).flatMap((m) => findingIds(sectionLines(m, 'findings')))).toHaveLength(300);
    // The thread lists the remaining findings first, then the errors: never interleaved.
    const kinds = report.followUps.flatMap((m) => blocksOf(m).flatMap((b) => (b.block_id?.match(/^(findings|errors)-/) ? [b.block_id.split('-')[0]] : [])));
    expect(kinds.indexOf('errors')).toBeGreaterThan(0);
    expect(kinds.slice(kinds.indexOf('errors')).every((k) => k === 'errors')).toBe(true);
  });

  it('with only errors, they use the whole message', () => {
    const report = render({ result: auditResult([], manyErrors(40)) });
    expect(report.followUps).toEqual([]);
    expect(sectionLines(report.main, 'errors')).toHaveLength(40);
    expectWithinLimits(report.main);
  });

  it('with too many errors and no findings, the thread has them all and the CSV has no rows', () => {
    const report = render({ result: auditResult([], manyErrors(2000)) });
    for (const m of messages(report)) expectWithinLimits(m);
    expect(report.followUps.flatMap((m) => sectionLines(m, 'errors'))).toHaveLength(2000);
    expect(parse(report.csv!.content)).toHaveLength(1);
    expect(JSON.stringify(report.main)).not.toContain('more findings');
  });
});
