import {
  DescribeOrganizationalUnitCommand,
  ListAccountsCommand,
  ListParentsCommand,
  ListTagsForResourceCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { collectPages } from './paginate.js';

/** An account as AWS Organizations lists it. */
export interface OrganizationAccount {
  id: string;
  name: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED (`State`; the retired `Status` when only it is there). */
  state: string;
}

type Client = Pick<OrganizationsClient, 'send'>;

/** Every account of the organization (ListAccounts, every page). */
export async function listOrganizationAccounts(client: Client): Promise<OrganizationAccount[]> {
  const accounts = await collectPages(async (NextToken) => {
    const page = await client.send(new ListAccountsCommand({ ...(NextToken ? { NextToken } : {}) }));
    return { items: page.Accounts, next: page.NextToken };
  });
  return accounts.flatMap((a) => (a.Id ? [{ id: a.Id, name: a.Name ?? '', state: String(a.State ?? a.Status ?? 'UNKNOWN') }] : []));
}

/** The tags of an account (ListTagsForResource, every page). */
export async function organizationTags(client: Client, accountId: string): Promise<Record<string, string>> {
  const tags = await collectPages(async (NextToken) => {
    const page = await client.send(new ListTagsForResourceCommand({ ResourceId: accountId, ...(NextToken ? { NextToken } : {}) }));
    return { items: page.Tags, next: page.NextToken };
  });
  return Object.fromEntries(tags.flatMap((t) => (t.Key ? [[t.Key, t.Value ?? ''] as const] : [])));
}

/**
 * Where an account sits, by name: `Root/Workloads/Prod`. Walks ListParents up
 * to the root, naming each organizational unit once (DescribeOrganizationalUnit,
 * remembered in `names` across accounts; parents likewise in `parents`).
 */
export async function organizationPath(
  client: Client,
  accountId: string,
  cache: { parents: Map<string, Promise<{ id: string; type: string }>>; names: Map<string, Promise<string>> },
): Promise<string> {
  const parentOf = (id: string) => {
    let known = cache.parents.get(id);
    if (!known) {
      known = client.send(new ListParentsCommand({ ChildId: id })).then((r) => {
        const parent = r.Parents?.[0];
        if (!parent?.Id || !parent.Type) throw new Error(`ListParents named no parent of ${id}`);
        return { id: parent.Id, type: parent.Type };
      });
      cache.parents.set(id, known);
    }
    return known;
  };
  const nameOf = (id: string) => {
    let known = cache.names.get(id);
    if (!known) {
      known = client.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: id })).then((r) => r.OrganizationalUnit?.Name ?? id);
      cache.names.set(id, known);
    }
    return known;
  };
  const names: string[] = [];
  let at = accountId;
  // An organization is at most five levels of OUs deep; the bound stops a service that answers in a circle.
  for (let depth = 0; depth < 10; depth++) {
    const parent = await parentOf(at);
    if (parent.type === 'ROOT') return ['Root', ...names.reverse()].join('/');
    names.push(await nameOf(parent.id));
    at = parent.id;
  }
  throw new Error(`ListParents did not reach the root from ${accountId}`);
}
