/**
 * Guarded one-click fixes through Bolt's real request path: "Fix" in a
 * report's menu, the confirmation only the clicker sees, the fix, the log
 * line in the finding's thread, Undo, the two-person rule and dry runs. The
 * AWS side is the SDK with aws-sdk-client-mock; Slack is the local stub.
 */
import { IAMClient, ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { DescribeDBSnapshotAttributesCommand, ModifyDBSnapshotAttributeCommand, RDSClient } from '@aws-sdk/client-rds';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.js';
import { findingFingerprint } from '../../src/audit/fingerprint.js';
import type { AuditResult, Finding } from '../../src/audit/types.js';
import { parseConfig, type Config } from '../../src/config.js';
import { History } from '../../src/store/history.js';
import { Mutes } from '../../src/store/mutes.js';
import type { FileStore } from '../../src/store/store.js';
import { createLogger } from '../../src/log.js';
import { RemediationService, type ActionRecord } from '../../src/remediation/service.js';
import type { SlackApp } from '../../src/slack/app.js';
import { createBot } from '../../src/serve.js';
import { outcomeText } from '../../src/slack/render/fix.js';
import { AuditService } from '../../src/audit/service.js';
import { fakeSessions } from '../helpers/aws.js';
import { blockActionBody, menuEntries, SlackStub, signedPost, slashCommandBody } from '../helpers/slack.js';
import { tempStore } from '../helpers/store.js';

const SECRET = '0123456789abcdef0123456789abcdef';
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const CREATED = new Date('2024-01-02T03:04:05.000Z');
const CREATED_2 = new Date('2024-03-04T05:06:07.000Z');

function config(extra: string, access = ''): Config {
  return parseConfig(
    `
accounts:
  - alias: prod-payments
    accountId: "123456789012"
    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly
    remediationRoleArn: arn:aws:iam::123456789012:role/AuditRemediation
    regions: [us-east-1]
  - alias: sandbox
    accountId: "210987654321"
    roleArn: arn:aws:iam::210987654321:role/AuditReadOnly
access:
  auditors: [U0ALICE01, U0BOB0001, U0CAROL01, U0MALLORY]
  remediators: [U0ALICE01, U0BOB0001]
${access}${extra}`,
    '/x/audit.config.yml',
  );
}

function keyFinding(accountId = '123456789012'): Finding {
  return {
    checkId: 'iam.access-key-rotation',
    severity: 'high',
    accountId,
    region: 'global',
    resource: { type: 'AWS::IAM::AccessKey', id: 'deploy-bot/access-key-1', arn: `arn:aws:iam::${accountId}:user/deploy-bot` },
    message: 'Access key 1 of deploy-bot is 1,056 days old.',
    fingerprint: findingFingerprint({ checkId: 'iam.access-key-rotation', accountId, region: 'global', resourceId: 'deploy-bot/access-key-1' }),
    details: { userName: 'deploy-bot', keySlot: 1, keyCreatedAt: CREATED.toISOString(), ageDays: 1056, lastUsedAt: null },
    fix: 'iam.deactivate-access-key',
  };
}

const iam = mockClient(IAMClient);
let keyStatus: 'Active' | 'Inactive' = 'Active';
/** How long AWS takes to answer UpdateAccessKey (the new status shows only after it answers). */
let updateDelayMs = 0;
const clients = () => ({
  iam: () => new IAMClient({ region: 'us-east-1' }),
  ec2: (region: string) => new EC2Client({ region }),
  s3: (region: string) => new S3Client({ region }),
  rds: (region: string) => new RDSClient({ region }),
});

const stub = new SlackStub();
beforeAll(() => stub.start());
afterAll(() => stub.stop());
afterEach(() => expect(stub.violations).toEqual([]));

interface Bot {
  slack: SlackApp;
  url: string;
  store: FileStore;
  remediation: RemediationService;
  clock: { now: Date };
  stop(): Promise<void>;
}

async function bot(extra = 'remediation:\n  mode: apply\n', access = '', findings: (accountId: string) => Finding[] = (id) => [keyFinding(id)]): Promise<Bot> {
  const cfg = config(extra, access);
  const { store } = await tempStore();
  const clock = { now: new Date('2026-11-23T12:00:00.000Z') };
  const history = new History(store, { now: () => clock.now });
  const logger = createLogger({ format: 'json', level: 'silent' });
  const audits = new AuditService({
    sessions: fakeSessions(),
    thresholds: cfg.thresholds,
    concurrency: 2,
    logger,
    onFinished: (r, account) => history.record(r, account.alias),
    run: async (options): Promise<AuditResult> => ({
      account: { alias: options.account.alias, accountId: options.account.accountId },
      startedAt: clock.now.toISOString(),
      findings: findings(options.account.accountId),
      errors: [],
      scope: { checkIds: options.checks.map((c) => c.id), regions: ['global'], skippedRegions: [] },
      stats: { durationMs: 1, apiCalls: 1, apiCallsByOperation: {}, httpAttempts: 0, retries: 0, checksRun: 1, byCheck: {} },
    }),
  });
  const remediation = new RemediationService({ config: cfg, store, sessions: fakeSessions(), logger, now: () => clock.now, clients });
  const slack = createBot({
    env: { mode: 'http', botToken: 'xoxb-1-2-abc', signingSecret: SECRET, port: 0, apiUrl: stub.apiUrl },
    config: cfg,
    checks: ALL_CHECKS,
    audits,
    store,
    remediation,
    logger,
    now: () => clock.now,
  });
  const url = `http://127.0.0.1:${(await slack.start(0)).port}/slack/events`;
  return { slack, url, store, remediation, clock, stop: async () => (await slack.stop(), await store.close()) };
}

beforeEach(() => {
  stub.reset();
  iam.reset();
  keyStatus = 'Active';
  updateDelayMs = 0;
  iam
    .on(ListAccessKeysCommand)
    .callsFake(() => ({ AccessKeyMetadata: [{ UserName: 'deploy-bot', AccessKeyId: KEY_ID, Status: keyStatus, CreateDate: CREATED }], IsTruncated: false }));
  iam.on(UpdateAccessKeyCommand).callsFake(async (input: { Status: 'Active' | 'Inactive' }) => {
    if (updateDelayMs > 0) await new Promise((r) => setTimeout(r, updateDelayMs));
    keyStatus = input.Status;
    return {};
  });
});

const postsTo = (url: string) => stub.responseUrlPosts.filter((p) => p.id === url.split('/').pop()).map((p) => p.body);

/** Audits an account in the channel; returns the report's channel, ts and its menu entries. */
async function report(
  b: Bot,
  alias = 'prod-payments',
): Promise<{ channel: string; ts: string; blocks: unknown[]; entries: { group: string; value: string; label: string }[] }> {
  const before = stub.callsOf('chat.postMessage').length;
  await signedPost(b.url, SECRET, slashCommandBody({ text: alias, response_url: stub.responseUrl() }));
  const isReport = (c: { args: Record<string, unknown> }) =>
    c.args.blocks !== undefined && c.args.thread_ts === undefined && String(c.args.text).startsWith('Audit of');
  await stub.waitFor(() => stub.callsOf('chat.postMessage').slice(before).some(isReport), 'the report');
  const call = stub.callsOf('chat.postMessage').slice(before).find(isReport)!;
  const entries = (call.args.blocks as unknown[]).flatMap(menuEntries);
  return { channel: String(call.result!.channel), ts: String(call.result!.ts), blocks: call.args.blocks as unknown[], entries };
}

function choose(user: string, value: string, where: { channel: string; ts: string; blocks?: unknown[] }, responseUrl: string): string {
  return blockActionBody({
    user,
    responseUrl,
    container: { channel: where.channel, ts: where.ts },
    message: { type: 'message', ts: where.ts, text: 'report', ...(where.blocks ? { blocks: where.blocks } : {}) },
    action: {
      type: 'static_select',
      action_id: 'mute_finding',
      block_id: 'findings-1',
      selected_option: { text: { type: 'plain_text', text: 'x' }, value },
      action_ts: '1700000001.1',
    },
  });
}

/** A button click; `where` is the message it is on (ephemeral: the confirmation). */
function click(
  user: string,
  actionId: string,
  value: string,
  responseUrl: string,
  where: { channel: string; ts: string } | 'ephemeral' = 'ephemeral',
  actionTs = `${Date.now()}.${Math.floor(Math.random() * 1e6)}`,
): string {
  return blockActionBody({
    user,
    responseUrl,
    container: where === 'ephemeral' ? { channel: 'C0AUDIT01', ts: '1700000000.000900', ephemeral: true } : where,
    action: { type: 'button', action_id: actionId, block_id: 'x', value, action_ts: actionTs },
  });
}

/** Chooses "Fix" and returns the confirmation posted to the clicker (and its buttons). */
async function confirmation(b: Bot, user: string, posted: { channel: string; ts: string; blocks?: unknown[]; entries: { group: string; value: string }[] }) {
  const fix = posted.entries.find((e) => e.group === 'Fix')!;
  const responseUrl = stub.responseUrl();
  await signedPost(b.url, SECRET, choose(user, fix.value, posted, responseUrl));
  await stub.waitFor(() => postsTo(responseUrl).length > 0, 'the confirmation');
  const body = postsTo(responseUrl)[0]!;
  const buttons = ((body.blocks as { type: string; elements?: { action_id: string; value: string }[] }[] | undefined) ?? []).flatMap((x) =>
    x.type === 'actions' ? (x.elements ?? []) : [],
  );
  return { body, buttons, responseUrl };
}

/** Presses the confirmation's apply button as `user`; returns the answer the clicker got. */
async function pressApply(b: Bot, user: string, buttons: { action_id: string; value: string }[]): Promise<string> {
  const answer = stub.responseUrl();
  await signedPost(b.url, SECRET, click(user, 'remediate_apply', buttons.find((x) => x.action_id === 'remediate_apply')!.value, answer));
  await stub.waitFor(() => postsTo(answer).length > 0, 'the answer');
  return String(postsTo(answer)[0]!.text);
}

/** What a refused entry's log line says after "not done, ". */
const notDone = (r: ActionRecord) => outcomeText(r).split(': not done, ')[1] ?? '';
const applied = (b: Bot) => b.store.data.actions.filter((r) => r.result === 'applied');
const updates = () => iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input);

describe('one-click fixes through Slack', () => {
  it('confirms exactly what will change, fixes once, logs it in the thread with Undo, and undoes it', async () => {
    const b = await bot();
    const posted = await report(b);
    expect(posted.entries.filter((e) => e.group === 'Fix').map((e) => e.label)).toEqual(['deploy-bot/access-key-1']);
    const { body, buttons } = await confirmation(b, 'U0ALICE01', posted);
    expect(body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(JSON.stringify(body.blocks)).toContain('Deactivate access key AKIA…MPLE of IAM user deploy-bot in 123456789012 (prod-payments)');
    expect(updates()).toEqual([]); // the confirmation only read
    const apply = buttons.find((x) => x.action_id === 'remediate_apply')!;
    expect(apply.value).toMatch(/^[0-9a-f-]{36}:[0-9a-f]{32} [0-9a-f-]{36}$/); // a finding reference and a request id, nothing AWS

    const answerUrl = stub.responseUrl();
    await signedPost(b.url, SECRET, click('U0ALICE01', 'remediate_apply', apply.value, answerUrl));
    await stub.waitFor(() => postsTo(answerUrl).length > 0, 'the outcome');
    expect(updates()).toEqual([{ UserName: 'deploy-bot', AccessKeyId: KEY_ID, Status: 'Inactive' }]);
    expect(String(postsTo(answerUrl)[0]!.text)).toMatch(/^:white_check_mark: Deactivated by <@U0ALICE01> at <!date\^\d+\^/);
    // Everyone sees it in the finding's thread, with Undo.
    await stub.waitFor(() => stub.callsOf('chat.postMessage').some((c) => c.args.thread_ts === posted.ts), 'the thread note');
    const note = stub.callsOf('chat.postMessage').find((c) => c.args.thread_ts === posted.ts)!;
    expect(note.args.channel).toBe(posted.channel);
    expect(JSON.stringify(note.args.blocks)).toContain('remediate_undo');
    const log = applied(b);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      user: 'U0ALICE01',
      action: 'iam.deactivate-access-key',
      alias: 'prod-payments',
      change: expect.stringContaining('AKIA…MPLE'),
      state: { userName: 'deploy-bot', accessKeyIds: [KEY_ID] },
    });
    // The report itself says so, under its last block.
    await stub.waitFor(() => stub.callsOf('chat.update').some((c) => c.args.ts === posted.ts), 'the report updated');
    const updated = stub.callsOf('chat.update').find((c) => c.args.ts === posted.ts)!.args.blocks as { type: string; elements?: { text: string }[] }[];
    expect(updated.length).toBe(posted.blocks.length + 1);
    expect(updated.at(-1)!.elements![0]!.text).toMatch(/^:white_check_mark: Deactivated by <@U0ALICE01> at .* · Undo in the thread$/);

    // Undo, from the thread note: the key is active again, the note says so.
    const undoUrl = stub.responseUrl();
    await signedPost(b.url, SECRET, click('U0BOB0001', 'remediate_undo', log[0]!.id, undoUrl, { channel: posted.channel, ts: String(note.result!.ts) }));
    await stub.waitFor(() => stub.callsOf('chat.update').some((c) => c.args.ts === note.result!.ts), 'the note updated');
    expect(updates().at(-1)).toEqual({ UserName: 'deploy-bot', AccessKeyId: KEY_ID, Status: 'Active' });
    expect(String(stub.callsOf('chat.update').find((c) => c.args.ts === note.result!.ts)!.args.text)).toContain('undone by <@U0BOB0001>');
    expect(await b.remediation.record(log[0]!.id)).toMatchObject({ undoneBy: 'U0BOB0001' });
    // The report's line says so, in place of the first one.
    await stub.waitFor(() => stub.callsOf('chat.update').filter((c) => c.args.ts === posted.ts).length === 2, 'the report marked again');
    const marked = stub
      .callsOf('chat.update')
      .filter((c) => c.args.ts === posted.ts)
      .at(-1)!.args.blocks as { elements?: { text: string }[] }[];
    expect(marked.length).toBe(posted.blocks.length + 1);
    expect(marked.at(-1)!.elements![0]!.text).toContain('undone by <@U0BOB0001>');
    expect(b.store.data.actions.map((r) => r.result)).toEqual(['applied', 'undone']);
    // Undo again (from another copy of the button): already undone, nothing more logged or written.
    const again = stub.responseUrl();
    await signedPost(b.url, SECRET, click('U0ALICE01', 'remediate_undo', log[0]!.id, again));
    await stub.waitFor(() => postsTo(again).length > 0, 'the answer');
    expect(String(postsTo(again).at(-1)!.text)).toContain('undone by <@U0BOB0001>');
    expect(b.store.data.actions.map((r) => r.result)).toEqual(['applied', 'undone']);
    expect(updates()).toHaveLength(2);
    await b.stop();
  });

  it('makes a public RDS snapshot private from the report, keeping its account shares, and undoes it', async () => {
    const rds = mockClient(RDSClient);
    let restore = ['all', '210987654321'];
    rds.on(DescribeDBSnapshotAttributesCommand).callsFake(() => ({
      DBSnapshotAttributesResult: { DBSnapshotIdentifier: 'orders-dump', DBSnapshotAttributes: [{ AttributeName: 'restore', AttributeValues: restore }] },
    }));
    rds.on(ModifyDBSnapshotAttributeCommand).callsFake((input: { ValuesToAdd?: string[]; ValuesToRemove?: string[] }) => {
      restore = [...restore.filter((v) => !input.ValuesToRemove?.includes(v)), ...(input.ValuesToAdd ?? [])];
      return {};
    });
    const snapshotFinding = (accountId: string): Finding => ({
      checkId: 'rds.public-snapshot',
      severity: 'critical',
      accountId,
      region: 'eu-west-1',
      resource: { type: 'AWS::RDS::DBSnapshot', id: 'orders-dump', arn: `arn:aws:rds:eu-west-1:${accountId}:snapshot:orders-dump` },
      message: 'Manual DB snapshot orders-dump (of orders, postgres, unencrypted) is public: any AWS account can restore it and read the data.',
      fingerprint: findingFingerprint({ checkId: 'rds.public-snapshot', accountId, region: 'eu-west-1', resourceId: 'orders-dump' }),
      details: {
        snapshotId: 'orders-dump',
        snapshotKind: 'db',
        snapshotArn: null,
        sourceId: 'orders',
        engine: 'postgres',
        encrypted: false,
        createdAt: null,
        sharedWith: '210987654321',
      },
      fix: 'rds.make-snapshot-private',
    });
    try {
      const b = await bot(undefined, undefined, (id) => [snapshotFinding(id)]);
      const posted = await report(b);
      expect(posted.entries.filter((e) => e.group === 'Fix').map((e) => e.label)).toEqual(['orders-dump · eu-west-1']);
      const { body, buttons } = await confirmation(b, 'U0ALICE01', posted);
      expect(JSON.stringify(body.blocks)).toContain(
        'Remove public restore access from DB snapshot orders-dump; the account it is shared with (210987654321) keeps access',
      );
      expect(rds.commandCalls(ModifyDBSnapshotAttributeCommand)).toHaveLength(0);
      expect(buttons.find((x) => x.action_id === 'remediate_apply')).toBeDefined();
      expect(await pressApply(b, 'U0ALICE01', buttons)).toMatch(/^:white_check_mark: Made private by <@U0ALICE01>/);
      expect(rds.commandCalls(ModifyDBSnapshotAttributeCommand).map((c) => c.args[0].input)).toEqual([
        { DBSnapshotIdentifier: 'orders-dump', AttributeName: 'restore', ValuesToRemove: ['all'] },
      ]);
      expect(restore).toEqual(['210987654321']);
      const log = applied(b);
      expect(log).toMatchObject([{ action: 'rds.make-snapshot-private', state: { kind: 'db', snapshotId: 'orders-dump', region: 'eu-west-1' } }]);

      const undoUrl = stub.responseUrl();
      await signedPost(b.url, SECRET, click('U0ALICE01', 'remediate_undo', log[0]!.id, undoUrl));
      await stub.waitFor(() => b.store.data.actions.some((r) => r.result === 'undone'), 'the undo');
      expect(rds.commandCalls(ModifyDBSnapshotAttributeCommand).at(-1)!.args[0].input).toEqual({
        DBSnapshotIdentifier: 'orders-dump',
        AttributeName: 'restore',
        ValuesToAdd: ['all'],
      });
      expect(restore).toEqual(['210987654321', 'all']);
      await b.stop();
    } finally {
      rds.restore();
    }
  });

  it('acts once for a replayed payload and for concurrent clicks: one AWS write, one log entry', async () => {
    const b = await bot();
    const posted = await report(b);
    const first = await confirmation(b, 'U0ALICE01', posted);
    const second = await confirmation(b, 'U0BOB0001', posted);
    const a = first.buttons.find((x) => x.action_id === 'remediate_apply')!.value;
    const c = second.buttons.find((x) => x.action_id === 'remediate_apply')!.value;
    const replay = click('U0ALICE01', 'remediate_apply', a, stub.responseUrl(), 'ephemeral', '1700000009.000001');
    // AWS is slow to answer: without one fix at a time per account, both clicks would still find the key active.
    updateDelayMs = 150;
    await Promise.all([
      signedPost(b.url, SECRET, replay),
      signedPost(b.url, SECRET, replay),
      signedPost(b.url, SECRET, click('U0BOB0001', 'remediate_apply', c, stub.responseUrl())),
    ]);
    await stub.waitFor(() => stub.responseUrlPosts.filter((p) => p.body.replace_original === true).length >= 2, 'the answers');
    await new Promise((r) => setTimeout(r, 100));
    expect(updates()).toHaveLength(1);
    expect(applied(b)).toHaveLength(1);
    expect(b.store.data.actions.filter((r) => r.result !== 'applied')).toEqual([]);
    await b.stop();
  });

  it('refuses a non-remediator, an account without a remediation role, a muted finding, and a stale precheck', async () => {
    const b = await bot();
    const posted = await report(b);
    const fixValue = posted.entries.find((e) => e.group === 'Fix')!.value;

    const refused = stub.responseUrl();
    await signedPost(b.url, SECRET, choose('U0CAROL01', fixValue, posted, refused));
    await stub.waitFor(() => postsTo(refused).length > 0, 'the refusal');
    expect(String(postsTo(refused)[0]!.text)).toContain('access.remediators');
    expect(iam.commandCalls(ListAccessKeysCommand)).toHaveLength(0);

    // sandbox has no remediation role: no Fix entries; a forged one is refused.
    const sandbox = await report(b, 'sandbox');
    expect(sandbox.entries.filter((e) => e.group === 'Fix')).toEqual([]);
    const forged = `fix:${sandbox.entries.find((e) => e.group === 'Mute')!.value}`;
    const noRole = stub.responseUrl();
    await signedPost(b.url, SECRET, choose('U0ALICE01', forged, sandbox, noRole));
    await stub.waitFor(() => postsTo(noRole).length > 0, 'the refusal');
    expect(String(postsTo(noRole)[0]!.text)).toContain('no `remediationRoleArn`');

    // A confirmation, then the key is deactivated by hand before the click: nothing is done.
    const { buttons } = await confirmation(b, 'U0ALICE01', posted);
    keyStatus = 'Inactive';
    const stale = stub.responseUrl();
    await signedPost(b.url, SECRET, click('U0ALICE01', 'remediate_apply', buttons.find((x) => x.action_id === 'remediate_apply')!.value, stale));
    await stub.waitFor(() => postsTo(stale).length > 0, 'the stale answer');
    expect(String(postsTo(stale)[0]!.text)).toContain('not done');
    expect(updates()).toEqual([]);

    // Muted: refused before any AWS call.
    keyStatus = 'Active';
    const state = b.store.data.findings.find((f) => f.checkId === 'iam.access-key-rotation' && f.accountId === '123456789012')!;
    await new Mutes(b.store).mute({
      state: state as never,
      reason: 'break-glass',
      mutedBy: 'U0ALICE01',
      expiresAt: '2026-12-24T00:00:00.000Z',
      now: b.clock.now,
    });
    const reads = iam.commandCalls(ListAccessKeysCommand).length;
    const muted = stub.responseUrl();
    await signedPost(b.url, SECRET, choose('U0ALICE01', fixValue, posted, muted));
    await stub.waitFor(() => postsTo(muted).length > 0, 'the muted refusal');
    expect(String(postsTo(muted)[0]!.text)).toContain('muted');
    // Everyone sees the refused attempt in the finding's thread.
    await stub.waitFor(
      () => stub.callsOf('chat.postMessage').some((c) => c.args.thread_ts === posted.ts && String(c.args.text).includes('muted')),
      'the refusal in the thread',
    );
    expect(iam.commandCalls(ListAccessKeysCommand)).toHaveLength(reads);

    // The log keeps reason codes; the renderer words them (the log line in the thread).
    const results = b.store.data.actions.map((r) => [r.user, r.result, r.why?.code, notDone(r).slice(0, 30)]);
    expect(results).toEqual([
      ['U0CAROL01', 'refused', 'not-remediator', 'Only the people in `access.rem'],
      ['U0ALICE01', 'refused', 'fixes-off', 'Fixes are off in sandbox: it h'],
      ['U0ALICE01', 'refused', 'nothing-to-do', 'the precheck found nothing to '],
      ['U0ALICE01', 'refused', 'muted', expect.stringContaining('muted')],
    ]);
    await b.stop();
  });

  it('Cancel ends the confirmation: its button then does nothing, and a double click of it is refused and logged once', async () => {
    const b = await bot();
    const posted = await report(b);
    const { buttons, responseUrl } = await confirmation(b, 'U0ALICE01', posted);
    const cancel = buttons.find((x) => x.action_id === 'remediate_cancel')!;
    await signedPost(b.url, SECRET, click('U0ALICE01', 'remediate_cancel', cancel.value, responseUrl));
    await stub.waitFor(() => postsTo(responseUrl).some((p) => String(p.text).startsWith('Cancelled')), 'the cancellation');
    const apply = buttons.find((x) => x.action_id === 'remediate_apply')!.value;
    const [one, two] = [stub.responseUrl(), stub.responseUrl()];
    await Promise.all([
      signedPost(b.url, SECRET, click('U0ALICE01', 'remediate_apply', apply, one)),
      signedPost(b.url, SECRET, click('U0ALICE01', 'remediate_apply', apply, two)),
    ]);
    await stub.waitFor(() => postsTo(one).length > 0 && postsTo(two).length > 0, 'both answers');
    expect(String(postsTo(one)[0]!.text)).toContain('expired');
    expect(updates()).toEqual([]);
    expect(b.store.data.actions.map((r) => [r.result, r.why?.code, notDone(r).slice(0, 30)])).toEqual([
      ['refused', 'confirmation-expired', 'That confirmation has expired '],
    ]);
    await b.stop();
  });

  it('in dry-run mode (the default) says what would change and changes nothing', async () => {
    const b = await bot('');
    const posted = await report(b);
    const { buttons, body } = await confirmation(b, 'U0ALICE01', posted);
    expect(JSON.stringify(body.blocks)).toContain('Dry run');
    const answer = await pressApply(b, 'U0ALICE01', buttons);
    expect(answer).toContain('Dry run by <@U0ALICE01>');
    expect(answer).toContain('would deactivate access key AKIA…MPLE');
    expect(updates()).toEqual([]);
    expect(b.store.data.actions.map((r) => r.result)).toEqual(['dry-run']);
    await b.stop();
  });

  it('under the two-person rule: the click files a request in the thread; the requester cannot approve it; another remediator can', async () => {
    const b = await bot('remediation:\n  mode: apply\n', '  requireApproval: true\n');
    const posted = await report(b);
    const { buttons } = await confirmation(b, 'U0ALICE01', posted);
    expect(buttons.map((x) => x.action_id)).toEqual(['remediate_request', 'remediate_cancel']);
    await signedPost(b.url, SECRET, click('U0ALICE01', 'remediate_request', buttons[0]!.value, stub.responseUrl()));
    const isRequest = (c: { args: Record<string, unknown> }) => c.args.thread_ts === posted.ts && JSON.stringify(c.args.blocks).includes('remediate_approve');
    await stub.waitFor(() => stub.callsOf('chat.postMessage').some(isRequest), 'the request in the thread');
    const message = stub.callsOf('chat.postMessage').find(isRequest)!;
    expect(String(message.args.text)).toContain('<@U0ALICE01> asks to fix: Deactivate access key');
    const request = b.store.data.actions.find((r) => r.result === 'requested')!;
    const where = { channel: posted.channel, ts: String(message.result!.ts) };

    const own = stub.responseUrl();
    await signedPost(b.url, SECRET, click('U0ALICE01', 'remediate_approve', request.id, own, where));
    await stub.waitFor(() => postsTo(own).length > 0, 'the refusal');
    expect(String(postsTo(own)[0]!.text)).toContain('another remediator must approve');
    const outsider = stub.responseUrl();
    await signedPost(b.url, SECRET, click('U0CAROL01', 'remediate_approve', request.id, outsider, where));
    await stub.waitFor(() => postsTo(outsider).length > 0, 'the refusal');
    expect(updates()).toEqual([]);

    await signedPost(b.url, SECRET, click('U0BOB0001', 'remediate_approve', request.id, stub.responseUrl(), where));
    await stub.waitFor(() => stub.callsOf('chat.update').length > 0, 'the request updated');
    expect(updates()).toEqual([{ UserName: 'deploy-bot', AccessKeyId: KEY_ID, Status: 'Inactive' }]);
    expect(String(stub.callsOf('chat.update')[0]!.args.text)).toMatch(/Deactivated by <@U0ALICE01>, approved by <@U0BOB0001>/);
    // The report gets its line too.
    await stub.waitFor(() => stub.callsOf('chat.update').some((c) => c.args.ts === posted.ts), 'the report marked');
    const line = (stub.callsOf('chat.update').find((c) => c.args.ts === posted.ts)!.args.blocks as { elements?: { text: string }[] }[]).at(-1)!.elements![0]!
      .text;
    expect(line).toMatch(/^:white_check_mark: Deactivated by <@U0ALICE01>, approved by <@U0BOB0001> at .* · Undo in the thread$/);
    // A second approval (a double click) does nothing more.
    await signedPost(b.url, SECRET, click('U0BOB0001', 'remediate_approve', request.id, stub.responseUrl(), where));
    await new Promise((r) => setTimeout(r, 100));
    expect(updates()).toHaveLength(1);
    expect(b.store.data.actions.map((r) => [r.result, r.user, r.approvedBy ?? null])).toEqual([
      ['requested', 'U0ALICE01', null],
      ['refused', 'U0ALICE01', null],
      ['refused', 'U0CAROL01', null],
      ['applied', 'U0ALICE01', 'U0BOB0001'],
    ]);
    await b.stop();
  });

  it('offers Undo for 24 hours only', async () => {
    const b = await bot();
    const posted = await report(b);
    const { buttons } = await confirmation(b, 'U0ALICE01', posted);
    const answer = stub.responseUrl();
    await signedPost(b.url, SECRET, click('U0ALICE01', 'remediate_apply', buttons.find((x) => x.action_id === 'remediate_apply')!.value, answer));
    await stub.waitFor(() => applied(b).length === 1, 'the fix');
    b.clock.now = new Date(b.clock.now.getTime() + 24 * 3600_000 + 1);
    const late = stub.responseUrl();
    await signedPost(b.url, SECRET, click('U0ALICE01', 'remediate_undo', applied(b)[0]!.id, late));
    await stub.waitFor(() => postsTo(late).length > 0, 'the refusal');
    expect(String(postsTo(late)[0]!.text)).toContain('24 hours');
    expect(updates()).toHaveLength(1);
    await b.stop();
  });

  it("refuses what the server did not confirm: an apply under the two-person rule, a resolved or unknown finding, someone else's button, a finding muted after the confirmation", async () => {
    const b = await bot('remediation:\n  mode: apply\n', '  requireApproval: true\n');
    const posted = await report(b);
    const { buttons } = await confirmation(b, 'U0ALICE01', posted);
    const request = buttons.find((x) => x.action_id === 'remediate_request')!;
    // A forged "apply" with the request button's value: the confirmation was made under the rule.
    const forged = stub.responseUrl();
    await signedPost(b.url, SECRET, click('U0ALICE01', 'remediate_apply', request.value, forged));
    await stub.waitFor(() => postsTo(forged).length > 0, 'the refusal');
    expect(String(postsTo(forged)[0]!.text)).toContain('settings');
    // Someone else (not even a remediator) pressing the request button of Alice's confirmation.
    const mallory = stub.responseUrl();
    await signedPost(b.url, SECRET, click('U0MALLORY', 'remediate_request', request.value, mallory));
    await stub.waitFor(() => postsTo(mallory).length > 0, 'the refusal');
    expect(String(postsTo(mallory)[0]!.text)).toContain('someone else');
    // An unknown finding (a made-up fingerprint in a real scan).
    const fixValue = posted.entries.find((e) => e.group === 'Fix')!.value;
    const unknown = stub.responseUrl();
    await signedPost(b.url, SECRET, choose('U0ALICE01', fixValue.replace(/[0-9a-f]{32}$/, '0'.repeat(32)), posted, unknown));
    await stub.waitFor(() => postsTo(unknown).length > 0, 'the refusal');
    expect(String(postsTo(unknown)[0]!.text)).toMatch(/:no_entry: .*(no longer|not|unknown)/i);
    // Muted after the confirmation: the request is refused.
    const late = await confirmation(b, 'U0ALICE01', posted);
    const state = () => b.store.data.findings.find((f) => f.checkId === 'iam.access-key-rotation' && f.accountId === '123456789012')!;
    await new Mutes(b.store).mute({ state: state() as never, reason: 'known', mutedBy: 'U0ALICE01', expiresAt: '2026-12-24T00:00:00.000Z', now: b.clock.now });
    const muted = stub.responseUrl();
    await signedPost(b.url, SECRET, click('U0ALICE01', 'remediate_request', late.buttons[0]!.value, muted));
    await stub.waitFor(() => postsTo(muted).length > 0, 'the refusal');
    expect(String(postsTo(muted)[0]!.text)).toContain('muted');
    expect(stub.callsOf('chat.postMessage').filter((c) => JSON.stringify(c.args.blocks ?? '').includes('remediate_approve'))).toEqual([]);
    // Resolved: a later audit no longer finds it.
    await b.store.update((data) => {
      data.mutes.length = 0;
      const s = data.findings.find((f) => f.fingerprint === state().fingerprint)!;
      s.resolvedAt = b.clock.now.toISOString();
    });
    const resolved = stub.responseUrl();
    await signedPost(b.url, SECRET, choose('U0ALICE01', fixValue, posted, resolved));
    await stub.waitFor(() => postsTo(resolved).length > 0, 'the refusal');
    expect(String(postsTo(resolved)[0]!.text)).toContain('resolved');
    expect(updates()).toEqual([]);
    expect(b.store.data.actions.map((r) => [r.user, r.result])).toEqual([
      ['U0ALICE01', 'refused'],
      ['U0MALLORY', 'refused'],
      ['U0ALICE01', 'refused'],
      ['U0ALICE01', 'refused'],
      ['U0ALICE01', 'refused'],
    ]);
    await b.stop();
  });

  it('refuses to act when AWS changed between the confirmation and the click (the key was replaced)', async () => {
    const b = await bot();
    const posted = await report(b);
    const { buttons } = await confirmation(b, 'U0ALICE01', posted);
    // Same user, same creation second, another key id: not the key the remediator was shown.
    iam.on(ListAccessKeysCommand).resolves({
      AccessKeyMetadata: [{ UserName: 'deploy-bot', AccessKeyId: 'AKIAOTHERKEY0000ZZZZ', Status: 'Active', CreateDate: CREATED }],
      IsTruncated: false,
    });
    const answer = await pressApply(b, 'U0ALICE01', buttons);
    expect(answer).toContain('AWS changed since the confirmation');
    expect(answer).toContain('AKIA…ZZZZ');
    expect(updates()).toEqual([]);
    expect(b.store.data.actions.map((r) => r.result)).toEqual(['refused']);
    await b.stop();
  });

  it('an approval after the finding was muted is refused; a decided request is decided once; Undo by a non-remediator is refused and logged', async () => {
    const b = await bot('remediation:\n  mode: apply\n', '  requireApproval: true\n');
    const posted = await report(b);
    const { buttons } = await confirmation(b, 'U0ALICE01', posted);
    await signedPost(b.url, SECRET, click('U0ALICE01', 'remediate_request', buttons[0]!.value, stub.responseUrl()));
    await stub.waitFor(() => b.store.data.actions.some((r) => r.result === 'requested'), 'the request');
    const request = b.store.data.actions.find((r) => r.result === 'requested')!;
    const state = b.store.data.findings.find((f) => f.checkId === 'iam.access-key-rotation' && f.accountId === '123456789012')!;
    await new Mutes(b.store).mute({
      state: state as never,
      reason: 'accepted risk',
      mutedBy: 'U0BOB0001',
      expiresAt: '2026-12-24T00:00:00.000Z',
      now: b.clock.now,
    });
    // Approve and Reject at once: one decision.
    const approve = stub.responseUrl();
    const reject = stub.responseUrl();
    await Promise.all([
      signedPost(b.url, SECRET, click('U0BOB0001', 'remediate_approve', request.id, approve)),
      signedPost(b.url, SECRET, click('U0BOB0001', 'remediate_reject', request.id, reject)),
    ]);
    await stub.waitFor(() => postsTo(approve).length > 0 && postsTo(reject).length > 0, 'both answers');
    expect(updates()).toEqual([]);
    const after = b.store.data.actions as unknown as ActionRecord[];
    expect(after.filter((r) => r.requestId === `decision:${request.id}`)).toHaveLength(1);
    expect(await b.remediation.record(request.id)).toMatchObject({ decidedBy: 'U0BOB0001' });
    await b.stop();

    // Undo by someone who may audit but not fix.
    const c = await bot();
    const report2 = await report(c);
    const conf = await confirmation(c, 'U0ALICE01', report2);
    await signedPost(
      c.url,
      SECRET,
      click('U0ALICE01', 'remediate_apply', conf.buttons.find((x) => x.action_id === 'remediate_apply')!.value, stub.responseUrl()),
    );
    await stub.waitFor(() => applied(c).length === 1, 'the fix');
    const carol = stub.responseUrl();
    await signedPost(c.url, SECRET, click('U0CAROL01', 'remediate_undo', applied(c)[0]!.id, carol));
    await stub.waitFor(() => postsTo(carol).length > 0, 'the refusal');
    expect(String(postsTo(carol)[0]!.text)).toContain('access.remediators');
    expect(updates()).toHaveLength(1);
    expect(c.store.data.actions.map((r) => [r.user, r.result, r.why?.code ?? null, r.result === 'refused' ? notDone(r) : null])).toEqual([
      ['U0ALICE01', 'applied', null, null],
      ['U0CAROL01', 'refused', 'undo-not-remediator', 'not a remediator'],
    ]);
    await c.stop();
  });

  it('a request from a report only its reader saw goes to the other remediators privately, not to the channel; one Slack could not deliver is withdrawn', async () => {
    const b = await bot('remediation:\n  mode: apply\n', '  requireApproval: true\n');
    const posted = await report(b);
    // The same report, shown ephemerally (no thread): the menu choice comes from an ephemeral container.
    const fix = posted.entries.find((e) => e.group === 'Fix')!;
    const responseUrl = stub.responseUrl();
    await signedPost(
      b.url,
      SECRET,
      blockActionBody({
        user: 'U0ALICE01',
        responseUrl,
        container: { channel: 'C0AUDIT01', ts: '1700000000.000500', ephemeral: true },
        action: {
          type: 'static_select',
          action_id: 'mute_finding',
          block_id: 'findings-1',
          selected_option: { text: { type: 'plain_text', text: 'x' }, value: fix.value },
          action_ts: '1700000001.2',
        },
      }),
    );
    await stub.waitFor(() => postsTo(responseUrl).length > 0, 'the confirmation');
    const value = (postsTo(responseUrl)[0]!.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find((x) => x.type === 'actions')!
      .elements![0]!.value;
    const before = stub.callsOf('chat.postMessage').length;
    const answer = stub.responseUrl();
    await signedPost(b.url, SECRET, click('U0ALICE01', 'remediate_request', value, answer));
    await stub.waitFor(() => postsTo(answer).length > 0, 'the answer');
    const posts = stub.callsOf('chat.postMessage').slice(before);
    expect(posts.map((c) => c.args.channel)).toEqual(['U0BOB0001']);
    expect(String(postsTo(answer)[0]!.text)).toContain('<@U0BOB0001> in their messages with the app');

    // Slack refuses the post: the request is withdrawn, not left waiting.
    stub.on('chat.postMessage', () => ({ ok: false, error: 'channel_not_found' }));
    const second = await confirmation(b, 'U0ALICE01', posted);
    const failed = stub.responseUrl();
    await signedPost(b.url, SECRET, click('U0ALICE01', 'remediate_request', second.buttons[0]!.value, failed));
    await stub.waitFor(() => postsTo(failed).length > 0, 'the answer');
    expect(String(postsTo(failed)[0]!.text)).toContain('could not be posted');
    const log = b.store.data.actions;
    expect(log.map((r) => r.result)).toEqual(['requested', 'failed']);
    expect(log[1]!.why).toEqual({ code: 'request-not-posted', error: expect.stringContaining('channel_not_found') });
    expect(outcomeText(log[1]!)).toContain('the request could not be posted: Slack refused it');
    expect(updates()).toEqual([]);
    await b.stop();
  });

  it("marks the report with each finding's outcome, keeping the others' lines (approved fixes and undos too)", async () => {
    const second: Finding = {
      ...keyFinding(),
      resource: { type: 'AWS::IAM::AccessKey', id: 'deploy-bot/access-key-2' },
      fingerprint: findingFingerprint({
        checkId: 'iam.access-key-rotation',
        accountId: '123456789012',
        region: 'global',
        resourceId: 'deploy-bot/access-key-2',
      }),
      details: { userName: 'deploy-bot', keySlot: 2, keyCreatedAt: CREATED_2.toISOString(), ageDays: 1000, lastUsedAt: null },
    };
    const b = await bot('', '', (id) => [keyFinding(id), ...(id === '123456789012' ? [second] : [])]);
    iam.on(ListAccessKeysCommand).callsFake(() => ({
      AccessKeyMetadata: [
        { UserName: 'deploy-bot', AccessKeyId: KEY_ID, Status: keyStatus, CreateDate: CREATED },
        { UserName: 'deploy-bot', AccessKeyId: 'AKIASECONDKEY000WXYZ', Status: 'Active', CreateDate: CREATED_2 },
      ],
      IsTruncated: false,
    }));
    const posted = await report(b);
    const fixes = posted.entries.filter((e) => e.group === 'Fix');
    expect(fixes).toHaveLength(2);
    // Both confirmations are opened from the report as first posted (the second click carries the old blocks).
    const dryRun = async (value: string) => {
      const url = stub.responseUrl();
      await signedPost(b.url, SECRET, choose('U0ALICE01', value, posted, url));
      await stub.waitFor(() => postsTo(url).length > 0, 'the confirmation');
      const apply = (postsTo(url)[0]!.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find((x) => x.type === 'actions')!
        .elements![0]!.value;
      const answer = stub.responseUrl();
      await signedPost(b.url, SECRET, click('U0ALICE01', 'remediate_apply', apply, answer));
      await stub.waitFor(() => postsTo(answer).length > 0, 'the dry run');
    };
    await dryRun(fixes[0]!.value);
    await dryRun(fixes[1]!.value);
    await stub.waitFor(() => stub.callsOf('chat.update').filter((c) => c.args.ts === posted.ts).length === 2, 'two updates');
    const last = stub
      .callsOf('chat.update')
      .filter((c) => c.args.ts === posted.ts)
      .at(-1)!.args.blocks as { block_id?: string; type: string }[];
    expect(last.length).toBe(posted.blocks.length + 2);
    expect(last.slice(-2).map((x) => x.type)).toEqual(['context', 'context']);
    await b.stop();
  });
});
