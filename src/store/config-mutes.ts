import { createHash, randomUUID } from 'node:crypto';
import type { Finding } from '../audit/types.js';
import { closestNames, didYouMean, type Config, type ConfigMute } from '../config.js';
import { AuditBotError } from '../errors.js';
import { wildcardMatch } from '../wildcard.js';
import type { FindingState } from './diff.js';
import { CONFIG_MUTER, endOfDay, isActive, isConfigMute } from './mutes.js';
import type { MuteRecord } from './records.js';

/**
 * Mutes as code: the config's `mutes:` entries, matched against findings. A
 * finding a rule matches is muted like one muted from Slack: the history
 * keeps a mute record for it (from `config`, with the rule's reason and end),
 * so every report, the digest and `/audit mutes` treat both alike; when the
 * rule ends, is changed or is removed, the record ends and the finding
 * resurfaces.
 */
export interface ConfigMuteRule extends ConfigMute {
  /** `mutes[2]`: where it is in the config file. */
  label: string;
  /** Stable while the entry is unchanged; any edit makes it another rule. */
  key: string;
  /** When it ends: the start of the day after `until`, in the digest's time zone. */
  expiresAt: string;
}

/** What a rule is matched against: a finding of an audit, or a state of the history. */
export interface MuteTarget {
  checkId: string;
  accountId: string;
  /** The account's aliases (a rule's `account` is an alias or an id). */
  aliases: readonly string[];
  region: string;
  resourceId: string;
  arn?: string | undefined;
  tags?: Readonly<Record<string, string>> | undefined;
}

function ruleKey(mute: ConfigMute): string {
  const tags = mute.tags ? Object.entries(mute.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : null;
  const canonical = JSON.stringify([mute.check ?? null, mute.account ?? null, mute.region ?? null, mute.resource ?? null, tags, mute.reason, mute.until]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/**
 * The config's mutes as rules. A `check` that matches no check is a typo (it
 * would mute nothing, silently): refused like any config error, with the
 * checks meant.
 */
export function compileConfigMutes(
  mutes: readonly ConfigMute[],
  options: { checkIds: readonly string[]; timeZone: string; sourcePath?: string },
): ConfigMuteRule[] {
  const problems: string[] = [];
  const rules = mutes.map((mute, i) => {
    const label = `mutes[${i}]`;
    if (mute.check !== undefined && !options.checkIds.some((id) => wildcardMatch(mute.check!, id))) {
      const close = didYouMean(closestNames(mute.check, options.checkIds));
      problems.push(`${label}.check: "${mute.check}" matches no check${close ? `; ${close}` : ' (aws-audit-bot checks lists them)'}`);
    }
    return { ...mute, label, key: ruleKey(mute), expiresAt: endOfDay(mute.until, options.timeZone) };
  });
  if (problems.length > 0) {
    throw new AuditBotError(
      'CONFIG_INVALID',
      `${options.sourcePath ?? 'The config'} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}`,
    );
  }
  return rules;
}

/** The config's mutes as rules for these checks, ending in the digest's time zone (UTC without a digest). */
export function configMuteRules(config: Pick<Config, 'mutes' | 'digest' | 'sourcePath'>, checkIds: readonly string[]): ConfigMuteRule[] {
  return compileConfigMutes(config.mutes, { checkIds, timeZone: config.digest?.timezone ?? 'UTC', sourcePath: config.sourcePath });
}

/** The aliases each account id goes by, as the config's accounts are now (discovery changes them: the map is rebuilt then). */
export function aliasesByAccount(config: Pick<Config, 'accounts'>): (accountId: string) => readonly string[] {
  let byId = new Map<string, string[]>();
  let seen: { length: number; last: unknown } | undefined;
  return (accountId) => {
    const accounts = config.accounts;
    if (!seen || seen.length !== accounts.length || seen.last !== accounts.at(-1)) {
      byId = new Map();
      for (const a of accounts) byId.set(a.accountId, [...(byId.get(a.accountId) ?? []), a.alias]);
      seen = { length: accounts.length, last: accounts.at(-1) };
    }
    return byId.get(accountId) ?? [];
  };
}

/** Whether every field the rule gives matches (globs as --check's; a tag must be there with a matching value). */
export function ruleMatches(rule: ConfigMute, target: MuteTarget): boolean {
  if (rule.check !== undefined && !wildcardMatch(rule.check, target.checkId)) return false;
  if (rule.account !== undefined && !wildcardMatch(rule.account, target.accountId) && !target.aliases.some((a) => wildcardMatch(rule.account!, a)))
    return false;
  if (rule.region !== undefined && !wildcardMatch(rule.region, target.region)) return false;
  if (
    rule.resource !== undefined &&
    !wildcardMatch(rule.resource, target.resourceId) &&
    !(target.arn !== undefined && wildcardMatch(rule.resource, target.arn))
  )
    return false;
  for (const [key, value] of Object.entries(rule.tags ?? {})) {
    const actual = target.tags && Object.hasOwn(target.tags, key) ? target.tags[key] : undefined;
    if (actual === undefined || !wildcardMatch(value, actual)) return false;
  }
  return true;
}

/** The first rule in force at `at` that matches, if any. */
export function configMuteOf(rules: readonly ConfigMuteRule[], target: MuteTarget, at: Date): ConfigMuteRule | undefined {
  return rules.find((r) => Date.parse(r.expiresAt) > at.getTime() && ruleMatches(r, target));
}

export function findingTarget(finding: Finding, aliasesOf: (accountId: string) => readonly string[]): MuteTarget {
  return {
    checkId: finding.checkId,
    accountId: finding.accountId,
    aliases: aliasesOf(finding.accountId),
    region: finding.region,
    resourceId: finding.resource.id,
    arn: finding.resource.arn,
    tags: finding.resource.tags,
  };
}

export function stateTarget(state: FindingState, aliasesOf: (accountId: string) => readonly string[]): MuteTarget {
  return {
    checkId: state.checkId,
    accountId: state.accountId,
    aliases: aliasesOf(state.accountId),
    region: state.region,
    resourceId: state.resourceId,
    arn: state.arn,
    tags: state.tags,
  };
}

/** What a sync changes: mutes from the config that end (removed, changed, no longer matching), and new ones. */
export interface ConfigMuteSync {
  end: { mute: MuteRecord; replacedBy?: string }[];
  add: MuteRecord[];
}

/**
 * Brings the history's mutes from the config in line with the rules, at
 * `now`: each open finding a rule in force matches has a mute from that rule;
 * a mute whose rule is gone, changed, or no longer matches its finding ends
 * (and the finding resurfaces), unless a changed rule still matches it (then
 * the new mute replaces the old: nothing resurfaces). Pure: says what to change.
 */
export function planConfigMuteSync(
  findings: readonly FindingState[],
  mutes: readonly MuteRecord[],
  rules: readonly ConfigMuteRule[],
  aliasesOf: (accountId: string) => readonly string[],
  now: Date,
): ConfigMuteSync {
  const wanted = new Map<string, { rule: ConfigMuteRule; state: FindingState }>();
  for (const state of findings) {
    const rule = configMuteOf(rules, stateTarget(state, aliasesOf), now);
    if (rule) wanted.set(state.fingerprint, { rule, state });
  }
  const plan: ConfigMuteSync = { end: [], add: [] };
  const held = new Map<string, MuteRecord>();
  for (const mute of mutes) {
    if (!isConfigMute(mute) || !isActive(mute, now)) continue;
    const want = wanted.get(mute.fingerprint)?.rule;
    if (want && want.key === mute.rule && want.expiresAt === mute.expiresAt) held.set(mute.fingerprint, mute);
    else plan.end.push({ mute });
  }
  for (const [fingerprint, { rule, state }] of wanted) {
    // A resolved finding needs no new mute (one it still has stays until the rule ends).
    if (held.has(fingerprint) || state.resolvedAt !== null) continue;
    plan.add.push({
      id: randomUUID(),
      fingerprint,
      accountId: state.accountId,
      reason: rule.reason,
      mutedBy: CONFIG_MUTER,
      mutedAt: now.toISOString(),
      expiresAt: rule.expiresAt,
      unmutedBy: null,
      unmutedAt: null,
      source: 'config',
      rule: rule.key,
      label: rule.label,
    });
  }
  const added = new Map(plan.add.map((m) => [m.fingerprint, m.id]));
  for (const ending of plan.end) {
    const by = added.get(ending.mute.fingerprint);
    if (by) ending.replacedBy = by;
  }
  return plan;
}

/** The mutes a plan writes: those it ends (of `mutes`, the ones it was planned on), then the new ones. */
export function configMuteChanges(mutes: readonly MuteRecord[], plan: ConfigMuteSync, now: Date): MuteRecord[] {
  const ending = new Map(plan.end.map((e) => [e.mute.id, e]));
  const ended: MuteRecord[] = [];
  for (const mute of mutes) {
    const e = ending.get(mute.id);
    if (!e) continue;
    ended.push({ ...mute, unmutedAt: now.toISOString(), unmutedBy: CONFIG_MUTER, ...(e.replacedBy ? { replacedBy: e.replacedBy } : {}) });
  }
  return [...ended, ...plan.add];
}

/** How a rule stands against the history: the open findings it mutes now, or why it mutes none. */
export type RuleStanding =
  | { rule: ConfigMuteRule; status: 'matching'; open: number }
  | { rule: ConfigMuteRule; status: 'stale' }
  | { rule: ConfigMuteRule; status: 'ended' };

export function ruleStandings(
  findings: readonly FindingState[],
  rules: readonly ConfigMuteRule[],
  aliasesOf: (accountId: string) => readonly string[],
  now: Date,
): RuleStanding[] {
  return rules.map((rule) => {
    if (Date.parse(rule.expiresAt) <= now.getTime()) return { rule, status: 'ended' };
    const open = findings.filter((s) => s.resolvedAt === null && ruleMatches(rule, stateTarget(s, aliasesOf))).length;
    return open > 0 ? { rule, status: 'matching', open } : { rule, status: 'stale' };
  });
}
