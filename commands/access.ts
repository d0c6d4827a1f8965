import type { AccountConfig, Config } from '../src/config.js';
import { errorMessage } from '../src/errors.js';
import { escapeMrkdwn, inlineMrkdwn } from '../src/slack/render/mrkdwn.js';

/** Where a report goes: the channel, or only to the person who asked. */
export type ReportPlacement = 'channel' | 'ephemeral';

/** `reason` is mrkdwn meant for the requester (ephemeral); echoed values are escaped. */
export type AccessDecision = { allowed: true; postIn: ReportPlacement } | { allowed: false; reason: string };

export type AuditorCheck = { allowed: true } | { allowed: false; reason: string };

export interface AccessControlOptions {
  config: Config;
  /** Member user ids of a user group (Slack's `usergroups.users.list`); rejects when Slack cannot answer. */
  usergroupMembers: (groupId: string) => Promise<string[]>;
  /** Milliseconds since the epoch; injected in tests. */
  now?: () => number;
  /** How long a group's members are trusted before they are fetched again. */
  ttlMs?: number;
}

export const DEFAULT_GROUP_TTL_MS = 5 * 60 * 1000;

const ASK_TO_BE_ADDED = 'Ask whoever runs the bot to add you (or a user group of yours) to `access.auditors`.';

/** Slack user group ids start with S; user ids with U or W. */
function isGroupId(id: string): boolean {
  return id.startsWith('S');
}

/**
 * The report goes in the channel when the account may be audited from it (no
 * `channels` list, or this channel is on it); anywhere else only the requester sees it.
 */
export function reportPlacement(account: AccountConfig, channelId: string): ReportPlacement {
  return account.channels === undefined || account.channels.includes(channelId) ? 'channel' : 'ephemeral';
}

interface CachedGroup {
  members: ReadonlySet<string>;
  expiresAt: number;
}

/** Who may audit which account, and where the report goes. Never allows on an error. */
export class AccessControl {
  private readonly config: Config;
  private readonly usergroupMembers: (groupId: string) => Promise<string[]>;
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly cache = new Map<string, CachedGroup>();
  private readonly inFlight = new Map<string, Promise<ReadonlySet<string>>>();

  constructor(options: AccessControlOptions) {
    this.config = options.config;
    this.usergroupMembers = options.usergroupMembers;
    this.now = options.now ?? Date.now;
    this.ttlMs = options.ttlMs ?? DEFAULT_GROUP_TTL_MS;
  }

  /** Whether the user may run audits at all (`access.auditors`; omitted = everyone). */
  async checkAuditor(userId: string): Promise<AuditorCheck> {
    const auditors = this.config.access.auditors;
    if (auditors === undefined || auditors.includes(userId)) return { allowed: true };
    const groups = auditors.filter(isGroupId);
    if (groups.length === 0) return { allowed: false, reason: `You may not run audits with this bot. ${ASK_TO_BE_ADDED}` };

    // A fresh cached group that has the user answers without asking Slack at all.
    const now = this.now();
    const stale: string[] = [];
    for (const group of groups) {
      const cached = this.cache.get(group);
      if (cached && cached.expiresAt > now) {
        if (cached.members.has(userId)) return { allowed: true };
      } else {
        stale.push(group);
      }
    }
    const results = await Promise.allSettled(stale.map((group) => this.members(group)));
    if (results.some((r) => r.status === 'fulfilled' && r.value.has(userId))) return { allowed: true };
    const failed = stale.flatMap((group, i) => {
      const r = results[i]!;
      return r.status === 'rejected' ? [{ group, error: r.reason as unknown }] : [];
    });
    if (failed.length > 0) {
      const names = failed.map((f) => `\`${escapeMrkdwn(f.group)}\``).join(', ');
      const cause = inlineMrkdwn(errorMessage(failed[0]!.error), 200);
      return {
        allowed: false,
        reason:
          `I could not check whether you are in the user group${failed.length === 1 ? '' : 's'} ${names} (the lookup failed: ${cause}), so I cannot let you audit right now. ` +
          'Try again in a minute; if it keeps failing, tell whoever runs the bot (reading user groups needs the `usergroups:read` scope).',
      };
    }
    return { allowed: false, reason: `You may not run audits with this bot. ${ASK_TO_BE_ADDED}` };
  }

  /** Whether this user may audit this account from this channel, and where the report goes. */
  async decide(userId: string, channelId: string, account: AccountConfig): Promise<AccessDecision> {
    const auditor = await this.checkAuditor(userId);
    if (!auditor.allowed) return auditor;
    return { allowed: true, postIn: reportPlacement(account, channelId) };
  }

  /**
   * The accounts this user may audit from this channel; empty when the user is
   * not an auditor or membership could not be checked (`checkAuditor` says why).
   * An auditor may audit every account from anywhere; `reportPlacement` says
   * which reports would be posted only to them.
   */
  async auditableAccounts(userId: string, _channelId: string): Promise<AccountConfig[]> {
    const auditor = await this.checkAuditor(userId);
    // `channels` only decides where the report goes, so an auditor may audit every account from any channel.
    return auditor.allowed ? [...this.config.accounts] : [];
  }

  /** Whether the user may press remediation buttons (`access.remediators`, user ids only; omitted = nobody). */
  isRemediator(userId: string): boolean {
    return this.config.access.remediators.includes(userId);
  }

  /** Members of a group, from the cache while fresh; one Slack call per group at a time; failures are not kept. */
  private members(group: string): Promise<ReadonlySet<string>> {
    const cached = this.cache.get(group);
    if (cached && cached.expiresAt > this.now()) return Promise.resolve(cached.members);
    const pending = this.inFlight.get(group);
    if (pending) return pending;
    // Through a microtask so that even a synchronous throw settles after the promise is registered (and then removed).
    const lookup = Promise.resolve()
      .then(() => this.usergroupMembers(group))
      .then((ids) => {
        const members: ReadonlySet<string> = new Set(ids);
        this.cache.set(group, { members, expiresAt: this.now() + this.ttlMs });
        return members;
      })
      .finally(() => this.inFlight.delete(group));
    this.inFlight.set(group, lookup);
    return lookup;
  }
}

/** Auditors may mute and unmute; so may remediators. */
export async function mayMute(access: AccessControl, userId: string): Promise<AuditorCheck> {
  if (access.isRemediator(userId)) return { allowed: true };
  const auditor = await access.checkAuditor(userId);
  return auditor.allowed ? auditor : { allowed: false, reason: auditor.reason.replace('run audits', 'mute findings') };
}
