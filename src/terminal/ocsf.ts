import { errorFingerprint } from '../audit/fingerprint.js';
import { referencedControls } from '../compliance/framework.js';
import type { AuditResult, Check, CheckError, Finding, Severity } from '../audit/types.js';
import { GLOBAL_REGION } from '../audit/types.js';
import { jsonListChunks } from './json-list.js';

/** The OCSF release whose attributes these events use. */
export const OCSF_VERSION = '1.5.0';

/** Findings category (2), Compliance Finding class (2003), Create activity (1): type_uid = class_uid × 100 + activity_id. */
const CLASS = { category_uid: 2, category_name: 'Findings', class_uid: 2003, class_name: 'Compliance Finding' } as const;
const ACTIVITY = { activity_id: 1, activity_name: 'Create', type_uid: 200301, type_name: 'Compliance Finding: Create' } as const;

/** OCSF severity_id: 1 Informational … 5 Critical. */
const SEVERITY: Record<Severity, { severity_id: number; severity: string }> = {
  info: { severity_id: 1, severity: 'Informational' },
  low: { severity_id: 2, severity: 'Low' },
  medium: { severity_id: 3, severity: 'Medium' },
  high: { severity_id: 4, severity: 'High' },
  critical: { severity_id: 5, severity: 'Critical' },
};

/** The standards a check's references name (a compliance object needs at least one). */
export const STANDARDS = {
  cis: 'CIS AWS Foundations Benchmark v5.0.0',
  securityHub: 'AWS Foundational Security Best Practices v1.0.0',
  own: 'aws-audit-bot',
} as const;

export interface OcsfOptions {
  toolVersion: string;
  /** The account's partition (aws, aws-cn, aws-us-gov): each resource says where it lives. */
  partition: string;
}

/** The standards and controls of a finding (the ones it breaks), or of its check for what could not be checked. */
function compliance(check: Check | undefined, checkId: string, finding?: Finding) {
  const { cis, securityHub } = referencedControls(check, finding);
  const standards = [...(check?.references.cis ? [STANDARDS.cis] : []), ...(securityHub.length ? [STANDARDS.securityHub] : [])];
  return {
    standards: standards.length ? standards : [STANDARDS.own],
    control: cis[0] ?? securityHub[0] ?? checkId,
    requirements: [...cis.map((id) => `CIS ${id}`), ...securityHub, checkId],
  };
}

/**
 * What every event of one audit shares: class and activity, the time of the
 * scan, the product, the cloud profile's account and region (none for a
 * global check: `global` is not a region).
 */
function common(result: AuditResult, region: string, options: OcsfOptions) {
  return {
    ...CLASS,
    ...ACTIVITY,
    time: Date.parse(result.startedAt),
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'aws-audit-bot', vendor_name: 'aws-audit-bot', version: options.toolVersion, uid: 'aws-audit-bot' },
      profiles: ['cloud'],
    },
    cloud: {
      provider: 'AWS',
      ...(region === GLOBAL_REGION ? {} : { region }),
      account: { uid: result.account.accountId, name: result.account.alias, type: 'AWS Account', type_id: 10 },
    },
  };
}

function remediation(check: Check | undefined) {
  return check ? { remediation: { desc: check.remediation } } : {};
}

/** A finding: a failed control on its resource, with the check's words and the finding's facts on the resource. */
function findingEvent(f: Finding, check: Check | undefined, result: AuditResult, options: OcsfOptions) {
  return {
    ...common(result, f.region, options),
    ...SEVERITY[f.severity],
    status_id: 1,
    status: 'New',
    message: f.message,
    finding_info: {
      uid: f.fingerprint,
      title: check?.title ?? f.checkId,
      ...(check ? { desc: check.description } : {}),
      types: [check?.service ?? f.checkId.split('.')[0]!],
      analytic: { uid: f.checkId, name: f.checkId, type: 'Rule', type_id: 1 },
    },
    compliance: { ...compliance(check, f.checkId, f), status_id: 3, status: 'Fail', status_code: 'FAIL' },
    ...remediation(check),
    resources: [
      {
        uid: f.resource.arn ?? f.resource.id,
        name: f.resource.id,
        type: f.resource.type,
        cloud_partition: options.partition,
        ...(f.region === GLOBAL_REGION ? {} : { region: f.region }),
        ...(f.details && Object.keys(f.details).length ? { data: f.details } : {}),
      },
    ],
  };
}

/**
 * What could not be checked: OCSF's Warning status ("did not yield a result
 * due to missing information"), never left out and never a pass. Its uid is
 * stable across runs, like a finding's.
 */
function errorEvent(e: CheckError, check: Check | undefined, result: AuditResult, options: OcsfOptions) {
  const uid = errorFingerprint(e, result.account.accountId);
  const where = `${e.region}${e.resource ? ` (${e.resource})` : ''}`;
  return {
    ...common(result, e.region, options),
    // Informational, as in ASFF: not a risk of its own, but never left out.
    ...SEVERITY.info,
    status_id: 1,
    status: 'New',
    message: `${e.checkId} could not check ${where}: ${e.code}: ${e.message}`,
    finding_info: {
      uid,
      title: `Could not check: ${check?.title ?? e.checkId}`,
      types: [check?.service ?? e.checkId.split('.')[0]!],
      analytic: { uid: e.checkId, name: e.checkId, type: 'Rule', type_id: 1 },
    },
    compliance: { ...compliance(check, e.checkId), status_id: 2, status: 'Warning', status_code: 'ERROR', status_details: [`${e.code}: ${e.message}`] },
    ...(e.resource ? { resources: [{ uid: e.resource, name: e.resource, cloud_partition: options.partition }] } : {}),
  };
}

/**
 * An audit as OCSF Compliance Finding events, one per finding and one per
 * check that could not run: a JSON array, each event built and written in
 * its turn.
 */
export function ocsfChunks(result: AuditResult, checks: ReadonlyMap<string, Check>, options: OcsfOptions): Generator<string> {
  function* events() {
    for (const f of result.findings) yield findingEvent(f, checks.get(f.checkId), result, options);
    for (const e of result.errors) yield errorEvent(e, checks.get(e.checkId), result, options);
  }
  return jsonListChunks(events());
}
