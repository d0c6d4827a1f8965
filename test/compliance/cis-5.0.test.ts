/**
 * The CIS v5.0 data against the checks' metadata (every reference names a
 * control of the list, every list entry is well formed), and how an audit
 * becomes each control's status.
 */
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.js';
import type { Finding } from '../../src/audit/types.js';
import { CIS_5_0 } from '../../src/compliance/cis-5.0.js';
import { controlsOfCheck, controlsOfFinding, evaluateCompliance, parseControlRefs } from '../../src/compliance/framework.js';
import { FRAMEWORKS } from '../../src/compliance/index.js';
import { handFinding, handResult } from '../helpers/results.js';

const ids = CIS_5_0.controls.map((c) => c.id);

describe('the CIS v5.0 control list', () => {
  it('holds the benchmark’s 63 recommendations once each, in order, each in one of its five sections', () => {
    expect(ids).toHaveLength(63);
    expect(new Set(ids).size).toBe(63);
    const bySection = Object.fromEntries(CIS_5_0.sections.map((s) => [s.id, CIS_5_0.controls.filter((c) => c.section === s.id).length]));
    expect(bySection).toEqual({ '1': 21, '2': 9, '3': 9, '4': 16, '5': 8 });
    for (const c of CIS_5_0.controls) {
      expect(c.id).toMatch(/^[1-5](\.\d+){1,2}$/);
      expect(c.title.length).toBeGreaterThan(10);
      expect(['automated', 'manual']).toContain(c.assessment);
      expect([1, 2]).toContain(c.level);
    }
    expect(CIS_5_0.controls.filter((c) => c.assessment === 'automated')).toHaveLength(35);
    expect(FRAMEWORKS.get('cis-5.0')).toBe(CIS_5_0);
  });

  it('every CIS reference of every check names a control of the list', () => {
    const unknown = ALL_CHECKS.flatMap((check) => controlsOfCheck(check).flatMap((id) => (ids.includes(id) ? [] : [`${check.id}: ${id}`])));
    expect(unknown).toEqual([]);
    // And the checks cover a good part of the automated controls (what is covered is derived, never listed twice).
    const covered = new Set(ALL_CHECKS.flatMap(controlsOfCheck));
    expect(covered.size).toBeGreaterThanOrEqual(40);
    expect(covered.has('4.7')).toBe(true); // from the range 4.1–4.15
  });

  it('reads one id, lists and ranges', () => {
    expect(parseControlRefs('1.14')).toEqual(['1.14']);
    expect(parseControlRefs('1.7, 1.8')).toEqual(['1.7', '1.8']);
    expect(parseControlRefs('4.1–4.3')).toEqual(['4.1', '4.2', '4.3']);
    expect(parseControlRefs('2.1.1-2.1.3, 3.1')).toEqual(['2.1.1', '2.1.2', '2.1.3', '3.1']);
    expect(parseControlRefs(undefined)).toEqual([]);
  });
});

describe('a CIS v5.0 view of an audit', () => {
  const check = (id: string) => ALL_CHECKS.find((c) => c.id === id)!;
  const sg = (cidr: string, cis?: string): Finding =>
    handFinding('ec2.sg-risky-ports', 'critical', `sg-${cidr}`, `open to ${cidr}`, { region: 'eu-west-1', details: { cidr, ...(cis ? { cis } : {}) } });

  it('a finding fails the control it names; without one, every control its check covers; “none” fails none', () => {
    expect(controlsOfFinding(sg('::/0', '5.4'), check('ec2.sg-risky-ports'))).toEqual(['5.4']);
    expect(controlsOfFinding(sg('0.0.0.0/0'), check('ec2.sg-risky-ports'))).toEqual(['5.3', '5.4']);
    expect(controlsOfFinding(handFinding('iam.password-policy', 'medium', 'p', 'm', { details: { cis: 'none' } }), check('iam.password-policy'))).toEqual([]);
    // A control the check does not cover is not taken from a finding.
    expect(controlsOfFinding(sg('::/0', '1.1'), check('ec2.sg-risky-ports'))).toEqual([]);
  });

  it('gives each control pass, fail (with its findings), could not check, not run or not covered, and counts them per section', () => {
    const result = handResult(
      [handFinding('iam.root-mfa', 'critical', 'root', 'The root user has no MFA'), sg('::/0', '5.4')],
      [{ checkId: 'iam.password-policy', region: 'global', code: 'AccessDenied', message: 'denied' }],
      ['global', 'eu-west-1'],
    );
    result.scope.checkIds = ['iam.root-mfa', 'iam.password-policy', 'iam.user-console-mfa', 'ec2.sg-risky-ports', 'ec2.sg-open-all'];
    const report = evaluateCompliance(result, ALL_CHECKS, CIS_5_0);
    const status = (id: string) => report.controls.find((c) => c.id === id)!;
    expect(status('1.4')).toMatchObject({
      status: 'fail',
      checks: ['iam.root-mfa'],
      findings: [expect.objectContaining({ resource: expect.objectContaining({ id: 'root' }) })],
    });
    expect(status('1.7')).toMatchObject({ status: 'error', errors: [expect.objectContaining({ code: 'AccessDenied' })] });
    expect(status('1.9').status).toBe('pass');
    expect(status('5.4').status).toBe('fail');
    // The IPv6 finding does not fail 5.3: its checks ran and found nothing else.
    expect(status('5.3').status).toBe('pass');
    expect(status('1.3').status).toBe('not-run'); // iam.root-access-keys exists, but did not run
    expect(status('1.1').status).toBe('not-covered');
    expect(report.sections.find((s) => s.id === '1')!.totals).toMatchObject({ fail: 1, error: 2, pass: 1 }); // 1.7 and 1.8 share the password policy's check
    expect(Object.values(report.totals).reduce((a, b) => a + b, 0)).toBe(63);
  });
});
