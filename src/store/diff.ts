import { GLOBAL_REGION, severityRank, type AuditResult, type CheckError, type DetailValue, type Finding, type Severity } from '../audit/types.js';
import { compareFindings } from '../audit/order.js';

/**
 * What the history knows about one finding (by fingerprint), across scans.
 * Pure data: the store persists it as it is. A type alias rather than an
 * interface so that it stays assignable to the store's zod-inferred record
 * (a loose object, i.e. with an index signature).
 */
export type FindingState = {
  fingerprint: string;
  checkId: string;
  accountId: string;
  region: string;
  resourceId: string;
  /** Last seen severity and message. */
  severity: Severity;
  message: string;
  /**
   * ISO times. `firstSeen`, `resolvedAt` and `reopenedAt` are when the
   * history recorded the change (the digest's windows are in these terms, so
   * an audit that started before a digest but finished after it is news for
   * the next one). `lastSeen` is when the newest scan that saw it started.
   */
  firstSeen: string;
  lastSeen: string;
  /** Null while the finding is open. */
  resolvedAt: string | null;
  /** Set when a resolved finding came back (the last time it did). */
  reopenedAt: string | null;
  /** When the scan that resolved it started: an older scan finishing later cannot reopen it. */
  resolvedScanAt?: string;
  /**
   * Per-trail CloudTrail findings only: whether the trail is multi-region, so
   * listed (and judged) from every region. A single-region trail is seen only
   * from its home region: an audit of other regions says nothing about it.
   * Absent for other checks (and for states written without it).
   */
  multiRegionTrail?: boolean;
  /** The check's details as last seen (what a fix acts on: user and key creation time, group and rule, bucket). */
  details?: Record<string, DetailValue>;
  /** The fix action the audit offered for it as last seen; null when none applies to this finding. Absent in states written before fixes. */
  fix?: string | null;
  /** The resource's ARN and tags as last seen, when the finding had them (what config mutes match). */
  arn?: string;
  tags?: Record<string, string>;
};

export interface DiffOutcome {
  /** Every state after applying the scan: this account's (changed or not) and other accounts' as they were. By fingerprint. */
  states: FindingState[];
  /** Seen for the first time. */
  opened: Finding[];
  /** Were resolved, back now. */
  reopened: Finding[];
  /** Open before, not found now, and the scan covered them (now with `resolvedAt`). */
  resolved: FindingState[];
  /** Open before and seen again. */
  stillOpen: Finding[];
  /** This account's open states the scan could not judge (out of its scope, or its check errored there): neither seen nor resolved. */
  untouched: FindingState[];
}

/** Why a state is, or is not, within what a scan judged. */
export type Coverage =
  | { covered: true }
  | { covered: false; reason: 'other-account' | 'check-not-run' | 'region-not-audited' | 'service-not-offered' }
  | { covered: false; reason: 'check-error'; error: CheckError };

/**
 * The checks of a scan that judge per trail (their findings carry the trail's
 * home region even when the trail was judged from another audited region):
 * what the checks declare (`judgedPer: 'trail'`), carried in the scan's
 * scope. A scan recorded before the scope said so is read with the rule of
 * that time: every CloudTrail check but the account-wide `cloudtrail.enabled`.
 */
export function perTrailChecks(result: Pick<AuditResult, 'scope'>): ReadonlySet<string> {
  return new Set(result.scope.perTrailChecks ?? result.scope.checkIds.filter((id) => id.startsWith('cloudtrail.') && id !== 'cloudtrail.enabled'));
}

const key = (...parts: string[]): string => parts.join('\u0000');

/** What coverage reads of a state: where the finding is, not what it says. */
export type CoverageKey = Pick<FindingState, 'accountId' | 'checkId' | 'region' | 'resourceId' | 'multiRegionTrail'>;

/** The scan's scope and errors, indexed once for many states. */
function scanCoverage(result: AuditResult, perTrailIds: ReadonlySet<string> = perTrailChecks(result)): (state: CoverageKey) => Coverage {
  const checkIds = new Set(result.scope.checkIds);
  const isPerTrailCheck = (checkId: string) => perTrailIds.has(checkId);
  const regions = new Set(result.scope.regions);
  const anyRegionalAudited = result.scope.regions.some((r) => r !== GLOBAL_REGION);
  /** Checks whose service the region does not offer: they judged nothing there. */
  const skipped = new Set((result.scope.skippedChecks ?? []).map((s) => key(s.checkId, s.region)));

  /** Whole-check failures by check and region. */
  const wholeCheck = new Map<string, CheckError>();
  /** Any failure (whole or one resource) by check and region: an account-wide verdict is unknown after either. */
  const anyError = new Map<string, CheckError>();
  /** Whole-check failures of per-trail checks by check, in any region. */
  const wholeTrailCheck = new Map<string, CheckError>();
  /** One-resource failures by check, region and resource. */
  const oneResource = new Map<string, CheckError>();
  /** One-resource failures of per-trail checks by check and resource, whichever region judged the trail. */
  const oneTrail = new Map<string, CheckError>();

  const remember = (map: Map<string, CheckError>, k: string, error: CheckError) => {
    if (!map.has(k)) map.set(k, error);
  };
  for (const error of result.errors) {
    // The runner's own errors (`audit.region-discovery`) name no check a state has, so they block nothing
    // by themselves: the regions they cost are absent from `scope.regions`, which leaves those states untouched.
    remember(anyError, key(error.checkId, error.region), error);
    if (error.resource === undefined) {
      remember(wholeCheck, key(error.checkId, error.region), error);
      if (isPerTrailCheck(error.checkId)) remember(wholeTrailCheck, error.checkId, error);
    } else {
      remember(oneResource, key(error.checkId, error.region, error.resource), error);
      if (isPerTrailCheck(error.checkId)) remember(oneTrail, key(error.checkId, error.resource), error);
    }
  }

  return (state) => {
    if (state.accountId !== result.account.accountId) return { covered: false, reason: 'other-account' };
    if (!checkIds.has(state.checkId)) return { covered: false, reason: 'check-not-run' };
    const perTrail = isPerTrailCheck(state.checkId);
    const regionAudited = regions.has(state.region);
    // A trail whose home region was not audited is judged from the first audited region, if it is listed there: a multi-region one is.
    const judgedElsewhere = !regionAudited && perTrail && anyRegionalAudited && state.multiRegionTrail !== false;
    if (!regionAudited && !judgedElsewhere) return { covered: false, reason: 'region-not-audited' };
    if (skipped.has(key(state.checkId, state.region))) return { covered: false, reason: 'service-not-offered' };

    const blocking =
      wholeCheck.get(key(state.checkId, state.region)) ??
      // Judged from another region: a failure of the check in any audited region may be the one that hid it.
      (judgedElsewhere ? wholeTrailCheck.get(state.checkId) : undefined) ??
      (perTrail ? oneTrail.get(key(state.checkId, state.resourceId)) : oneResource.get(key(state.checkId, state.region, state.resourceId))) ??
      // An account-wide verdict (cloudtrail.enabled, password policy, ...) is unknown while any part of its check failed there.
      (state.resourceId === state.accountId ? anyError.get(key(state.checkId, state.region)) : undefined);
    if (blocking) return { covered: false, reason: 'check-error', error: blocking };
    return { covered: true };
  };
}

/** Whether a state is within what the scan judged, and if not, why (the error that kept its check from judging it). */
export function coverage(state: CoverageKey, result: AuditResult): Coverage {
  return scanCoverage(result)(state);
}

/**
 * Whether the scan judged this state's finding: same account, its check ran,
 * its region was audited (or, for a multi-region trail, any region was), and
 * no error of its check covers it. Only such a state can be resolved by the scan.
 */
export function inScope(state: FindingState, result: AuditResult): boolean {
  return coverage(state, result).covered;
}

/** Report order for states: severity, then check, region, resource. */
export function compareStates(a: FindingState, b: FindingState): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    a.checkId.localeCompare(b.checkId) ||
    a.region.localeCompare(b.region) ||
    a.resourceId.localeCompare(b.resourceId) ||
    a.fingerprint.localeCompare(b.fingerprint)
  );
}

const byFingerprint = (a: FindingState, b: FindingState): number => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0);

/** What a state takes from a finding seen now. */
function observed(
  finding: Finding,
  perTrail: ReadonlySet<string>,
): Pick<FindingState, 'severity' | 'message' | 'details' | 'fix' | 'arn' | 'tags'> & { multiRegionTrail?: boolean } {
  const multiRegion = finding.details?.isMultiRegion;
  return {
    severity: finding.severity,
    message: finding.message,
    ...(finding.details ? { details: { ...finding.details } } : {}),
    fix: finding.fix ?? null,
    // Always set (undefined when absent, so never written): a tag removed since the last scan is gone from the state too.
    arn: finding.resource.arn,
    tags: finding.resource.tags ? { ...finding.resource.tags } : undefined,
    ...(perTrail.has(finding.checkId) && typeof multiRegion === 'boolean' ? { multiRegionTrail: multiRegion } : {}),
  };
}

/**
 * Applies one scan of one account to the finding history: new findings
 * open, seen ones stay open (or reopen), and open ones the scan judged but
 * did not find resolve. Open states the scan could not judge are left as
 * they are. States of other accounts pass through unchanged. Pure: the
 * caller persists `states`.
 */
export function applyScan(previous: readonly FindingState[], result: AuditResult, recordedAt: string): DiffOutcome {
  const accountId = result.account.accountId;
  /** When this scan looked: scans may finish out of order, and an older look never overrides a newer one. */
  const observedAt = result.startedAt;
  const observedMs = Date.parse(observedAt);
  const seenLater = (time: string | undefined | null) => time !== undefined && time !== null && Date.parse(time) > observedMs;
  const seen = new Map<string, Finding>();
  for (const finding of result.findings) if (!seen.has(finding.fingerprint)) seen.set(finding.fingerprint, finding);

  const perTrail = perTrailChecks(result);
  const covers = scanCoverage(result, perTrail);
  const states = new Map<string, FindingState>();
  const outcome: Omit<DiffOutcome, 'states'> = { opened: [], reopened: [], resolved: [], stillOpen: [], untouched: [] };

  for (const state of previous) {
    if (states.has(state.fingerprint)) continue; // one state per fingerprint: the first wins
    const finding = state.accountId === accountId ? seen.get(state.fingerprint) : undefined;
    if (finding) {
      if (state.resolvedAt === null) {
        // Still open; what a newer scan saw of it stays.
        states.set(state.fingerprint, seenLater(state.lastSeen) ? state : { ...state, ...observed(finding, perTrail), lastSeen: observedAt });
        outcome.stillOpen.push(finding);
      } else if (!seenLater(state.resolvedScanAt ?? state.resolvedAt)) {
        // Seen by a scan at least as new as the one that resolved it (a tie goes to the one recorded last).
        const { resolvedScanAt: _resolvedBy, ...rest } = state;
        states.set(state.fingerprint, { ...rest, ...observed(finding, perTrail), lastSeen: observedAt, resolvedAt: null, reopenedAt: recordedAt });
        outcome.reopened.push(finding);
      } else {
        // A scan that started later found it fixed: this older sighting does not reopen it.
        states.set(state.fingerprint, state);
      }
      continue;
    }
    if (state.accountId !== accountId || state.resolvedAt !== null) {
      states.set(state.fingerprint, state);
      continue;
    }
    if (covers(state).covered && !seenLater(state.lastSeen)) {
      const resolved = { ...state, resolvedAt: recordedAt, resolvedScanAt: observedAt };
      states.set(state.fingerprint, resolved);
      outcome.resolved.push(resolved);
    } else {
      states.set(state.fingerprint, state);
      outcome.untouched.push(state);
    }
  }

  for (const finding of seen.values()) {
    if (states.has(finding.fingerprint)) continue;
    states.set(finding.fingerprint, {
      fingerprint: finding.fingerprint,
      checkId: finding.checkId,
      accountId: finding.accountId,
      region: finding.region,
      resourceId: finding.resource.id,
      ...observed(finding, perTrail),
      firstSeen: recordedAt,
      lastSeen: observedAt,
      resolvedAt: null,
      reopenedAt: null,
    });
    outcome.opened.push(finding);
  }

  return {
    states: [...states.values()].sort(byFingerprint),
    opened: outcome.opened.sort(compareFindings),
    reopened: outcome.reopened.sort(compareFindings),
    resolved: outcome.resolved.sort(compareStates),
    stillOpen: outcome.stillOpen.sort(compareFindings),
    untouched: outcome.untouched.sort(compareStates),
  };
}
