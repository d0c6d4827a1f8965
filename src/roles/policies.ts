import { DATASETS } from '../audit/datasets/index.js';
import { RUNNER_ACTIONS } from '../audit/runner.js';
import type { Check } from '../audit/types.js';
import type { RemediationAction } from '../remediation/types.js';
import { securityAuditGrants } from './security-audit.js';

/**
 * What the bot's roles may do, from the declarations alone: the API calls each
 * check's datasets make (and the runner's own), and what each fix reads and
 * writes. The README's policies and the `roles` templates are both made from
 * here, so neither can drift from the code.
 */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: { Sid: string; Effect: 'Allow'; Action: string[]; Resource: '*' }[];
}

/** Every IAM action an audit with these checks calls, sorted. */
export function auditActions(checks: readonly Check[]): string[] {
  const actions = new Set<string>(RUNNER_ACTIONS);
  for (const check of checks) for (const id of check.uses) for (const action of DATASETS[id].actions) actions.add(action);
  return [...actions].sort();
}

/** The actions of `auditActions` that AWS's SecurityAudit policy does not grant: the audit role's inline policy. */
export function auditActionsBeyondSecurityAudit(checks: readonly Check[]): string[] {
  return auditActions(checks).filter((action) => !securityAuditGrants(action));
}

/** Every IAM action the fixes need for precheck, apply and undo, sorted. */
export function fixActions(actions: readonly RemediationAction[]): string[] {
  return [...new Set(actions.flatMap((a) => a.permissions))].sort();
}

/** One statement allowing `actions` on every resource. */
export function allowPolicy(sid: string, actions: readonly string[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Action: [...actions], Resource: '*' }] };
}

/** The names policies and statements carry, in the README and the templates alike. */
export const POLICY_NAMES = {
  readOnly: 'AwsAuditBotReadOnly',
  beyondSecurityAudit: 'AwsAuditBotBeyondSecurityAudit',
  fixes: 'AwsAuditBotFixes',
} as const;
