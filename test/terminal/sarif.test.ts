/**
 * The SARIF output against what the SARIF 2.1.0 schema requires of each
 * object it writes (sarifLog, run, tool, toolComponent, reportingDescriptor,
 * result, message, invocation, notification), and the top-level keys it
 * allows (`additionalProperties: false`).
 */
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.js';
import type { AuditResult, Finding } from '../../src/audit/types.js';
import { handFinding, handResult } from '../helpers/results.js';
import { formatSarif, SARIF_SCHEMA } from '../../src/terminal/sarif.js';

const finding = handFinding;
const result = (findings: Finding[], errors: AuditResult['errors'] = []): AuditResult => handResult(findings, errors);

const checks = new Map(ALL_CHECKS.map((c) => [c.id, c]));
const LEVELS = ['none', 'note', 'warning', 'error'];

/** What the tests read of a log. */
interface SarifLog {
  [key: string]: unknown;
  $schema: string;
  runs: {
    tool: { driver: { rules: { id: string; [key: string]: unknown }[] } };
    results: { level: string; message: { text: string }; partialFingerprints: Record<string, string> }[];
    invocations: { executionSuccessful: boolean; toolExecutionNotifications: Record<string, unknown>[] }[];
  }[];
}

function requiredFieldProblems(log: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => void (ok || problems.push(what));
  for (const key of Object.keys(log))
    need(['$schema', 'version', 'runs', 'inlineExternalProperties', 'properties'].includes(key), `sarifLog: ${key} is not allowed`);
  need(log.version === '2.1.0', 'sarifLog.version must be "2.1.0"');
  const runs = log.runs as Record<string, unknown>[];
  need(Array.isArray(runs), 'sarifLog.runs is required');
  for (const run of runs ?? []) {
    const driver = (run.tool as { driver?: Record<string, unknown> } | undefined)?.driver;
    need(typeof driver?.name === 'string', 'run.tool.driver.name is required');
    const rules = (driver?.rules as Record<string, unknown>[] | undefined) ?? [];
    for (const rule of rules) need(typeof rule.id === 'string', 'reportingDescriptor.id is required');
    for (const inv of (run.invocations as Record<string, unknown>[] | undefined) ?? []) {
      need(typeof inv.executionSuccessful === 'boolean', 'invocation.executionSuccessful is required');
      for (const n of (inv.toolExecutionNotifications as Record<string, unknown>[] | undefined) ?? []) {
        need(typeof (n.message as { text?: unknown } | undefined)?.text === 'string', 'notification.message.text is required');
        need(LEVELS.includes(n.level as string), 'notification.level is an enum');
      }
    }
    for (const r of (run.results as Record<string, unknown>[] | undefined) ?? []) {
      need(typeof (r.message as { text?: unknown } | undefined)?.text === 'string', 'result.message needs text');
      need(LEVELS.includes(r.level as string), 'result.level is an enum');
      need(rules[r.ruleIndex as number]?.id === r.ruleId, 'result.ruleIndex points at its rule');
      // What GitHub code scanning requires beyond the schema: every result has a physical location with a URI.
      const locations = (r.locations as { physicalLocation?: { artifactLocation?: { uri?: unknown } } }[] | undefined) ?? [];
      need(locations.length > 0 && locations.every((l) => typeof l.physicalLocation?.artifactLocation?.uri === 'string'), 'result needs a physical location');
    }
  }
  return problems;
}

describe('SARIF output', () => {
  it('writes the checks as rules and the findings as results, with levels from severity and the fields the schema requires', () => {
    const log = JSON.parse(
      formatSarif(
        result([finding('iam.root-mfa', 'critical', 'root', 'The root user has no MFA'), finding('iam.user-console-mfa', 'medium', 'bob', 'bob has no MFA')]),
        checks,
        '0.1.0',
      ),
    ) as SarifLog;
    expect(requiredFieldProblems(log)).toEqual([]);
    expect(log.$schema).toBe(SARIF_SCHEMA);
    const run = log.runs[0]!;
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(['iam.root-mfa', 'iam.user-console-mfa', 'iam.password-policy']);
    expect(run.tool.driver.rules[0]).toMatchObject({
      name: 'Root user has MFA',
      help: { text: expect.any(String) },
      properties: { 'security-severity': '9.5' },
    });
    expect(run.results.map((r: { level: string }) => r.level)).toEqual(['error', 'warning']);
    expect(run.results[0]!.partialFingerprints['awsAuditBot/v1']).toHaveLength(32);
    expect(JSON.stringify(run.results[0])).toContain('"uri":"aws/123456789012/global/AWS-IAM-User/root"');
    expect(run.invocations[0]!.executionSuccessful).toBe(true);
  });

  it('reports what could not be checked as error notifications (never a clean run), and escapes what AWS said', () => {
    const log = JSON.parse(
      formatSarif(
        result(
          [finding('iam.root-mfa', 'low', 'x\u001b[2J\u202e', 'odd \u0007 name')],
          [{ checkId: 'iam.password-policy', region: 'global', code: 'AccessDenied', message: 'denied' }],
        ),
        checks,
        '0.1.0',
      ),
    ) as SarifLog;
    expect(requiredFieldProblems(log)).toEqual([]);
    const inv = log.runs[0]!.invocations[0]!;
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.toolExecutionNotifications[0]).toMatchObject({ level: 'error', associatedRule: { id: 'iam.password-policy', index: 2 } });
    expect(log.runs[0]!.results[0]!.message.text).toBe('odd \u0007 name');
    const raw = formatSarif(result([finding('iam.root-mfa', 'low', 'x\u001b', 'm\u202e')]), checks, '0.1.0');
    expect(raw).not.toMatch(/[\u001b\u202e]/);
  });

  it('the test catches what the schema refuses', () => {
    expect(
      requiredFieldProblems({
        version: '2.0.0',
        runs: [{ tool: { driver: {} }, results: [{ ruleId: 'x', ruleIndex: 0, level: 'fatal', message: {} }] }],
        extra: 1,
      }),
    ).toEqual([
      'sarifLog: extra is not allowed',
      'sarifLog.version must be "2.1.0"',
      'run.tool.driver.name is required',
      'result.message needs text',
      'result.level is an enum',
      'result.ruleIndex points at its rule',
      'result needs a physical location',
    ]);
  });
});
