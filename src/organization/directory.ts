import { AwsClients } from '../aws/clients.js';
import { homeRegionOf } from '../aws/partition.js';
import { roleSessionName, type RoleSessions } from '../aws/session.js';
import type { HttpTimeouts } from '../aws/timeouts.js';
import type { AccountConfig, Config } from '../config.js';
import { awsErrorCode, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { OrganizationAccount, Store } from '../store/contract.js';
import { discoverAccounts, organizationPartition, type Discovery } from './discovery.js';

/** What the digest says of the organization: accounts new to it, accounts no longer audited, or that it could not be listed. */
export interface OrganizationNews {
  joined: { alias: string; accountId: string; name: string }[];
  left: { alias: string; accountId: string; name: string; why: string }[];
  /** Discovery failed: the accounts known before were audited. */
  error?: string;
}

export interface AccountDirectoryOptions {
  sessions: RoleSessions;
  timeouts: HttpTimeouts;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Where accounts new to the organization and those no longer audited are remembered (the bot's; not the terminal's). */
  store?: Store;
  now?: () => Date;
  /** The Organizations client (tests); one signed with `organization.roleArn` or the bot's own credentials otherwise. */
  client?: Parameters<typeof discoverAccounts>[2];
}

/**
 * The accounts to audit: those configured by hand, and the organization's as
 * discovery last found them. It keeps `config.accounts` itself up to date
 * (configured first, then discovered), so every part that reads the config's
 * accounts sees the organization's too. Discovery runs at most every
 * `organization.refreshMinutes` unless forced (`/audit list`, the digest);
 * when it fails, the accounts found before stay, and the failure is told.
 */
export class AccountDirectory {
  private readonly configured: readonly AccountConfig[];
  private last: { at: number; discovery: Discovery } | undefined;
  private pending: Promise<Discovery | undefined> | undefined;
  /** Why the last discovery failed, until one succeeds. */
  error: string | undefined;
  private readonly now: () => Date;

  constructor(
    private readonly config: Config,
    private readonly options: AccountDirectoryOptions,
  ) {
    this.configured = [...config.accounts];
    this.now = options.now ?? (() => new Date());
  }

  /** The last discovery (what it skipped and renamed), if one succeeded. */
  get discovery(): Discovery | undefined {
    return this.last?.discovery;
  }

  /** Discovers again when forced or when the last discovery is older than refreshMinutes; one at a time. */
  async refresh(options: { force?: boolean } = {}): Promise<Discovery | undefined> {
    const org = this.config.organization;
    if (!org) return undefined;
    const fresh = this.last && this.now().getTime() - this.last.at < org.refreshMinutes * 60_000;
    if (fresh && !options.force) return this.last!.discovery;
    this.pending ??= this.discover().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async discover(): Promise<Discovery | undefined> {
    const org = this.config.organization!;
    const partition = organizationPartition({ organization: org, accounts: [...this.configured] });
    const clients = this.options.client
      ? undefined
      : new AwsClients({
          ...(org.roleArn
            ? {
                credentials: this.options.sessions.provider(
                  { alias: 'organization', roleArn: org.roleArn, externalId: org.externalId },
                  roleSessionName('discovery'),
                ),
              }
            : {}),
          homeRegion: homeRegionOf(partition),
          concurrency: 4,
          env: this.options.env,
          timeouts: this.options.timeouts,
        });
    try {
      const discovery = await discoverAccounts(org, this.configured, this.options.client ?? clients!.organizations(), partition);
      this.config.accounts.splice(0, this.config.accounts.length, ...this.configured, ...discovery.accounts);
      this.last = { at: this.now().getTime(), discovery };
      this.error = undefined;
      await this.remember(discovery);
      this.options.logger.info(
        { discovered: discovery.accounts.length, skipped: discovery.skipped.length, renamed: discovery.renamed.length },
        'organization accounts discovered',
      );
      for (const r of discovery.renamed)
        this.options.logger.warn({ accountId: r.id, wanted: r.wanted, alias: r.alias, why: r.why }, 'organization account renamed');
      return discovery;
    } catch (error) {
      this.error = `could not list the organization's accounts (${awsErrorCode(error) ?? 'Error'}: ${errorMessage(error)})`;
      this.options.logger.error({ err: this.error, known: this.config.accounts.length }, 'organization discovery failed; auditing the accounts known before');
      return undefined;
    } finally {
      clients?.destroy();
    }
  }

  /** Records accounts new to the history's list and those no longer found (the first discovery is the baseline: nothing is news). */
  private async remember(discovery: Discovery): Promise<void> {
    const store = this.options.store;
    if (!store) return;
    const at = this.now().toISOString();
    const known = await store.organizationAccounts();
    const baseline = Object.keys(known).length === 0;
    const found = new Map(discovery.accounts.map((a) => [a.accountId, a]));
    // Configured by hand now: still audited (through that entry), so not "no longer audited".
    const byHand = new Set(this.configured.map((a) => a.accountId));
    const skipped = new Map(discovery.skipped.map((s) => [s.id, s]));
    const changes =
      [...found.keys()].some((id) => !known[id] || known[id]!.leftAt !== null) ||
      Object.entries(known).some(([id, k]) => k.leftAt === null && !found.has(id) && !byHand.has(id));
    if (!changes) return;
    await store.transaction(
      async (tx) => {
        const accounts = await tx.organizationAccounts();
        const changed: Record<string, OrganizationAccount> = {};
        for (const [id, a] of found) {
          const k = accounts[id];
          if (!k || k.leftAt !== null)
            changed[id] = { alias: a.alias, name: discovery.names.get(id) ?? '', firstSeen: at, leftAt: null, joinedReported: baseline, leftReported: false };
          else if (k.alias !== a.alias) changed[id] = { ...k, alias: a.alias };
        }
        for (const [id, k] of Object.entries(accounts)) {
          if (k.leftAt !== null || found.has(id) || byHand.has(id)) continue;
          const s = skipped.get(id);
          changed[id] = { ...k, leftAt: at, leftWhy: s ? s.why : 'left the organization', leftReported: false };
        }
        await tx.putOrganizationAccounts(changed);
      },
      { lock: ['organization'] },
    );
  }
}

/** What the next digest says of the organization (news not yet reported), from the history. */
export function organizationNews(accounts: Readonly<Record<string, OrganizationAccount>>, error: string | undefined): OrganizationNews {
  const entries = Object.entries(accounts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    joined: entries.filter(([, k]) => k.leftAt === null && !k.joinedReported).map(([id, k]) => ({ alias: k.alias, accountId: id, name: k.name })),
    left: entries
      .filter(([, k]) => k.leftAt !== null && !k.leftReported)
      .map(([id, k]) => ({ alias: k.alias, accountId: id, name: k.name, why: k.leftWhy ?? 'left the organization' })),
    ...(error ? { error } : {}),
  };
}

/** The accounts whose news a posted digest carried, marked as said (written in the digest's cursor write). */
export function markReported(accounts: Readonly<Record<string, OrganizationAccount>>, news: OrganizationNews): Record<string, OrganizationAccount> {
  const said: Record<string, OrganizationAccount> = {};
  for (const j of news.joined) {
    const k = accounts[j.accountId];
    if (k) said[j.accountId] = { ...k, ...said[j.accountId], joinedReported: true };
  }
  for (const l of news.left) {
    const k = accounts[l.accountId];
    if (k) said[l.accountId] = { ...k, ...said[l.accountId], leftReported: true };
  }
  return said;
}
