import type { AuditResult, Check, Severity } from '../audit/types.js';
import { jsonSafe } from './sanitize.js';

/** The SARIF log's schema (OASIS SARIF 2.1.0, errata 01). */
export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** SARIF levels from severities: what code-scanning pipelines gate on. */
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

/** GitHub code scanning's `security-severity` (0–10, its bands: ≥9 critical, ≥7 high, ≥4 medium). */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

/**
 * An audit as a SARIF 2.1.0 log, for code-scanning style pipelines: one run,
 * the checks that ran as its rules, the findings as its results (each on the
 * AWS resource as a logical location, with our fingerprint as a partial
 * fingerprint so a tool can follow it across runs), and what could not be
 * checked as the invocation's error notifications (a failed read is never a
 * pass: `executionSuccessful` is false then).
 */
export function formatSarif(result: AuditResult, checks: ReadonlyMap<string, Check>, toolVersion: string): string {
  const ruleIds = [...new Set([...result.scope.checkIds, ...result.findings.map((f) => f.checkId)])];
  const index = new Map(ruleIds.map((id, i) => [id, i]));
  const rules = ruleIds.map((id) => {
    const check = checks.get(id);
    const refs = check ? [check.references.cis && `CIS-${check.references.cis}`, check.references.securityHub].filter(Boolean) : [];
    return {
      id,
      ...(check
        ? {
            name: check.title,
            shortDescription: { text: check.title },
            fullDescription: { text: check.description },
            help: { text: check.remediation },
            defaultConfiguration: { level: LEVEL[check.severity] },
            properties: { tags: ['security', check.service, ...refs], 'security-severity': SECURITY_SEVERITY[check.severity], severity: check.severity },
          }
        : {}),
    };
  });
  const results = result.findings.map((f) => ({
    ruleId: f.checkId,
    ruleIndex: index.get(f.checkId)!,
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [
      {
        // Code-scanning services (GitHub's among them) refuse a result without a physical location: the AWS
        // resource as a relative URI of its own (account, region, type, id), the logical location beside it.
        physicalLocation: {
          artifactLocation: { uri: ['aws', f.accountId, f.region, f.resource.type.replaceAll('::', '-'), f.resource.id].map(encodeURIComponent).join('/') },
        },
        logicalLocations: [
          {
            name: f.resource.id,
            fullyQualifiedName: f.resource.arn ?? `${f.accountId}/${f.region}/${f.resource.type}/${f.resource.id}`,
            kind: 'resource',
          },
        ],
      },
    ],
    partialFingerprints: { 'awsAuditBot/v1': f.fingerprint },
    properties: { severity: f.severity, accountId: f.accountId, region: f.region, resourceType: f.resource.type },
  }));
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'aws-audit-bot', version: toolVersion, rules } },
        automationDetails: { id: `aws-audit-bot/${result.account.alias}/${result.startedAt}` },
        invocations: [
          {
            executionSuccessful: result.errors.length === 0,
            startTimeUtc: result.startedAt,
            toolExecutionNotifications: result.errors.map((e) => ({
              level: 'error',
              message: { text: `${e.checkId} in ${e.region}${e.resource ? ` (${e.resource})` : ''}: ${e.code}: ${e.message}` },
              descriptor: { id: e.code },
              ...(index.has(e.checkId) ? { associatedRule: { id: e.checkId, index: index.get(e.checkId)! } } : {}),
            })),
          },
        ],
        results,
        properties: { account: result.account, regions: result.scope.regions },
      },
    ],
  };
  // Controls and bidi overrides in what AWS said are written as \u escapes: the data parses back unchanged.
  return `${jsonSafe(JSON.stringify(log, null, 2))}\n`;
}
