/**
 * Mutes through Bolt's real request path: the "Mute…" menu on a report, the
 * modal (views.open), its submission (view_submission, with validation
 * errors answered in the HTTP response), `/audit mutes` and Unmute. Slack's
 * Web API and response_urls are the local stub; the clock is the test's.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.js';
import { findingFingerprint } from '../../src/audit/fingerprint.js';
import type { RunAuditOptions } from '../../src/audit/runner.js';
import type { AuditResult, Finding } from '../../src/audit/types.js';
import { parseConfig } from '../../src/config.js';
import { aliasesByAccount, configMuteRules } from '../../src/store/config-mutes.js';
import { History } from '../../src/store/history.js';
import { findingRef } from '../../src/store/mutes.js';
import type { FileStore } from '../../src/store/store.js';
import { createLogger } from '../../src/log.js';
import type { SlackApp } from '../../src/slack/app.js';
import { createBot } from '../../src/serve.js';
import { AuditService } from '../../src/audit/service.js';
import { fakeSessions } from '../helpers/aws.js';
import { blockActionBody, interactionBody, menuEntries, SlackStub, signedPost, slashCommandBody } from '../helpers/slack.js';
import { tempStore } from '../helpers/store.js';

const SECRET = '0123456789abcdef0123456789abcdef';
const CONFIG = parseConfig(
  `
accounts:
  - alias: prod-payments
    accountId: "123456789012"
    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly
    regions: [us-east-1]
  - alias: sandbox
    accountId: "210987654321"
    roleArn: arn:aws:iam::210987654321:role/AuditReadOnly
access:
  auditors: [U0ALICE01, S0SECTEAM]
  remediators: [U0REMEDY1]
mutes:
  - check: iam.user-console-*
    resource: zed
    account: prod-*
    reason: "Break-glass user, SEC-7 <!here>"
    until: 2027-01-31
`,
  '/x/audit.config.yml',
);

function finding(user: string, accountId = '123456789012'): Finding {
  return {
    checkId: 'iam.user-console-mfa',
    severity: 'high',
    accountId,
    region: 'global',
    resource: { type: 'AWS::IAM::User', id: user },
    message: `User ${user} can sign in to the console without MFA.`,
    fingerprint: findingFingerprint({ checkId: 'iam.user-console-mfa', accountId, region: 'global', resourceId: user }),
  };
}

const stub = new SlackStub();
let slack: SlackApp;
let url: string;
let store: FileStore;
let clock = new Date('2026-11-23T12:00:00.000Z');
let findingsNow: Finding[] = [];

beforeAll(async () => {
  await stub.start();
  ({ store } = await tempStore());
  const history = new History(store, {
    configMutes: {
      rules: configMuteRules(
        CONFIG,
        ALL_CHECKS.map((c) => c.id),
      ),
      aliasesOf: aliasesByAccount(CONFIG),
    },
  });
  const logger = createLogger({ format: 'json', level: 'silent' });
  const audits = new AuditService({
    sessions: fakeSessions(),
    thresholds: CONFIG.thresholds,
    concurrency: 2,
    logger,
    onFinished: (r, account) => history.record(r, account.alias),
    run: async (options: RunAuditOptions): Promise<AuditResult> => ({
      account: { alias: options.account.alias, accountId: options.account.accountId },
      startedAt: clock.toISOString(),
      findings: findingsNow.filter((f) => f.accountId === options.account.accountId),
      errors: [],
      scope: { checkIds: options.checks.map((c) => c.id), regions: ['global', 'us-east-1'], skippedRegions: [] },
      stats: { durationMs: 10, apiCalls: 3, apiCallsByOperation: {}, httpAttempts: 0, retries: 0, checksRun: options.checks.length, byCheck: {} },
    }),
  });
  slack = createBot({
    env: { mode: 'http', botToken: 'xoxb-1-2-abc', signingSecret: SECRET, port: 0, apiUrl: stub.apiUrl },
    config: CONFIG,
    checks: ALL_CHECKS,
    audits,
    store,
    logger,
    now: () => clock,
  });
  url = `http://127.0.0.1:${(await slack.start(0)).port}/slack/events`;
});

afterAll(async () => {
  await slack.stop();
  await store.close();
  await stub.stop();
});

beforeEach(() => {
  stub.reset();
  stub.on('usergroups.users.list', (args) => ({ ok: true, users: args.usergroup === 'S0SECTEAM' ? ['U0CAROL01'] : [] }));
  findingsNow = [finding('alice'), finding('bob')];
});

afterEach(() => {
  expect(stub.violations).toEqual([]);
});

async function slash(text: string, user = 'U0ALICE01'): Promise<string> {
  const responseUrl = stub.responseUrl();
  await signedPost(url, SECRET, slashCommandBody({ text, response_url: responseUrl, user_id: user }));
  return responseUrl.split('/').pop()!;
}

const postsTo = (id: string) => stub.responseUrlPosts.filter((p) => p.id === id).map((p) => p.body);

/** Audits prod-payments in its channel; returns the report message (channel, ts, blocks). */
async function report(): Promise<{ channel: string; ts: string; blocks: Record<string, unknown>[] }> {
  const before = stub.callsOf('chat.postMessage').length;
  await slash('prod-payments');
  const isReport = (c: { args: Record<string, unknown> }) => c.args.blocks !== undefined && c.args.thread_ts === undefined;
  await stub.waitFor(() => stub.callsOf('chat.postMessage').slice(before).some(isReport), 'the report');
  const call = stub.callsOf('chat.postMessage').slice(before).find(isReport)!;
  return { channel: String(call.result!.channel), ts: String(call.result!.ts), blocks: call.args.blocks as Record<string, unknown>[] };
}

interface MenuOption {
  text: { text: string };
  value: string;
}

/** The "Mute" entries of the finding menus. */
function menuOptions(blocks: Record<string, unknown>[]): MenuOption[] {
  return blocks.flatMap(menuEntries).flatMap((e) => (e.group === 'Mute' ? [{ text: { text: e.label }, value: e.value }] : []));
}

function muteChoice(
  user: string,
  value: string,
  where: { channel: string; ts: string; threadTs?: string } | 'ephemeral',
  responseUrl = stub.responseUrl(),
): string {
  return blockActionBody({
    user,
    responseUrl,
    container: where === 'ephemeral' ? { channel: 'C0AUDIT01', ts: '1700000000.000300', ephemeral: true } : where,
    ...(where === 'ephemeral' ? {} : { message: { type: 'message', ts: where.ts, text: 'report' } }),
    action: {
      type: 'static_select',
      action_id: 'mute_finding',
      block_id: 'findings-1',
      selected_option: { text: { type: 'plain_text', text: 'x' }, value },
      action_ts: '1700000001.1',
    },
  });
}

function submission(user: string, metadata: string, reason: string | null, day: string | null): string {
  return interactionBody({
    type: 'view_submission',
    team: { id: 'T0TEST', domain: 'test' },
    user: { id: user, username: user.toLowerCase(), team_id: 'T0TEST' },
    api_app_id: 'A0APP',
    token: 'x',
    trigger_id: 'trigger-submit',
    view: {
      id: 'V0MODAL',
      team_id: 'T0TEST',
      type: 'modal',
      callback_id: 'mute_finding_modal',
      private_metadata: metadata,
      hash: 'h',
      blocks: [],
      state: { values: { reason: { reason: { type: 'plain_text_input', value: reason } }, expiry: { expiry: { type: 'datepicker', selected_date: day } } } },
    },
    response_urls: [],
  });
}

function unmuteClick(user: string, value: string, responseUrl: string): string {
  return blockActionBody({
    user,
    responseUrl,
    container: { channel: 'C0AUDIT01', ts: '1700000000.000400', ephemeral: true },
    action: { type: 'button', action_id: 'unmute_finding', block_id: 'mute-x', value, action_ts: '1700000002.1' },
  });
}

/** Opens the modal for `value` as `user`; returns the view Slack was asked to open. */
async function openModal(user: string, value: string, where: { channel: string; ts: string } | 'ephemeral'): Promise<Record<string, unknown>> {
  const response = await signedPost(url, SECRET, muteChoice(user, value, where));
  expect(response.status).toBe(200);
  await stub.waitFor(() => stub.callsOf('views.open').length > 0, 'views.open');
  const call = stub.callsOf('views.open').at(-1)!;
  expect(call.args.trigger_id).toBe(`trigger-${user}`);
  return call.args.view as Record<string, unknown>;
}

describe('muting a finding from a report', () => {
  it('offers a Mute menu naming each finding by scan id and fingerprint, opens a modal, records the mute and notes it in the thread', async () => {
    const posted = await report();
    const options = menuOptions(posted.blocks);
    const scanId = store.data.scans.at(-1)!.id;
    expect(options.map((o) => o.value)).toEqual([findingRef(scanId, finding('alice').fingerprint), findingRef(scanId, finding('bob').fingerprint)]);
    expect(options.map((o) => o.text.text)).toEqual(['alice', 'bob']);

    const view = await openModal('U0ALICE01', options[0]!.value, posted);
    expect(view).toMatchObject({ type: 'modal', callback_id: 'mute_finding_modal', title: { text: 'Mute finding' } });
    const blocks = view.blocks as { block_id: string; element?: { type: string; initial_date?: string }; text?: { text: string } }[];
    expect(blocks.find((b) => b.block_id === 'expiry')!.element).toMatchObject({ type: 'datepicker', initial_date: '2026-12-23' });
    expect(blocks.find((b) => b.block_id === 'finding')!.text!.text).toContain('alice');
    const metadata = String(view.private_metadata);
    expect(JSON.parse(metadata)).toEqual({ ref: options[0]!.value, channel: posted.channel, threadTs: posted.ts });

    const submitted = await signedPost(
      url,
      SECRET,
      submission('U0ALICE01', metadata, '  Break-glass user, MFA on a hardware token in the safe (SEC-42)  ', '2026-12-23'),
    );
    expect(submitted.status).toBe(200);
    await stub.waitFor(() => stub.callsOf('chat.postMessage').some((c) => c.args.thread_ts === posted.ts), 'the note in the thread');
    const mute = store.data.mutes.at(-1)!;
    expect(mute).toMatchObject({
      fingerprint: finding('alice').fingerprint,
      accountId: '123456789012',
      reason: 'Break-glass user, MFA on a hardware token in the safe (SEC-42)',
      mutedBy: 'U0ALICE01',
      mutedAt: '2026-11-23T12:00:00.000Z',
      expiresAt: '2026-12-24T00:00:00.000Z',
      unmutedAt: null,
    });
    const note = stub.callsOf('chat.postMessage').find((c) => c.args.thread_ts === posted.ts)!;
    expect(note.args.channel).toBe(posted.channel);
    expect(String(note.args.text)).toContain('<@U0ALICE01> muted');
    expect(String(note.args.text)).toContain('SEC-42');

    // The next report leaves it out and counts it.
    const next = await report();
    const text = JSON.stringify(next.blocks);
    expect(text).not.toContain('alice');
    expect(text).toContain('bob');
    expect(text).toContain('1 muted');

    // /audit mutes lists it, with an Unmute button.
    const listId = await slash('mutes prod-payments');
    await stub.waitFor(() => postsTo(listId).length > 0, 'the mute list');
    const list = postsTo(listId)[0]!;
    expect(list.response_type).toBe('ephemeral');
    const listed = JSON.stringify(list.blocks);
    expect(listed).toContain('alice');
    expect(listed).toContain('Break-glass user');
    const button = (list.blocks as { accessory?: { action_id: string; value: string } }[]).find((b) => b.accessory?.action_id === 'unmute_finding')!.accessory!;
    expect(button.value).toBe(`${mute.id} prod-payments`);

    // A mute of another account is not in prod-payments' list; the full list has both.
    const sandboxList = await slash('mutes sandbox');
    await stub.waitFor(() => postsTo(sandboxList).length > 0, 'the sandbox list');
    expect(postsTo(sandboxList)[0]!.text).toBe('No finding is muted in sandbox.');

    // Unmute: the mute ends, the list is redrawn, the finding is back in reports.
    const unmuteUrl = stub.responseUrl();
    await signedPost(url, SECRET, unmuteClick('U0CAROL01', button.value, unmuteUrl));
    await stub.waitFor(() => postsTo(unmuteUrl.split('/').pop()!).length > 0, 'the redrawn list');
    const redrawn = postsTo(unmuteUrl.split('/').pop()!)[0]!;
    expect(redrawn).toMatchObject({ replace_original: true, response_type: 'ephemeral' });
    expect(JSON.stringify(redrawn.blocks)).toContain('Unmuted');
    expect(JSON.stringify(redrawn.blocks)).toContain('No finding is muted in prod-payments');
    expect(store.data.mutes.find((m) => m.id === mute.id)).toMatchObject({ unmutedBy: 'U0CAROL01', unmutedAt: '2026-11-23T12:00:00.000Z' });
    const after = await report();
    expect(JSON.stringify(after.blocks)).toContain('alice');
    expect(JSON.stringify(after.blocks)).not.toContain('muted');
  });

  it('answers bad input in the modal itself: no reason, a day in the past, or more than 365 days ahead', async () => {
    const posted = await report();
    const metadata = JSON.stringify({ ref: menuOptions(posted.blocks)[1]!.value, channel: posted.channel, threadTs: posted.ts });
    const mutesBefore = store.data.mutes.length;
    const blank = await signedPost(url, SECRET, submission('U0ALICE01', metadata, '   ', '2026-12-01'));
    expect(JSON.parse(blank.body)).toEqual({ response_action: 'errors', errors: { reason: expect.stringContaining('Say why') } });
    const past = await signedPost(url, SECRET, submission('U0ALICE01', metadata, 'ok', '2026-11-23'));
    expect(JSON.parse(past.body)).toEqual({ response_action: 'errors', errors: { expiry: 'Pick a day after today.' } });
    const far = await signedPost(url, SECRET, submission('U0ALICE01', metadata, 'ok', '2027-11-24'));
    expect(JSON.parse(far.body)).toEqual({
      response_action: 'errors',
      errors: { expiry: expect.stringContaining('at most 365 days: pick 2027-11-23 or earlier') },
    });
    const notADate = await signedPost(url, SECRET, submission('U0ALICE01', metadata, 'x'.repeat(501), '2026-02-30'));
    expect(JSON.parse(notADate.body)).toEqual({
      response_action: 'errors',
      errors: { reason: expect.stringContaining('under 500'), expiry: '2026-02-30 is not a date.' },
    });
    // The last day allowed is accepted.
    const edge = await signedPost(url, SECRET, submission('U0ALICE01', metadata, 'accepted risk', '2027-11-23'));
    expect(edge.body).toBe('');
    await stub.waitFor(() => stub.callsOf('chat.postMessage').some((c) => c.args.thread_ts === posted.ts), 'the note');
    expect(store.data.mutes.length).toBe(mutesBefore + 1);
    expect(store.data.mutes.at(-1)!.expiresAt).toBe('2027-11-24T00:00:00.000Z');
  });

  it('lets a remediator who is not an auditor mute, and refuses anyone else without opening a modal', async () => {
    const posted = await report();
    const value = menuOptions(posted.blocks)[0]!.value;
    await openModal('U0REMEDY1', value, posted);

    stub.reset();
    const refusalUrl = stub.responseUrl();
    await signedPost(url, SECRET, muteChoice('U0MALLORY', value, posted, refusalUrl));
    await stub.waitFor(() => postsTo(refusalUrl.split('/').pop()!).length > 0, 'the refusal');
    expect(postsTo(refusalUrl.split('/').pop()!)[0]).toMatchObject({
      response_type: 'ephemeral',
      replace_original: false,
      text: expect.stringContaining('may not mute findings'),
    });
    expect(stub.callsOf('views.open')).toHaveLength(0);

    // Submitting a modal anyway (a forged submission) mutes nothing.
    const before = store.data.mutes.length;
    await signedPost(url, SECRET, submission('U0MALLORY', JSON.stringify({ ref: value }), 'mine now', '2026-12-01'));
    await stub.waitFor(() => stub.callsOf('chat.postMessage').some((c) => c.args.channel === 'U0MALLORY'), 'the refusal in a DM');
    expect(store.data.mutes.length).toBe(before);
    const listId = await slash('mutes', 'U0MALLORY');
    await stub.waitFor(() => postsTo(listId).length > 0, 'the refusal of the list');
    expect(String(postsTo(listId)[0]!.text)).toContain('may not mute findings');
  });

  it('never trusts the reference: unknown fingerprints, foreign scan ids and junk are refused', async () => {
    const posted = await report();
    const scanId = store.data.scans.at(-1)!.id;
    // Another account's scan with this account's finding.
    findingsNow = [finding('eve', '210987654321')];
    const sandboxId = await slash('sandbox');
    await stub.waitFor(() => postsTo(sandboxId).some((p) => String(p.text).includes('in the channel') || p.blocks !== undefined), 'the sandbox report');
    const sandboxScan = store.data.scans.at(-1)!.id;
    expect(sandboxScan).not.toBe(scanId);
    for (const value of [
      findingRef(sandboxScan, finding('alice').fingerprint),
      findingRef(scanId, 'f'.repeat(32)),
      'arn:aws:iam::123456789012:user/alice',
      '',
    ]) {
      const answer = stub.responseUrl();
      await signedPost(url, SECRET, muteChoice('U0ALICE01', value, posted, answer));
      await stub.waitFor(() => postsTo(answer.split('/').pop()!).length > 0, `the refusal of ${value}`);
      expect(String(postsTo(answer.split('/').pop()!)[0]!.text)).toMatch(/does not name a finding|no longer knows that finding/);
    }
    expect(stub.callsOf('views.open')).toHaveLength(0);
  });

  it("from a thread reply (a digest's details): the note joins that thread", async () => {
    findingsNow = [finding('dora')];
    const posted = await report();
    const value = menuOptions(posted.blocks)[0]!.value;
    const reply = { channel: 'C0DIGEST1', ts: '1700000500.000200', threadTs: '1700000400.000100' };
    const view = await openModal('U0ALICE01', value, reply);
    expect(JSON.parse(String(view.private_metadata))).toMatchObject({ channel: 'C0DIGEST1', threadTs: '1700000400.000100' });
    await signedPost(url, SECRET, submission('U0ALICE01', String(view.private_metadata), 'owned by the data team', '2026-12-01'));
    await stub.waitFor(() => stub.callsOf('chat.postMessage').some((c) => c.args.thread_ts === reply.threadTs), 'the note in the digest thread');
    expect(stub.callsOf('chat.postMessage').find((c) => c.args.thread_ts === reply.threadTs)!.args.channel).toBe('C0DIGEST1');
  });

  it('from a report only the requester sees: the confirmation goes to its response_url', async () => {
    const posted = await report();
    const value = menuOptions(posted.blocks)[0]!.value;
    const view = await openModal('U0ALICE01', value, 'ephemeral');
    const metadata = JSON.parse(String(view.private_metadata)) as { responseUrl?: string; channel?: string };
    expect(metadata.channel).toBeUndefined();
    expect(metadata.responseUrl).toMatch(/\/response\//);
    await signedPost(url, SECRET, submission('U0ALICE01', String(view.private_metadata), 'test account', '2026-12-01'));
    const id = metadata.responseUrl!.split('/').pop()!;
    await stub.waitFor(() => postsTo(id).length > 0, 'the ephemeral confirmation');
    expect(postsTo(id)[0]).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: expect.stringContaining('muted') });
  });

  it('lets a mute expire: the finding is back in the report the day after its last day', async () => {
    findingsNow = [finding('carol')];
    const posted = await report();
    const view = await openModal('U0ALICE01', menuOptions(posted.blocks)[0]!.value, posted);
    await signedPost(url, SECRET, submission('U0ALICE01', String(view.private_metadata), 'until the migration', '2026-11-30'));
    await stub.waitFor(() => stub.callsOf('chat.postMessage').some((c) => c.args.thread_ts === posted.ts), 'the note');
    expect(JSON.stringify((await report()).blocks)).not.toContain('carol');
    clock = new Date('2026-11-30T23:59:00.000Z');
    expect(JSON.stringify((await report()).blocks)).not.toContain('carol');
    clock = new Date('2026-12-01T00:00:00.000Z');
    expect(JSON.stringify((await report()).blocks)).toContain('carol');
    clock = new Date('2026-11-23T12:00:00.000Z');
  });
});

describe('Details on a finding menu', () => {
  /** Picks a menu value as `user`; returns the view Slack was asked to open, if any, and what the clicker was told. */
  async function pick(value: string, where: { channel: string; ts: string }, user = 'U0ALICE01') {
    const opened = stub.callsOf('views.open').length;
    const answer = stub.responseUrl();
    expect((await signedPost(url, SECRET, muteChoice(user, value, where, answer))).status).toBe(200);
    const id = answer.split('/').pop()!;
    await stub.waitFor(() => stub.callsOf('views.open').length > opened || postsTo(id).length > 0, 'the modal or an answer');
    return {
      view: stub.callsOf('views.open').at(opened)?.args.view as
        | { callback_id: string; blocks: { block_id: string; text?: { text: string }; elements?: { text: string }[] }[] }
        | undefined,
      told: postsTo(id),
    };
  }
  const textOf = (view: { blocks: { block_id: string; text?: { text: string }; elements?: { text: string }[] }[] }, id: string) => {
    const b = view.blocks.find((x) => x.block_id === id);
    return b?.text?.text ?? b?.elements?.map((e) => e.text).join(' ');
  };

  it('lists Details first for each finding; the modal says why, what to do with the commands, the references and the facts, from the check and the history', async () => {
    findingsNow = [{ ...finding('gina'), details: { passwordLastUsed: '2026-11-01', mfaDevices: 0 } }, finding('hank')];
    const posted = await report();
    const scanId = store.data.scans.at(-1)!.id;
    const entries = posted.blocks.flatMap(menuEntries);
    expect(entries.filter((e) => e.group === 'Details').map((e) => e.value)).toEqual([
      `details:${findingRef(scanId, finding('gina').fingerprint)}`,
      `details:${findingRef(scanId, finding('hank').fingerprint)}`,
    ]);
    expect(entries.map((e) => e.group)).toEqual(['Details', 'Details', 'Mute', 'Mute']);
    const menu = (posted.blocks.find((b) => menuEntries(b).length > 0) as { accessory: { placeholder: { text: string } } }).accessory;
    expect(menu.placeholder.text).toBe('Details or mute…');

    const { view } = await pick(entries[0]!.value, posted);
    const check = ALL_CHECKS.find((c) => c.id === 'iam.user-console-mfa')!;
    expect(view).toMatchObject({ callback_id: 'finding_details_modal', title: { text: 'Finding details' } });
    expect(textOf(view!, 'finding')).toContain('User gina can sign in to the console without MFA.');
    expect(textOf(view!, 'why')).toBe(`*Why it matters*\n${check.description}`);
    expect(textOf(view!, 'what-to-do')).toContain('*What to do*\n');
    expect(textOf(view!, 'references')).toBe(
      '*References*\nCIS AWS Foundations Benchmark v5.0 · control 1.9\nSecurity Hub · <https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-5|IAM.5>',
    );
    expect(textOf(view!, 'facts')).toBe('*Facts*\n• passwordLastUsed: 2026-11-01\n• mfaDevices: 0');
    expect(textOf(view!, 'status')).toMatch(/^Open · first seen <!date\^\d+\^/);
  });

  it('says when the finding is muted, escapes what AWS said and masks key ids; a reference it cannot trust opens nothing', async () => {
    const hostile: Finding = {
      ...finding('<!channel>'),
      message: 'User <!channel> has key AKIAIOSFODNN7EXAMPLE <https://evil|click>',
      details: { '<@U0BOSS>': 'AKIAIOSFODNN7EXAMPLE', note: '&lt; already' },
    };
    findingsNow = [hostile];
    const posted = await report();
    const details = posted.blocks.flatMap(menuEntries).find((e) => e.group === 'Details')!;
    const mute = posted.blocks.flatMap(menuEntries).find((e) => e.group === 'Mute')!;
    const view = await openModal('U0ALICE01', mute.value, posted);
    await signedPost(url, SECRET, submission('U0ALICE01', String(view.private_metadata), 'accepted <!here>', '2026-12-20'));
    await stub.waitFor(() => store.data.mutes.some((m) => m.fingerprint === hostile.fingerprint), 'the mute');

    const shown = JSON.stringify((await pick(details.value, posted)).view);
    expect(shown).not.toMatch(/<!channel>|<!here>|<@U0BOSS>|<https:\/\/evil|AKIAIOSFODNN7EXAMPLE/);
    expect(shown).toContain('AKIA…MPLE');
    expect(shown).toContain('&amp;lt; already');
    expect(shown).toMatch(/muted by <@U0ALICE01> until <!date\^\d+\^\{date_short_pretty\}\|[^>]+>: accepted &lt;!here&gt;/);

    for (const forged of ['details:junk', `details:${findingRef(store.data.scans.at(-1)!.id, 'f'.repeat(32))}`]) {
      const { view: none, told } = await pick(forged, posted);
      expect(none).toBeUndefined();
      expect(String(told[0]!.text)).toMatch(/does not name a finding|no longer knows that finding/);
    }
  });

  it('a modal Slack will not open is answered, not dropped', async () => {
    findingsNow = [finding('frank')];
    const posted = await report();
    stub.on('views.open', () => ({ ok: false, error: 'expired_trigger_id' }));
    const { told } = await pick(posted.blocks.flatMap(menuEntries).find((e) => e.group === 'Details')!.value, posted);
    expect(String(told[0]!.text)).toContain('The details could not be opened');
    expect(String(told[0]!.text)).toContain('expired_trigger_id');
  });
});

describe('mutes written in the config', () => {
  it('leave the finding out of reports from its first scan, list it as from the config with no Unmute, and refuse an Unmute click', async () => {
    findingsNow = [finding('zed'), finding('yan')];
    const posted = await report();
    const text = JSON.stringify(posted.blocks);
    expect(text).not.toContain('zed');
    expect(text).toContain('yan');
    expect(text).toContain('1 muted');
    const record = store.data.mutes.find((m) => m.fingerprint === finding('zed').fingerprint)!;
    expect(record).toMatchObject({ source: 'config', mutedBy: 'config', label: 'mutes[0]', expiresAt: '2027-02-01T00:00:00.000Z', unmutedAt: null });

    const listId = await slash('mutes prod-payments');
    await stub.waitFor(() => postsTo(listId).length > 0, 'the mute list');
    const blocks = postsTo(listId)[0]!.blocks as { block_id: string; text?: { text: string }; accessory?: unknown }[];
    const section = blocks.find((b) => b.block_id === `mute-${record.id}`)!;
    expect(section.text!.text).toContain('Muted by the config (`mutes[0]`)');
    expect(section.text!.text).toContain('Break-glass user, SEC-7 &lt;!here&gt;');
    expect(section.text!.text).toContain('From the config file');
    expect(section.accessory).toBeUndefined();

    // A forged click on a mute from the config: it stays, and the clicker is told where it lives.
    const unmuteUrl = stub.responseUrl();
    await signedPost(url, SECRET, unmuteClick('U0ALICE01', `${record.id} prod-payments`, unmuteUrl));
    await stub.waitFor(() => postsTo(unmuteUrl.split('/').pop()!).length > 0, 'the answer');
    expect(JSON.stringify(postsTo(unmuteUrl.split('/').pop()!)[0]!.blocks)).toContain('written in the config file');
    expect(store.data.mutes.find((m) => m.id === record.id)).toMatchObject({ unmutedAt: null, unmutedBy: null });
  });
});
