import {
  type Account,
  type AccountState,
  DescribeOrganizationalUnitCommand,
  ListAccountsCommand,
  ListParentsCommand,
  ListTagsForResourceCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { DigestService } from '../../src/digest/service.js';
import { createLogger } from '../../src/log.js';
import { AccountDirectory, markReported, organizationNews } from '../../src/organization/directory.js';
import { discoverAccounts, slugAlias } from '../../src/organization/discovery.js';
import { History } from '../../src/store/history.js';
import { renderDigest } from '../../src/slack/render/digest.js';
import { awsError, fakeSessions } from '../helpers/aws.js';
import { handResult } from '../helpers/results.js';
import { tempStore } from '../helpers/store.js';

const orgs = mockClient(OrganizationsClient);
const client = new OrganizationsClient({ region: 'us-east-1' });
const logger = createLogger({ format: 'json', level: 'silent' });

const account = (Id: string, Name: string, State = 'ACTIVE'): Account => ({
  Id,
  Name,
  State: State as AccountState,
  Arn: `arn:aws:organizations::111111111111:account/o-x/${Id}`,
});
const ACCOUNTS: Account[] = [
  account('222222222222', 'Payments Prod'),
  account('333333333333', 'payments prod!'),
  account('444444444444', 'Sandbox', 'SUSPENDED'),
  account('555555555555', 'List'),
  account('666666666666', '🙂'),
  // An answer from before State: only the retired Status.
  { Id: '777777777777', Name: 'Old Status', Status: 'ACTIVE' },
];

function config(extra = '') {
  return parseConfig(
    `accounts:\n  - alias: payments-prod\n    accountId: "999999999999"\n    roleArn: arn:aws:iam::999999999999:role/AuditReadOnly\norganization:\n  roleName: AuditReadOnly\n  externalId: ext-123\n  regions: [eu-west-1]\n${extra}`,
    '/x/audit.config.yml',
  );
}

beforeEach(() => {
  orgs.reset();
  orgs
    .on(ListAccountsCommand)
    .resolves({ Accounts: ACCOUNTS.slice(0, 3), NextToken: 'page-2' })
    .on(ListAccountsCommand, { NextToken: 'page-2' })
    .resolves({ Accounts: ACCOUNTS.slice(3) });
});

describe('organization discovery', () => {
  it('reads every page, keeps ACTIVE accounts, and gives each a deterministic alias, reporting every one it had to change', async () => {
    const c = config();
    const d = await discoverAccounts(c.organization!, c.accounts, client, 'aws');
    expect(orgs.commandCalls(ListAccountsCommand)).toHaveLength(2);
    expect(orgs.commandCalls(ListParentsCommand)).toHaveLength(0); // no ou: filter, no call
    expect(d.accounts.map((a) => [a.accountId, a.alias])).toEqual([
      ['222222222222', 'payments-prod-222222222222'],
      ['333333333333', 'payments-prod-333333333333'],
      ['555555555555', 'list-555555555555'],
      ['666666666666', 'account-666666666666'],
      ['777777777777', 'old-status'],
    ]);
    expect(d.renamed.map((r) => [r.id, r.why])).toEqual([
      ['222222222222', '"payments-prod" is already taken'],
      ['333333333333', '"payments-prod" is already taken'],
      ['555555555555', 'a word of /audit itself'],
      ['666666666666', 'the name gives no usable alias'],
    ]);
    expect(d.skipped).toEqual([{ id: '444444444444', name: 'Sandbox', why: 'not active (SUSPENDED)' }]);
    expect(d.accounts[0]).toEqual({
      alias: 'payments-prod-222222222222',
      accountId: '222222222222',
      roleArn: 'arn:aws:iam::222222222222:role/AuditReadOnly',
      externalId: 'ext-123',
      regions: ['eu-west-1'],
    });
  });

  it('lets an account configured by hand win, and takes an alias from a tag', async () => {
    orgs.on(ListTagsForResourceCommand).resolves({ Tags: [] });
    orgs.on(ListTagsForResourceCommand, { ResourceId: '222222222222' }).resolves({ Tags: [{ Key: 'Alias', Value: 'Pay Main' }], NextToken: 't' });
    orgs.on(ListTagsForResourceCommand, { ResourceId: '222222222222', NextToken: 't' }).resolves({ Tags: [{ Key: 'Env', Value: 'prod' }] });
    const c = parseConfig(
      `accounts:\n  - alias: legacy\n    accountId: "333333333333"\n    roleArn: arn:aws-us-gov:iam::333333333333:role/Old\norganization:\n  roleName: Audit\n  aliasFrom: tag:Alias\n`,
      '/x/audit.config.yml',
    );
    const d = await discoverAccounts(c.organization!, c.accounts, client, 'aws-us-gov');
    expect(d.accounts.find((a) => a.accountId === '222222222222')).toMatchObject({ alias: 'pay-main', roleArn: 'arn:aws-us-gov:iam::222222222222:role/Audit' });
    expect(d.accounts.some((a) => a.accountId === '333333333333')).toBe(false);
    expect(d.skipped).toContainEqual({ id: '333333333333', name: 'payments prod!', why: 'configured in accounts: (that entry wins)' });
    expect(d.renamed).toContainEqual({ id: '777777777777', wanted: 'old-status', alias: 'old-status', why: 'no Alias tag: named after the account' });
  });

  it('filters by OU path (each OU named once), account id and tag, include then exclude', async () => {
    orgs.on(ListParentsCommand).resolves({ Parents: [{ Id: 'r-root', Type: 'ROOT' }] });
    for (const id of ['222222222222', '333333333333'])
      orgs.on(ListParentsCommand, { ChildId: id }).resolves({ Parents: [{ Id: 'ou-prod', Type: 'ORGANIZATIONAL_UNIT' }] });
    orgs.on(ListParentsCommand, { ChildId: 'ou-prod' }).resolves({ Parents: [{ Id: 'ou-work', Type: 'ORGANIZATIONAL_UNIT' }] });
    orgs.on(ListParentsCommand, { ChildId: 'ou-work' }).resolves({ Parents: [{ Id: 'r-root', Type: 'ROOT' }] });
    orgs.on(DescribeOrganizationalUnitCommand, { OrganizationalUnitId: 'ou-prod' }).resolves({ OrganizationalUnit: { Id: 'ou-prod', Name: 'Prod' } });
    orgs.on(DescribeOrganizationalUnitCommand, { OrganizationalUnitId: 'ou-work' }).resolves({ OrganizationalUnit: { Id: 'ou-work', Name: 'Workloads' } });
    orgs.on(ListTagsForResourceCommand).resolves({ Tags: [] });
    orgs.on(ListTagsForResourceCommand, { ResourceId: '333333333333' }).resolves({ Tags: [{ Key: 'Environment', Value: 'sandbox-eu' }] });
    const c = config("  include: ['ou:Root/Workloads/*', 'id:5555*']\n  exclude: ['tag:Environment=sandbox*']\n");
    const d = await discoverAccounts(c.organization!, c.accounts, client, 'aws');
    expect(d.accounts.map((a) => a.accountId)).toEqual(['222222222222', '555555555555']);
    expect(d.skipped).toContainEqual({ id: '333333333333', name: 'payments prod!', why: 'excluded by tag:Environment=sandbox*' });
    expect(d.skipped).toContainEqual({ id: '666666666666', name: '🙂', why: 'matches no include filter' });
    expect(orgs.commandCalls(DescribeOrganizationalUnitCommand)).toHaveLength(2);
  });

  it('makes names into aliases people can type', () => {
    expect(slugAlias('Payments — Prod (EU)')).toBe('payments-prod-eu');
    expect(slugAlias('Café Ünïcode')).toBe('cafe-unicode');
    expect(slugAlias('---')).toBe('');
    expect(slugAlias('x'.repeat(80))).toHaveLength(63);
  });
});

describe('the account directory', () => {
  it('keeps config.accounts up to date, asks again only after refreshMinutes (or when forced), and keeps what it had when a listing fails', async () => {
    const c = config('  refreshMinutes: 30\n');
    let now = new Date('2026-12-01T09:00:00.000Z');
    const directory = new AccountDirectory(c, {
      sessions: fakeSessions(),
      timeouts: { connectMs: 1000, requestMs: 1000 },
      env: {},
      logger,
      client,
      now: () => now,
    });
    await directory.refresh();
    expect(c.accounts.map((a) => a.alias)).toEqual([
      'payments-prod',
      'payments-prod-222222222222',
      'payments-prod-333333333333',
      'list-555555555555',
      'account-666666666666',
      'old-status',
    ]);
    now = new Date('2026-12-01T09:29:00.000Z');
    await directory.refresh();
    expect(orgs.commandCalls(ListAccountsCommand)).toHaveLength(2);
    now = new Date('2026-12-01T09:31:00.000Z');
    orgs.on(ListAccountsCommand).rejects(awsError('AccessDeniedException', 'not the management account'));
    expect(await directory.refresh()).toBeUndefined();
    expect(directory.error).toBe("could not list the organization's accounts (AccessDeniedException: not the management account)");
    expect(c.accounts).toHaveLength(6);
  });

  it('tells the next digest which accounts are new to the organization and which are no longer audited, once; a member that cannot be assumed is an error entry', async () => {
    const { store } = await tempStore();
    const c = config();
    const history = new History(store);
    const directory = new AccountDirectory(c, { sessions: fakeSessions(), timeouts: { connectMs: 1000, requestMs: 1000 }, env: {}, logger, client, store });
    await directory.refresh();
    // The first discovery is the baseline: nothing is news.
    expect(organizationNews(store.data.organization.accounts, undefined)).toEqual({ joined: [], left: [] });

    orgs.reset();
    orgs
      .on(ListAccountsCommand)
      .resolves({ Accounts: [account('222222222222', 'Payments Prod'), account('888888888888', 'New Team'), account('444444444444', 'Sandbox')] });
    const digest = new DigestService({
      config: { ...c, digest: { channel: 'C0DIGEST1', schedule: '0 9 * * 1', timezone: 'UTC' } },
      checks: [],
      store,
      history,
      logger,
      render: renderDigest,
      poster: { postSummary: async (channel) => ({ channel, ts: '1.0' }), postInThread: async () => undefined, uploadInThread: async () => undefined },
      organization: { refresh: (o) => directory.refresh(o), news: (d) => organizationNews(d, directory.error), markReported },
      scan: async (a) => {
        if (a.accountId === '888888888888') throw new Error(`Cannot assume ${a.roleArn} for account "${a.alias}": AccessDenied: not authorized.`);
        const { scanId } = await history.record({ ...handResult([]), account: { alias: a.alias, accountId: a.accountId } }, a.alias);
        return { result: handResult([]), scanId };
      },
    });
    const run = await digest.run();
    expect(run.posted).toBe(true);
    // Sandbox was suspended at the first discovery: active now, it is new to the audit too.
    expect(run.digest.organization!.joined).toEqual([
      { alias: 'sandbox', accountId: '444444444444', name: 'Sandbox' },
      { alias: 'new-team', accountId: '888888888888', name: 'New Team' },
    ]);
    expect(run.digest.organization!.left.map((l) => [l.accountId, l.why])).toEqual([
      ['333333333333', 'left the organization'],
      ['555555555555', 'left the organization'],
      ['666666666666', 'left the organization'],
      ['777777777777', 'left the organization'],
    ]);
    const text = JSON.stringify(run.rendered.main.blocks);
    expect(text).toContain('*New in the organization* (2): *sandbox* (444444444444), *new-team* (888888888888)');
    expect(text).toContain('not counted as resolved');
    const failed = run.digest.accounts.find((a) => a.accountId === '888888888888')!;
    expect(failed.failure).toContain('AccessDenied');
    // Said once: the next digest has no organization news.
    expect(organizationNews(store.data.organization.accounts, undefined)).toEqual({ joined: [], left: [] });
    await store.close();
  });

  it('does not call an account "no longer audited" when it is now configured by hand', async () => {
    const { store } = await tempStore();
    const first = new AccountDirectory(config(), { sessions: fakeSessions(), timeouts: { connectMs: 1000, requestMs: 1000 }, env: {}, logger, client, store });
    await first.refresh();
    const byHand = parseConfig(
      'accounts:\n  - alias: payments\n    accountId: "222222222222"\n    roleArn: arn:aws:iam::222222222222:role/Custom\norganization:\n  roleName: AuditReadOnly\n',
      '/x/audit.config.yml',
    );
    const second = new AccountDirectory(byHand, { sessions: fakeSessions(), timeouts: { connectMs: 1000, requestMs: 1000 }, env: {}, logger, client, store });
    await second.refresh();
    expect(organizationNews(store.data.organization.accounts, undefined).left).toEqual([]);
    expect(byHand.accounts.find((a) => a.accountId === '222222222222')).toMatchObject({ alias: 'payments', roleArn: 'arn:aws:iam::222222222222:role/Custom' });
    await store.close();
  });
});
