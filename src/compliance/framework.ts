/**
 * A compliance framework's view of an audit: each control of the framework
 * with what the audit says of it. Which checks cover a control is read from
 * the checks' own metadata (`references.cis`), never listed twice; a
 * finding fails the controls its `details.cis` names (when its check
 * covers several and knows which one this finding breaks), else every
 * control its check covers. A failed read is never a pass: a control whose
 * check could not run is "could not check".
 */
import type { AuditResult, Check, CheckError, Finding } from '../audit/types.js';

export interface FrameworkSection {
  id: string;
  title: string;
}

export interface FrameworkControl {
  id: string;
  title: string;
  /** CIS's assessment status: whether the control can be checked by reading configuration. */
  assessment: 'automated' | 'manual';
  /** CIS profile level (1: basic, 2: defence in depth). */
  level: 1 | 2;
  section: string;
}

export interface Framework {
  /** What `--compliance` takes. */
  id: string;
  name: string;
  version: string;
  sections: readonly FrameworkSection[];
  controls: readonly FrameworkControl[];
}

export const CONTROL_STATUSES = ['fail', 'error', 'pass', 'not-run', 'not-covered'] as const;
export type ControlStatus = (typeof CONTROL_STATUSES)[number];

/** How each status reads. */
export const STATUS_LABEL: Record<ControlStatus, string> = {
  fail: 'fail',
  error: 'could not check',
  pass: 'pass',
  'not-run': 'not run',
  'not-covered': 'not covered',
};

export interface ControlResult extends FrameworkControl {
  status: ControlStatus;
  /** The checks that cover it (whether they ran or not). */
  checks: string[];
  /** The findings behind a fail. */
  findings: Finding[];
  /** What kept it from being judged (for "could not check"), or what else failed beside a fail. */
  errors: CheckError[];
}

export type StatusCounts = Record<ControlStatus, number>;

export interface ComplianceReport {
  framework: Pick<Framework, 'id' | 'name' | 'version'>;
  account: AuditResult['account'];
  startedAt: string;
  sections: (FrameworkSection & { totals: StatusCounts })[];
  controls: ControlResult[];
  totals: StatusCounts;
}

/**
 * The control ids a reference names: `1.7, 1.8`, a range `4.1–4.15` (or
 * `4.1-4.15`) within one section, or one id.
 */
export function parseControlRefs(ref: string | undefined): string[] {
  if (!ref) return [];
  return ref
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .flatMap((part) => {
      const range = /^((?:\d+\.)*)(\d+)\s*[–-]\s*\1(\d+)$/.exec(part);
      if (!range) return [part];
      const [, prefix, from, to] = range;
      return Array.from({ length: Math.max(0, Number(to) - Number(from) + 1) }, (_, i) => `${prefix}${Number(from) + i}`);
    });
}

/** The controls of a framework each check covers, from its references. */
export function controlsOfCheck(check: Pick<Check, 'references'>): string[] {
  return parseControlRefs(check.references.cis);
}

/**
 * The controls one finding fails: when it says which (`details.cis`, e.g.
 * `5.4` for an IPv6 rule, `none` for a password policy weak only in ways no
 * control covers), those of its check's controls; else all its check covers.
 */
export function controlsOfFinding(finding: Finding, check: Pick<Check, 'references'> | undefined): string[] {
  const own = finding.details?.cis;
  const covered = check ? controlsOfCheck(check) : [];
  return typeof own === 'string' ? parseControlRefs(own).filter((id) => covered.includes(id)) : covered;
}

const zero = (): StatusCounts => Object.fromEntries(CONTROL_STATUSES.map((s) => [s, 0])) as StatusCounts;

/** The framework's view of one audit. `checks`: every check the bot has (what covers a control does not depend on what ran). */
export function evaluateCompliance(result: AuditResult, checks: readonly Check[], framework: Framework): ComplianceReport {
  const coveredBy = new Map<string, Check[]>();
  for (const check of checks) for (const id of controlsOfCheck(check)) coveredBy.set(id, [...(coveredBy.get(id) ?? []), check]);
  const byId = new Map(checks.map((c) => [c.id, c]));
  const ran = new Set(result.scope.checkIds);
  const failing = new Map<string, Finding[]>();
  for (const f of result.findings) {
    for (const id of controlsOfFinding(f, byId.get(f.checkId))) failing.set(id, [...(failing.get(id) ?? []), f]);
  }
  const controls = framework.controls.map((control): ControlResult => {
    const covering = coveredBy.get(control.id) ?? [];
    const running = covering.filter((c) => ran.has(c.id));
    const findings = failing.get(control.id)?.filter((f) => ran.has(f.checkId)) ?? [];
    const errors = result.errors.filter((e) => running.some((c) => c.id === e.checkId));
    const status: ControlStatus =
      covering.length === 0 ? 'not-covered' : running.length === 0 ? 'not-run' : findings.length > 0 ? 'fail' : errors.length > 0 ? 'error' : 'pass';
    return { ...control, status, checks: covering.map((c) => c.id), findings, errors };
  });
  const totals = zero();
  const sections = framework.sections.map((s) => ({ ...s, totals: zero() }));
  for (const c of controls) {
    totals[c.status]++;
    const section = sections.find((s) => s.id === c.section);
    if (section) section.totals[c.status]++;
  }
  return {
    framework: { id: framework.id, name: framework.name, version: framework.version },
    account: result.account,
    startedAt: result.startedAt,
    sections,
    controls,
    totals,
  };
}

/**
 * The controls a finding (or, without one, its check) names, one id each: CIS
 * v5.0 by {@link controlsOfFinding}, Security Hub from the check's list
 * (`IAM.7, IAM.15`). What exports write as a finding's requirements.
 */
export function referencedControls(check: Pick<Check, 'references'> | undefined, finding?: Finding): { cis: string[]; securityHub: string[] } {
  const cis = finding ? controlsOfFinding(finding, check) : check ? controlsOfCheck(check) : [];
  return { cis, securityHub: parseControlRefs(check?.references.securityHub) };
}
