import type { FindingState } from '../../src/store/diff.js';
import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/types.js';
import { parseConfig } from '../../src/config.js';
import { compileConfigMutes, configMuteOf, ruleMatches, ruleStandings, type MuteTarget } from '../../src/store/config-mutes.js';
import { computeDigest } from '../../src/store/digest.js';
import { History } from '../../src/store/history.js';
import { Mutes } from '../../src/store/mutes.js';
import { resourceTags } from '../../src/rules/resource-tags.js';
import { handFinding, handResult } from '../helpers/results.js';
import { tempStore } from '../helpers/store.js';

const ACCOUNT = '123456789012';
const CHECKS = ['iam.user-console-mfa', 'iam.access-key-rotation', 'ec2.sg-risky-ports', 's3.public-policy'];
const aliasesOf = (id: string) => (id === ACCOUNT ? ['prod', 'prod-payments'] : []);

const TARGET: MuteTarget = {
  checkId: 'ec2.sg-risky-ports',
  accountId: ACCOUNT,
  aliases: ['prod'],
  region: 'eu-west-1',
  resourceId: 'sg-0abc',
  arn: 'arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0abc',
  tags: { Team: 'web', Environment: 'sandbox' },
};

const rule = (fields: Record<string, unknown>) =>
  compileConfigMutes([{ reason: 'accepted', until: '2027-01-31', ...fields }], { checkIds: CHECKS, timeZone: 'UTC' })[0]!;

describe('matching a config mute', () => {
  it('needs every field it gives: check, account (alias or id), region, resource (id or ARN) and every tag, globs like --check', () => {
    expect(ruleMatches(rule({ check: 'ec2.*' }), TARGET)).toBe(true);
    expect(ruleMatches(rule({ check: 'iam.*' }), TARGET)).toBe(false);
    expect(ruleMatches(rule({ check: 'ec2.*', account: 'prod' }), TARGET)).toBe(true);
    expect(ruleMatches(rule({ check: 'ec2.*', account: ACCOUNT }), TARGET)).toBe(true);
    expect(ruleMatches(rule({ check: 'ec2.*', account: 'staging' }), TARGET)).toBe(false);
    expect(ruleMatches(rule({ check: 'ec2.*', region: 'eu-*' }), TARGET)).toBe(true);
    expect(ruleMatches(rule({ check: 'ec2.*', region: 'us-east-1' }), TARGET)).toBe(false);
    expect(ruleMatches(rule({ resource: 'sg-0abc' }), TARGET)).toBe(true);
    expect(ruleMatches(rule({ resource: 'arn:aws:ec2:*:security-group/sg-0*' }), TARGET)).toBe(true);
    expect(ruleMatches(rule({ resource: 'sg-0abd' }), TARGET)).toBe(false);
    expect(ruleMatches(rule({ tags: { Team: 'web' } }), TARGET)).toBe(true);
    expect(ruleMatches(rule({ tags: { Team: 'web', Environment: 'prod' } }), TARGET)).toBe(false);
    expect(ruleMatches(rule({ tags: { Environment: '*' } }), TARGET)).toBe(true);
    // Keys are exact: a tag the resource lacks (or a finding without tags) never matches.
    expect(ruleMatches(rule({ tags: { team: 'web' } }), TARGET)).toBe(false);
    expect(ruleMatches(rule({ tags: { Team: '*' } }), { ...TARGET, tags: undefined })).toBe(false);
    expect(ruleMatches(rule({ tags: { constructor: '*' } }), TARGET)).toBe(false);
    expect(ruleMatches(rule({ check: 'ec2.*', tags: { Team: 'web' }, resource: 'nope' }), TARGET)).toBe(false);
  });

  it('holds through the end of its last day in the team’s time zone, then no longer', () => {
    const [berlin] = compileConfigMutes([{ check: 'ec2.*', reason: 'r', until: '2027-01-31' }], { checkIds: CHECKS, timeZone: 'Europe/Berlin' });
    expect(berlin!.expiresAt).toBe('2027-01-31T23:00:00.000Z');
    expect(configMuteOf([berlin!], TARGET, new Date('2027-01-31T22:59:59.999Z'))).toBe(berlin);
    expect(configMuteOf([berlin!], TARGET, new Date('2027-01-31T23:00:00.000Z'))).toBeUndefined();
  });

  it('refuses a check that matches no check, with the one meant', () => {
    expect(() => compileConfigMutes([{ check: 'ec2.sg-risky-port', reason: 'r', until: '2027-01-31' }], { checkIds: CHECKS, timeZone: 'UTC' })).toThrow(
      /mutes\[0\]\.check: "ec2\.sg-risky-port" matches no check; did you mean ec2\.sg-risky-ports\?/,
    );
  });

  it('keeps AWS tags as own keys, at AWS’s limits', () => {
    expect(resourceTags(undefined)).toEqual({});
    expect(resourceTags([{ Key: '' }, { Value: 'x' }])).toEqual({});
    const { tags } = resourceTags([{ Key: '__proto__', Value: 'x' }, { Key: 'Name' }]);
    expect(Object.hasOwn(tags!, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
    expect(tags!.Name).toBe('');
    expect(Object.keys(resourceTags(Array.from({ length: 80 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))).tags!)).toHaveLength(50);
  });
});

describe('config mutes in the history', () => {
  const alice = handFinding('iam.user-console-mfa', 'high', 'alice', 'alice has no MFA');
  const bob = handFinding('iam.user-console-mfa', 'high', 'bob', 'bob has no MFA');
  const scanAt = (findings = [alice, bob]): AuditResult => handResult(findings);

  async function historyWith(mutes: Record<string, unknown>[], clock: { now: Date }) {
    const { store } = await tempStore();
    const rules = compileConfigMutes(mutes as never, { checkIds: CHECKS, timeZone: 'UTC' });
    const history = new History(store, { now: () => clock.now, configMutes: { rules, aliasesOf } });
    return { store, history, rules };
  }

  it('mutes what a rule matches in the scan’s own write, like a mute from Slack: left out of the digest, counted as muted', async () => {
    const clock = { now: new Date('2026-12-01T09:00:00.000Z') };
    const { store, history } = await historyWith(
      [{ check: 'iam.user-*', resource: 'alice', account: 'prod-payments', reason: 'break-glass user, SEC-9', until: '2027-01-31' }],
      clock,
    );
    await history.record(scanAt(), 'prod');
    const active = await new Mutes(store).active(clock.now);
    expect([...active.values()].map((m) => [m.fingerprint, m.mutedBy, m.source, m.label, m.reason])).toEqual([
      [alice.fingerprint, 'config', 'config', 'mutes[0]', 'break-glass user, SEC-9'],
    ]);
    const digest = computeDigest(store.data, [{ alias: 'prod', accountId: ACCOUNT, errors: 0 }], null, new Date('2026-12-01T10:00:00.000Z'));
    expect(digest.accounts[0]!.new.map((i) => i.state.resourceId)).toEqual(['bob']);
    expect(digest.accounts[0]!.muted).toBe(1);
    // A second scan changes nothing: one mute per finding and rule.
    clock.now = new Date('2026-12-02T09:00:00.000Z');
    await history.record(scanAt(), 'prod');
    expect(store.data.mutes).toHaveLength(1);
    await store.close();
  });

  it('resurfaces a finding when its rule ends, and when the rule is removed; a changed rule replaces the mute, nothing resurfaces', async () => {
    const clock = { now: new Date('2026-12-01T09:00:00.000Z') };
    const entry = { check: 'iam.user-console-mfa', resource: 'alice', reason: 'until the migration', until: '2026-12-09' };
    const { store, history } = await historyWith([entry], clock);
    await history.record(scanAt(), 'prod');
    const cursor = '2026-12-07T09:00:00.000Z';
    // The rule's last day passes: the next digest reports alice as resurfaced, the mute expired.
    const expired = computeDigest(store.data, [{ alias: 'prod', accountId: ACCOUNT, errors: 0 }], cursor, new Date('2026-12-14T09:00:00.000Z'));
    expect(expired.accounts[0]!.resurfaced.map((i) => [i.state.resourceId, i.why, i.mute?.mutedBy])).toEqual([['alice', 'mute-expired', 'config']]);

    // The same history, the reason reworded: the new rule takes over, nothing resurfaces.
    const reworded = new History(store, {
      now: () => new Date('2026-12-03T09:00:00.000Z'),
      configMutes: { rules: compileConfigMutes([{ ...entry, reason: 'until the migration (SEC-12)' }], { checkIds: CHECKS, timeZone: 'UTC' }), aliasesOf },
    });
    expect(await reworded.syncConfigMutes()).toEqual({ added: 1, ended: 1 });
    expect(await reworded.syncConfigMutes()).toEqual({ added: 0, ended: 0 });
    const afterEdit = computeDigest(
      store.data,
      [{ alias: 'prod', accountId: ACCOUNT, errors: 0 }],
      '2026-12-02T09:00:00.000Z',
      new Date('2026-12-04T09:00:00.000Z'),
    );
    expect(afterEdit.accounts[0]!.resurfaced).toEqual([]);
    expect(afterEdit.accounts[0]!.muted).toBe(1);

    // Removed from the config: the mute ends at the next start, and alice is back, unmuted by the config.
    const removed = new History(store, { now: () => new Date('2026-12-05T09:00:00.000Z'), configMutes: { rules: [], aliasesOf } });
    expect(await removed.syncConfigMutes()).toEqual({ added: 0, ended: 1 });
    const back = computeDigest(
      store.data,
      [{ alias: 'prod', accountId: ACCOUNT, errors: 0 }],
      '2026-12-04T09:00:00.000Z',
      new Date('2026-12-06T09:00:00.000Z'),
    );
    expect(back.accounts[0]!.resurfaced.map((i) => [i.state.resourceId, i.why, i.mute?.unmutedBy, i.mute?.reason])).toEqual([
      ['alice', 'unmuted', 'config', 'until the migration (SEC-12)'],
    ]);
    await store.close();
  });

  it('is ended only by the config: Unmute refuses it, and a mute from Slack neither replaces it nor is replaced', async () => {
    const clock = { now: new Date('2026-12-01T09:00:00.000Z') };
    const { store, history } = await historyWith([{ resource: 'alice', reason: 'accepted', until: '2027-01-31' }], clock);
    await history.record(scanAt(), 'prod');
    const mutes = new Mutes(store);
    const fromConfig = [...(await mutes.active(clock.now)).values()][0]!;
    expect(await mutes.unmute(fromConfig.id, 'U0ALICE01', clock.now)).toBeUndefined();
    const state = store.data.findings.find((f) => f.resourceId === 'alice')!;
    const slack = await mutes.mute({ state, reason: 'mine', mutedBy: 'U0ALICE01', expiresAt: '2026-12-20T00:00:00.000Z', now: clock.now });
    // The person's mute shows; the config's stays in force beneath it, and holds when the person's ends.
    expect((await mutes.active(clock.now)).get(state.fingerprint)!.id).toBe(slack.id);
    expect(store.data.mutes.find((m) => m.id === fromConfig.id)).toMatchObject({ unmutedAt: null });
    await mutes.unmute(slack.id, 'U0ALICE01', clock.now);
    expect((await mutes.active(clock.now)).get(state.fingerprint)!.id).toBe(fromConfig.id);
    await store.close();
  });

  it('tells which rules mute something now, which are stale, which ended', async () => {
    const clock = { now: new Date('2026-12-01T09:00:00.000Z') };
    const entries = [
      { resource: 'alice', reason: 'a', until: '2027-01-31' },
      { resource: 'carol', reason: 'no such user', until: '2027-01-31' },
      { resource: 'bob', reason: 'over', until: '2026-11-30' },
    ];
    const { store, history, rules } = await historyWith(entries, clock);
    await history.record(scanAt(), 'prod');
    expect(
      ruleStandings(store.data.findings as FindingState[], rules, aliasesOf, clock.now).map((s) => [s.rule.label, s.status, 'open' in s ? s.open : null]),
    ).toEqual([
      ['mutes[0]', 'matching', 1],
      ['mutes[1]', 'stale', null],
      ['mutes[2]', 'ended', null],
    ]);
    await store.close();
  });
});

describe('mutes: in the config file', () => {
  const base = `accounts:\n  - alias: prod\n    accountId: "123456789012"\n    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly\n`;
  it('reads entries with a reason and a last day', () => {
    const config = parseConfig(
      `${base}mutes:\n  - check: "s3.public-*"\n    resource: "arn:aws:s3:::www-*"\n    tags: { Team: web }\n    reason: Public website, SEC-123\n    until: 2027-03-31\n`,
      'audit.config.yml',
    );
    expect(config.mutes).toEqual([
      { check: 's3.public-*', resource: 'arn:aws:s3:::www-*', tags: { Team: 'web' }, reason: 'Public website, SEC-123', until: '2027-03-31' },
    ]);
    expect(parseConfig(base, 'audit.config.yml').mutes).toEqual([]);
  });

  it('says what is wrong with each entry, where', () => {
    const text = `${base}mutes:\n  - check: iam.*\n    until: 2027-02-30\n  - account: prod\n    reason: everything\n    until: 2027-01-01\n  - resource: x\n    tags: { Team: 42 }\n    reson: typo\n    reason: r\n    until: "2027-01-01"\n`;
    let message = '';
    try {
      parseConfig(text, 'audit.config.yml');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('mutes[0].reason: missing; expected why this risk is accepted');
    expect(message).toContain('mutes[0].until: expected a date like 2027-03-31 (the last day the mute holds), got "2027-02-30"');
    expect(message).toContain('mutes[1]: a mute needs check, resource or tags');
    expect(message).toContain('mutes[2].tags.Team: expected the tag value as text (quote a number: "42")');
    expect(message).toContain('mutes[2].reson: unknown key (did you mean reason?)');
  });
});
