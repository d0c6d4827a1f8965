import { describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../src/config.js';
import { AccessControl, DEFAULT_GROUP_TTL_MS, reportPlacement } from '../../commands/access.js';

const ACCOUNTS = `
accounts:
  - alias: sandbox
    accountId: "111111111111"
    roleArn: arn:aws:iam::111111111111:role/AuditReadOnly
  - alias: prod
    accountId: "222222222222"
    roleArn: arn:aws:iam::222222222222:role/AuditReadOnly
    channels: [C0PRODSEC, C0PRODOPS]
`;

function config(access = ''): Config {
  return parseConfig(`${ACCOUNTS}${access}`, '/x/audit.config.yml');
}

function account(config: Config, alias: string) {
  const found = config.accounts.find((a) => a.alias === alias);
  if (!found) throw new Error(alias);
  return found;
}

/** A `usergroups.users.list` stand-in that counts calls per group and can be held open or made to fail. */
function groups(members: Record<string, string[]>) {
  const calls: string[] = [];
  const failing = new Set<string>();
  let gate: Promise<void> | undefined;
  const lookup = async (groupId: string): Promise<string[]> => {
    calls.push(groupId);
    if (gate) await gate;
    if (failing.has(groupId)) throw new Error('An API error occurred: missing_scope <!channel>');
    return members[groupId] ?? [];
  };
  return {
    calls,
    lookup,
    fail: (groupId: string) => failing.add(groupId),
    heal: (groupId: string) => failing.delete(groupId),
    hold(): () => void {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const NOT_AUDITOR = /^You may not run audits with this bot\. Ask whoever runs the bot to add you \(or a user group of yours\) to `access\.auditors`\.$/;

describe('AccessControl', () => {
  it('lets everyone audit when access.auditors is omitted, without asking Slack', async () => {
    const cfg = config();
    const stub = groups({});
    const access = new AccessControl({ config: cfg, usergroupMembers: stub.lookup });
    expect(await access.decide('U0ANYONE1', 'C0RANDOM1', account(cfg, 'sandbox'))).toEqual({ allowed: true, postIn: 'channel' });
    expect((await access.auditableAccounts('U0ANYONE1', 'C0RANDOM1')).map((a) => a.alias)).toEqual(['sandbox', 'prod']);
    expect(stub.calls).toEqual([]);
  });

  it('lets listed users audit and refuses others with a sentence', async () => {
    const cfg = config('access:\n  auditors: [U0ALICE01, W0BOBBY01]\n');
    const stub = groups({});
    const access = new AccessControl({ config: cfg, usergroupMembers: stub.lookup });
    expect(await access.decide('U0ALICE01', 'C0RANDOM1', account(cfg, 'sandbox'))).toEqual({ allowed: true, postIn: 'channel' });
    expect(await access.decide('W0BOBBY01', 'C0RANDOM1', account(cfg, 'sandbox'))).toEqual({ allowed: true, postIn: 'channel' });
    const denied = await access.decide('U0MALLORY', 'C0RANDOM1', account(cfg, 'sandbox'));
    expect(denied).toEqual({ allowed: false, reason: expect.stringMatching(NOT_AUDITOR) });
    expect(await access.auditableAccounts('U0MALLORY', 'C0PRODSEC')).toEqual([]);
    expect(stub.calls).toEqual([]);
  });

  it('refuses everyone when access.auditors is an empty list', async () => {
    const cfg = config('access:\n  auditors: []\n');
    const access = new AccessControl({ config: cfg, usergroupMembers: groups({}).lookup });
    expect(await access.decide('U0ALICE01', 'C0PRODSEC', account(cfg, 'prod'))).toEqual({ allowed: false, reason: expect.stringMatching(NOT_AUDITOR) });
  });

  describe('user groups', () => {
    const cfg = config('access:\n  auditors: [U0ALICE01, S0SECTEAM, S0OPSTEAM]\n');

    it('allows members of a listed group, and asks Slack once per group within the TTL', async () => {
      const stub = groups({ S0SECTEAM: ['U0CAROL01'], S0OPSTEAM: ['U0DAVE001'] });
      const time = clock();
      const access = new AccessControl({ config: cfg, usergroupMembers: stub.lookup, now: time.now });
      expect(await access.decide('U0CAROL01', 'C0RANDOM1', account(cfg, 'sandbox'))).toEqual({ allowed: true, postIn: 'channel' });
      expect(await access.decide('U0DAVE001', 'C0RANDOM1', account(cfg, 'sandbox'))).toEqual({ allowed: true, postIn: 'channel' });
      expect((await access.decide('U0MALLORY', 'C0RANDOM1', account(cfg, 'sandbox'))).allowed).toBe(false);
      expect([...stub.calls].sort()).toEqual(['S0OPSTEAM', 'S0SECTEAM']);

      time.advance(DEFAULT_GROUP_TTL_MS - 1);
      expect((await access.decide('U0CAROL01', 'C0RANDOM1', account(cfg, 'sandbox'))).allowed).toBe(true);
      expect((await access.decide('U0MALLORY', 'C0RANDOM1', account(cfg, 'sandbox'))).allowed).toBe(false);
      expect(stub.calls).toHaveLength(2);
    });

    it('fetches again after the TTL and sees membership changes', async () => {
      const members = { S0SECTEAM: ['U0CAROL01'], S0OPSTEAM: [] as string[] };
      const stub = groups(members);
      const time = clock();
      const access = new AccessControl({ config: cfg, usergroupMembers: stub.lookup, now: time.now, ttlMs: 60_000 });
      expect((await access.decide('U0CAROL01', 'C0RANDOM1', account(cfg, 'sandbox'))).allowed).toBe(true);
      expect(stub.calls).toHaveLength(2);

      members.S0SECTEAM = [];
      time.advance(59_999);
      expect((await access.decide('U0CAROL01', 'C0RANDOM1', account(cfg, 'sandbox'))).allowed).toBe(true);
      expect(stub.calls).toHaveLength(2);

      time.advance(1);
      expect((await access.decide('U0CAROL01', 'C0RANDOM1', account(cfg, 'sandbox'))).allowed).toBe(false);
      expect([...stub.calls].sort()).toEqual(['S0OPSTEAM', 'S0OPSTEAM', 'S0SECTEAM', 'S0SECTEAM']);
    });

    it('does not ask Slack for a user listed by id', async () => {
      const stub = groups({});
      const access = new AccessControl({ config: cfg, usergroupMembers: stub.lookup });
      expect((await access.decide('U0ALICE01', 'C0RANDOM1', account(cfg, 'sandbox'))).allowed).toBe(true);
      expect(stub.calls).toEqual([]);
    });

    it('shares one lookup per group between concurrent requests', async () => {
      const stub = groups({ S0SECTEAM: ['U0CAROL01'], S0OPSTEAM: [] });
      const access = new AccessControl({ config: cfg, usergroupMembers: stub.lookup });
      const release = stub.hold();
      const pending = Promise.all([
        access.decide('U0CAROL01', 'C0RANDOM1', account(cfg, 'sandbox')),
        access.decide('U0MALLORY', 'C0PRODSEC', account(cfg, 'prod')),
        access.auditableAccounts('U0CAROL01', 'C0RANDOM1'),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect([...stub.calls].sort()).toEqual(['S0OPSTEAM', 'S0SECTEAM']);
      release();
      const [carol, mallory, list] = await pending;
      expect(carol).toEqual({ allowed: true, postIn: 'channel' });
      expect(mallory.allowed).toBe(false);
      expect(list.map((a) => a.alias)).toEqual(['sandbox', 'prod']);
      expect(stub.calls).toHaveLength(2);
    });

    it('denies when a group cannot be checked, says so, and does not cache the failure', async () => {
      const stub = groups({ S0SECTEAM: ['U0CAROL01'], S0OPSTEAM: [] });
      stub.fail('S0SECTEAM');
      const access = new AccessControl({ config: cfg, usergroupMembers: stub.lookup });
      const denied = await access.decide('U0CAROL01', 'C0RANDOM1', account(cfg, 'sandbox'));
      expect(denied.allowed).toBe(false);
      if (denied.allowed) return;
      expect(denied.reason).toContain('I could not check whether you are in the user group `S0SECTEAM`');
      expect(denied.reason).toContain('missing_scope &lt;!channel&gt;');
      expect(denied.reason).not.toMatch(/[<>]/);
      expect(await access.auditableAccounts('U0CAROL01', 'C0RANDOM1')).toEqual([]);
      const failedCalls = stub.calls.filter((g) => g === 'S0SECTEAM').length;
      expect(failedCalls).toBe(2);

      stub.heal('S0SECTEAM');
      expect(await access.decide('U0CAROL01', 'C0RANDOM1', account(cfg, 'sandbox'))).toEqual({ allowed: true, postIn: 'channel' });
      expect(stub.calls.filter((g) => g === 'S0SECTEAM')).toHaveLength(3);
      // The successful answer is cached; the opposite group was cached from the first call.
      expect((await access.decide('U0CAROL01', 'C0RANDOM1', account(cfg, 'sandbox'))).allowed).toBe(true);
      expect(stub.calls).toHaveLength(4);
    });

    it('allows a member of a group that answered even when another group failed', async () => {
      const stub = groups({ S0SECTEAM: [], S0OPSTEAM: ['U0DAVE001'] });
      stub.fail('S0SECTEAM');
      const access = new AccessControl({ config: cfg, usergroupMembers: stub.lookup });
      expect((await access.decide('U0DAVE001', 'C0RANDOM1', account(cfg, 'sandbox'))).allowed).toBe(true);
    });

    it('denies on a lookup that throws synchronously, and recovers', async () => {
      let broken = true;
      const lookup = (groupId: string): Promise<string[]> => {
        if (broken) throw new Error('boom');
        return Promise.resolve(groupId === 'S0SECTEAM' ? ['U0CAROL01'] : []);
      };
      const access = new AccessControl({ config: cfg, usergroupMembers: lookup });
      const denied = await access.decide('U0CAROL01', 'C0RANDOM1', account(cfg, 'sandbox'));
      expect(denied).toEqual({ allowed: false, reason: expect.stringContaining('user groups `S0SECTEAM`, `S0OPSTEAM` (the lookup failed: boom)') });
      broken = false;
      expect((await access.decide('U0CAROL01', 'C0RANDOM1', account(cfg, 'sandbox'))).allowed).toBe(true);
    });
  });

  describe('channels', () => {
    const cfg = config('access:\n  auditors: [U0ALICE01]\n');
    const access = new AccessControl({ config: cfg, usergroupMembers: groups({}).lookup });

    it('posts in a channel listed for the account', async () => {
      expect(await access.decide('U0ALICE01', 'C0PRODSEC', account(cfg, 'prod'))).toEqual({ allowed: true, postIn: 'channel' });
      expect(await access.decide('U0ALICE01', 'C0PRODOPS', account(cfg, 'prod'))).toEqual({ allowed: true, postIn: 'channel' });
    });

    it('answers only the requester in any other channel', async () => {
      expect(await access.decide('U0ALICE01', 'C0RANDOM1', account(cfg, 'prod'))).toEqual({ allowed: true, postIn: 'ephemeral' });
      expect(await access.decide('U0ALICE01', 'D0DIRECT1', account(cfg, 'prod'))).toEqual({ allowed: true, postIn: 'ephemeral' });
    });

    it('posts anywhere for an account without channels', async () => {
      expect(await access.decide('U0ALICE01', 'C0RANDOM1', account(cfg, 'sandbox'))).toEqual({ allowed: true, postIn: 'channel' });
      expect(reportPlacement(account(cfg, 'sandbox'), 'G0PRIVATE')).toBe('channel');
    });

    it('still refuses a non-auditor in a channel listed for the account', async () => {
      expect((await access.decide('U0MALLORY', 'C0PRODSEC', account(cfg, 'prod'))).allowed).toBe(false);
    });

    it('lists every account for an auditor, none for anyone else', async () => {
      expect((await access.auditableAccounts('U0ALICE01', 'C0RANDOM1')).map((a) => a.alias)).toEqual(['sandbox', 'prod']);
      expect(await access.auditableAccounts('U0MALLORY', 'C0PRODSEC')).toEqual([]);
    });
  });

  it('knows remediators by user id only', () => {
    const cfg = config('access:\n  auditors: [S0SECTEAM]\n  remediators: [U0ALICE01]\n');
    const access = new AccessControl({ config: cfg, usergroupMembers: groups({}).lookup });
    expect(access.isRemediator('U0ALICE01')).toBe(true);
    expect(access.isRemediator('U0CAROL01')).toBe(false);
    expect(access.isRemediator('S0SECTEAM')).toBe(false);
    expect(new AccessControl({ config: config(), usergroupMembers: groups({}).lookup }).isRemediator('U0ALICE01')).toBe(false);
  });
});
