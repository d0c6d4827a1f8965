import PQueue from 'p-queue';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { partitionOfArn } from '../aws/partition.js';
import { listOrganizationAccounts, organizationPath, organizationTags, type OrganizationAccount } from '../aws/organizations.js';
import { RESERVED_ALIASES, type AccountConfig, type Config, type OrganizationConfig } from '../config.js';
import { wildcardMatch } from '../wildcard.js';

/** What discovery found: the accounts to audit, and what it left out or renamed, and why (for `accounts` and the log). */
export interface Discovery {
  accounts: AccountConfig[];
  /** Accounts of the organization not audited: not ACTIVE, filtered out, or configured by hand (which wins). */
  skipped: { id: string; name: string; why: string }[];
  /** Aliases that could not be the one the name or tag gave: taken, reserved, or empty. */
  renamed: { id: string; wanted: string; alias: string; why: string }[];
  /** Every listed account's name, by id. */
  names: Map<string, string>;
}

/** The Organizations calls discovery makes (the client's `send`), at most this many at once: its API allows few per second. */
const CONCURRENCY = 4;
const ALIAS = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** An account name as an alias: lower case, runs of anything but a-z 0-9 _ - made one `-`, at most 63 characters. */
export function slugAlias(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 63)
    .replace(/[-_]+$/, '');
}

interface Facts {
  account: OrganizationAccount;
  path?: string;
  tags?: Record<string, string>;
}

function matches(filter: string, f: Facts): boolean {
  const colon = filter.indexOf(':');
  const kind = filter.slice(0, colon);
  const value = filter.slice(colon + 1);
  if (kind === 'id') return wildcardMatch(value, f.account.id);
  if (kind === 'name') return wildcardMatch(value, f.account.name);
  if (kind === 'ou') return f.path !== undefined && wildcardMatch(value, f.path);
  const eq = value.indexOf('=');
  const key = eq === -1 ? value : value.slice(0, eq);
  const tag = f.tags && Object.hasOwn(f.tags, key) ? f.tags[key] : undefined;
  return tag !== undefined && (eq === -1 || wildcardMatch(value.slice(eq + 1), tag));
}

/** The partition member roles are in: the listing role's, else the configured accounts', else aws. */
export function organizationPartition(config: Pick<Config, 'organization' | 'accounts'>): string {
  const arn = config.organization?.roleArn ?? config.accounts[0]?.roleArn;
  return arn ? partitionOfArn(arn) : 'aws';
}

/**
 * The organization's accounts as accounts to audit: ACTIVE ones, filtered by
 * `include` (any may match) and `exclude` (none may), each through
 * `arn:<partition>:iam::<id>:role/<roleName>`. ListParents and
 * ListTagsForResource are called only when a filter or the alias needs them.
 * Accounts configured by hand win (by id), and keep their aliases; an alias
 * already taken (by hand, by an account of lower id, or a word of /audit) is
 * made `<alias>-<account id>`; every such choice is reported.
 */
export async function discoverAccounts(
  org: OrganizationConfig,
  configured: readonly AccountConfig[],
  client: Pick<OrganizationsClient, 'send'>,
  partition: string,
): Promise<Discovery> {
  const listed = await listOrganizationAccounts(client);
  const skipped: Discovery['skipped'] = [];
  const byHand = new Set(configured.map((a) => a.accountId));
  const filters = [...(org.include ?? []), ...org.exclude];
  const needPath = filters.some((f) => f.startsWith('ou:'));
  const tagKey = org.aliasFrom.startsWith('tag:') ? org.aliasFrom.slice(4) : undefined;
  const needTags = tagKey !== undefined || filters.some((f) => f.startsWith('tag:'));
  const cache = { parents: new Map(), names: new Map() };
  const queue = new PQueue({ concurrency: CONCURRENCY });
  const candidates = listed
    .filter((a) => {
      if (a.state !== 'ACTIVE') skipped.push({ id: a.id, name: a.name, why: `not active (${a.state})` });
      else if (byHand.has(a.id)) skipped.push({ id: a.id, name: a.name, why: 'configured in accounts: (that entry wins)' });
      else return true;
      return false;
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const facts = await Promise.all(
    candidates.map((account) =>
      queue.add(
        async (): Promise<Facts> => ({
          account,
          ...(needPath ? { path: await organizationPath(client, account.id, cache) } : {}),
          ...(needTags ? { tags: await organizationTags(client, account.id) } : {}),
        }),
      ),
    ),
  );
  const taken = new Set<string>([...configured.map((a) => a.alias), ...RESERVED_ALIASES]);
  const renamed: Discovery['renamed'] = [];
  const accounts: AccountConfig[] = [];
  for (const f of facts as Facts[]) {
    if (org.include && !org.include.some((filter) => matches(filter, f))) {
      skipped.push({ id: f.account.id, name: f.account.name, why: 'matches no include filter' });
      continue;
    }
    const excludedBy = org.exclude.find((filter) => matches(filter, f));
    if (excludedBy) {
      skipped.push({ id: f.account.id, name: f.account.name, why: `excluded by ${excludedBy}` });
      continue;
    }
    const fromTag = tagKey !== undefined && f.tags && Object.hasOwn(f.tags, tagKey) ? f.tags[tagKey] : undefined;
    const wanted = slugAlias(fromTag ?? f.account.name);
    let alias = wanted;
    let why: string | undefined;
    if (tagKey !== undefined && fromTag === undefined) why = `no ${tagKey} tag: named after the account`;
    if (!ALIAS.test(alias)) {
      why = 'the name gives no usable alias';
      alias = `account-${f.account.id}`;
    } else if (taken.has(alias)) {
      why = RESERVED_ALIASES.includes(alias) ? 'a word of /audit itself' : `"${alias}" is already taken`;
      alias = `${alias.slice(0, 50).replace(/[-_]+$/, '')}-${f.account.id}`;
    }
    if (why) renamed.push({ id: f.account.id, wanted, alias, why });
    taken.add(alias);
    accounts.push({
      alias,
      accountId: f.account.id,
      roleArn: `arn:${partition}:iam::${f.account.id}:role/${org.roleName}`,
      ...(org.externalId ? { externalId: org.externalId } : {}),
      ...(org.regions ? { regions: [...org.regions] } : {}),
    });
  }
  return { accounts, skipped, renamed, names: new Map(listed.map((a) => [a.id, a.name])) };
}
