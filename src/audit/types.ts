import type { DatasetId, DatasetTypes } from './datasets/index.js';
import type { Thresholds } from '../config.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Lower is worse: used to sort reports. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Region of a finding or error from a global check. */
export const GLOBAL_REGION = 'global';

export interface ResourceRef {
  /** CloudFormation-style type, e.g. `AWS::IAM::User`. */
  type: string;
  /** Stable identifier within the account (user name, group id, bucket name). */
  id: string;
  arn?: string;
  /**
   * The resource's tags, where the listing a check reads carries them (EC2,
   * RDS, EFS): what a config mute's `tags` matches. Absent elsewhere.
   */
  tags?: Readonly<Record<string, string>>;
}

export type DetailValue = string | number | boolean | null;

export interface Finding {
  checkId: string;
  severity: Severity;
  accountId: string;
  region: string;
  resource: ResourceRef;
  /** One line saying what is wrong, with figures. May contain AWS strings: escape before rendering. */
  message: string;
  /** Stable across scans: hash of check, account, region, resource id and sub-key. */
  fingerprint: string;
  /** Structured facts (ages, ports, user names) for renderers and the remediation actions. */
  details?: Record<string, DetailValue>;
  /** The remediation action that can fix this finding, when there is one. */
  fix?: string;
}

/** A check that could not run for a region: never a pass. */
export interface CheckError {
  checkId: string;
  region: string;
  /** AWS error code (AccessDenied, OptInRequired, ...) or one of ours. */
  code: string;
  message: string;
  /** The one resource that could not be checked (a bucket that answered AccessDenied), when not the whole check. */
  resource?: string;
}

export interface FailInput {
  resource: ResourceRef;
  message: string;
  /** Defaults to the check's severity. */
  severity?: Severity;
  /** Distinguishes several findings on one resource (a key slot, a port+CIDR). */
  subKey?: string;
  details?: Record<string, DetailValue>;
  /** Defaults to the check's `fix`; null when that action does not apply to this finding. */
  fix?: string | null;
  /**
   * Where the resource lives, when a regional check judges it from another
   * region (a multi-region trail seen in every region): the finding and its
   * fingerprint then stay the same whichever regions an audit covers.
   */
  region?: string;
}

export type Evaluation =
  | { status: 'pass'; resourceId: string }
  | { status: 'fail'; finding: Finding }
  /** One resource could not be checked; the others were. Never a pass. */
  | { status: 'error'; resourceId: string; code: string; message: string };

export interface AccountRef {
  alias: string;
  accountId: string;
}

/** What a check sees: data from the shared inventory, thresholds, the clock. No clients, no env. */
export interface CheckContext {
  account: AccountRef;
  /** The region being checked, or `global`. */
  region: string;
  /**
   * Every region this audit covers, in order (empty when only global checks
   * run): a check that sees one resource from many regions (a multi-region
   * trail) judges it in one of them.
   */
  regions: readonly string[];
  now: Date;
  thresholds: Thresholds;
  inventory: ScopedInventory;
  pass(resourceId: string): Evaluation;
  fail(input: FailInput): Evaluation;
  /** One resource could not be read (AccessDenied on one bucket): an error entry for it, the check goes on. */
  error(resourceId: string, error: unknown): Evaluation;
}

export interface ScopedInventory {
  /**
   * Loads (once per audit) a dataset the check declared in `uses`, for the
   * check's region; `region` asks for another audited region's copy (the one
   * that region's checks share), for an account-wide verdict a regional check
   * gives once from all of them.
   */
  get<K extends DatasetId>(id: K, region?: string): Promise<DatasetTypes[K]>;
}

export interface CheckReferences {
  /** CIS AWS Foundations Benchmark v5.0 control. */
  cis?: string;
  /** AWS Security Hub (Foundational Security Best Practices) control. */
  securityHub?: string;
}

export interface Check {
  /** Stable: mutes, history and file names reference it. */
  id: string;
  title: string;
  service: string;
  scope: 'global' | 'regional';
  severity: Severity;
  /** Why it matters, in a sentence or two. */
  description: string;
  references: CheckReferences;
  remediation: string;
  /** Optional remediation action id. */
  fix?: string;
  /** The datasets it reads; the runner prefetches them and refuses any other. */
  uses: readonly DatasetId[];
  /**
   * `trail`: it judges each CloudTrail trail once, wherever the audit first
   * sees it, and its findings carry the trail's home region (a multi-region
   * trail is seen from every region). The history then counts an audit of
   * any region as having judged it.
   */
  judgedPer?: 'trail';
  /**
   * False when the configuration turns the check off (no required tags
   * configured): it then reads nothing and evaluates nothing, but stays in the
   * audit's scope so its old findings resolve.
   */
  enabled?(thresholds: Thresholds): boolean;
  run(ctx: CheckContext): Promise<Evaluation[]> | Evaluation[];
}

export interface CheckStats {
  passed: number;
  failed: number;
  errors: number;
}

export interface AuditStats {
  durationMs: number;
  apiCalls: number;
  /** Calls by `service:Operation`. */
  apiCallsByOperation: Record<string, number>;
  /** HTTP requests those calls took: the SDK retries throttling, 5xx answers, resets and timeouts. */
  httpAttempts: number;
  /** `httpAttempts - apiCalls`: the retries. */
  retries: number;
  checksRun: number;
  byCheck: Record<string, CheckStats>;
}

export interface AuditScope {
  checkIds: string[];
  /** Regions audited; `global` when global checks ran. */
  regions: string[];
  /** Regions that were asked for but are not enabled for the account. */
  skippedRegions: { region: string; reason: string }[];
  /**
   * Checks that could not run in a region because AWS does not offer their
   * service there (Security Hub in a new region): not errors, not passes.
   * Absent in scans recorded before it existed.
   */
  skippedChecks?: { checkId: string; region: string; reason: string }[];
  /** Checks among `checkIds` that judge per trail ({@link Check.judgedPer}). Absent in scans recorded before it existed. */
  perTrailChecks?: string[];
}

export interface AuditResult {
  account: AccountRef;
  startedAt: string;
  findings: Finding[];
  errors: CheckError[];
  scope: AuditScope;
  stats: AuditStats;
}

export interface AuditProgress {
  done: number;
  total: number;
  checkId?: string;
  region?: string;
}
