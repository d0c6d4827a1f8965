import type { AuditResult } from '../src/audit/types.js';
import type { ReferencedFinding } from '../src/store/mutes.js';
import type { Deps } from './deps.js';

/** The findings of a result that no mute in force covers, and how many were left out. */
export async function withoutMuted(deps: Pick<Deps, 'mutes' | 'now'>, result: AuditResult): Promise<{ result: AuditResult; muted: number }> {
  const active = await deps.mutes.active(deps.now());
  const findings = result.findings.filter((f) => !active.has(f.fingerprint));
  return { result: { ...result, findings }, muted: result.findings.length - findings.length };
}

/** Reports offer fixes for the checks that have one, in accounts with a remediation role. */
export function fixableIn(deps: Pick<Deps, 'remediation'>, accountId: string): { fixable?: (fix: string) => boolean } {
  const remediation = deps.remediation;
  return remediation ? { fixable: (fix: string) => remediation.offers(accountId, fix) } : {};
}

/** The alias a finding's account goes by: its scan's, else the first configured one. */
export function aliasOf(deps: Pick<Deps, 'config'>, accountId: string, scanAlias: string | undefined): string | undefined {
  return scanAlias ?? deps.config.accounts.find((a) => a.accountId === accountId)?.alias;
}

/** What a finding's modals show of a finding the history knows: its state, its account's alias, its check, its mute in force. */
export async function findingInView(deps: Pick<Deps, 'config' | 'checks' | 'mutes' | 'now'>, found: ReferencedFinding) {
  const { state, scan } = found;
  return {
    state,
    alias: aliasOf(deps, state.accountId, scan?.alias),
    check: deps.checks.find((c) => c.id === state.checkId),
    mute: (await deps.mutes.active(deps.now())).get(state.fingerprint),
  };
}
