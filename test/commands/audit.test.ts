/**
 * The Slack app through Bolt's real request path: an HTTP-mode app on a free
 * port, signed requests to /slack/events, the Web API and response_urls
 * served by a local stub that refuses what Slack would refuse.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.js';
import { findingFingerprint } from '../../src/audit/fingerprint.js';
import type { RunAuditOptions } from '../../src/audit/runner.js';
import type { AuditResult, Finding, Severity } from '../../src/audit/types.js';
import { type AccountConfig, parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { History } from '../../src/store/history.js';
import type { FileStore } from '../../src/store/store.js';
import type { SlackApp } from '../../src/slack/app.js';
import { createBot } from '../../src/serve.js';
import { AuditService } from '../../src/audit/service.js';
import { fakeSessions } from '../helpers/aws.js';
import { tempStore } from '../helpers/store.js';
import { interactionBody, SlackStub, signedPost, slashCommandBody } from '../helpers/slack.js';

const SECRET = '0123456789abcdef0123456789abcdef';
const BOT_TOKEN = 'xoxb-1111111111-2222222222-abcdefABCDEF123456';

const CONFIG = parseConfig(
  `
accounts:
  - alias: prod-payments
    accountId: "123456789012"
    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly
    regions: [us-east-1]
    channels: [C0AUDIT01]
  - alias: sandbox
    accountId: "210987654321"
    roleArn: arn:aws:iam::210987654321:role/AuditReadOnly
access:
  auditors: [U0ALICE01, U0BOB0001, S0SECTEAM]
`,
  '/x/audit.config.yml',
);

function finding(i: number, severity: Severity, resourceId = `user-${i}`): Finding {
  return {
    checkId: 'iam.user-console-mfa',
    severity,
    accountId: '123456789012',
    region: 'global',
    resource: { type: 'AWS::IAM::User', id: resourceId },
    message: `User ${resourceId} can sign in to the console without MFA.`,
    fingerprint: findingFingerprint({ checkId: 'iam.user-console-mfa', accountId: '123456789012', region: 'global', resourceId }),
  };
}

function result(options: RunAuditOptions, findings: Finding[]): AuditResult {
  return {
    account: { alias: options.account.alias, accountId: options.account.accountId },
    startedAt: '2026-11-23T12:00:00.000Z',
    findings,
    errors: [],
    scope: { checkIds: options.checks.map((c) => c.id), regions: ['global', 'us-east-1'], skippedRegions: [] },
    stats: { durationMs: 1234, apiCalls: 42, apiCallsByOperation: {}, httpAttempts: 0, retries: 0, checksRun: options.checks.length, byCheck: {} },
  };
}

const stub = new SlackStub();
let slack: SlackApp;
let url: string;
let runs: RunAuditOptions[] = [];
let findings: Finding[] = [];
let auditMs = 0;
/** While set, audits hold before they finish: a test decides when, so nothing depends on the machine's speed. */
let gate: { promise: Promise<void>; release: () => void } | undefined;
function holdAudits(): () => void {
  let release!: () => void;
  gate = { promise: new Promise<void>((r) => (release = r)), release: () => release() };
  return () => {
    gate?.release();
    gate = undefined;
  };
}
const logLines: string[] = [];
let store: FileStore;
const refreshes: { force?: boolean }[] = [];
let discoverNext: AccountConfig | undefined;

beforeAll(async () => {
  await stub.start();
  ({ store } = await tempStore());
  const history = new History(store);
  // No secrets list and debug level: what keeps tokens out is the code and the pattern scrubber, not value matching.
  const logger = createLogger({ format: 'json', level: 'debug', write: (line) => logLines.push(line) });
  const audits = new AuditService({
    sessions: fakeSessions(),
    thresholds: CONFIG.thresholds,
    concurrency: 4,
    logger,
    onFinished: (r, account) => history.record(r, account.alias),
    run: async (options) => {
      runs.push(options);
      // Progress as the runner reports it, spread over the audit's time.
      const steps = 6;
      options.onProgress?.({ done: 0, total: steps });
      for (let done = 1; done <= steps; done++) {
        await new Promise((r) => setTimeout(r, auditMs / steps));
        options.onProgress?.({ done, total: steps });
      }
      await gate?.promise;
      return result(options, findings);
    },
  });
  slack = createBot({
    env: { mode: 'http', botToken: BOT_TOKEN, signingSecret: SECRET, port: 0, apiUrl: stub.apiUrl },
    config: CONFIG,
    checks: ALL_CHECKS,
    audits,
    store,
    logger,
    progressIntervalMs: 50,
    // Organization discovery as the commands see it: what a refresh adds to the config's accounts.
    accounts: {
      refresh: async (options) => {
        refreshes.push(options ?? {});
        if (discoverNext) CONFIG.accounts.push(discoverNext);
        discoverNext = undefined;
      },
    },
  });
  const { port } = await slack.start(0);
  url = `http://127.0.0.1:${port}/slack/events`;
});

afterAll(async () => {
  await slack.stop();
  await store.close();
  await stub.stop();
});

beforeEach(() => {
  stub.reset();
  stub.on('usergroups.users.list', (args) => ({ ok: true, users: args.usergroup === 'S0SECTEAM' ? ['U0CAROL01'] : [] }));
  runs = [];
  findings = [finding(1, 'critical')];
  auditMs = 0;
  gate?.release();
  gate = undefined;
});

afterEach(() => {
  expect(stub.violations).toEqual([]);
});

async function slash(text: string, fields: { user_id?: string; channel_id?: string } = {}) {
  const responseUrl = stub.responseUrl();
  const response = await signedPost(url, SECRET, slashCommandBody({ text, response_url: responseUrl, ...fields }));
  return { ...response, responseId: responseUrl.split('/').pop()! };
}

const postsTo = (id: string) => stub.responseUrlPosts.filter((p) => p.id === id).map((p) => p.body);

/** Waits until the command's last word is in: anything but "Auditing…" and its progress. */
async function outcome(id: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
  const done = () => postsTo(id).filter((p) => !String(p.text).includes('Auditing'));
  await stub.waitFor(() => done().length > 0, `the outcome of ${id}`, timeoutMs);
  return done().at(-1)!;
}

describe('/audit through Bolt', () => {
  it('rejects a request with a bad or stale signature, and runs nothing', async () => {
    const body = slashCommandBody({ text: 'prod-payments', response_url: stub.responseUrl() });
    const forged = await signedPost(url, SECRET, body, { signature: `v0=${'0'.repeat(64)}` });
    expect(forged.status).toBe(401);
    const stale = await signedPost(url, SECRET, body, { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 });
    expect(stale.status).toBe(401);
    const otherSecret = await signedPost(url, 'ffffffffffffffffffffffffffffffff', body);
    expect(otherSecret.status).toBe(401);
    await new Promise((r) => setTimeout(r, 50));
    expect(runs).toHaveLength(0);
    expect(stub.calls.filter((c) => c.method.startsWith('chat.'))).toHaveLength(0);
  });

  it('answers help in the acknowledgement itself, only to the requester', async () => {
    const { status, body } = await slash('help');
    expect(status).toBe(200);
    const answer = JSON.parse(body) as { response_type: string; text: string };
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toContain('/audit');
    expect(answer.text).toContain('list');
  });

  it('acknowledges at once, before the audit finishes, then reports in the allowed channel', async () => {
    auditMs = 300;
    const release = holdAudits();
    const { status, responseId } = await slash('prod-payments');
    // The acknowledgement came back while the audit was still held: ack first, then work.
    expect(status).toBe(200);
    await stub.waitFor(() => runs.length === 1, 'the audit to start');
    expect(postsTo(responseId).some((p) => String(p.text).includes('is in the channel'))).toBe(false);
    release();
    await outcome(responseId);
    const posts = postsTo(responseId);
    expect(posts[0]).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Auditing prod-payments (123456789012) in 1 region') });
    // A link to the report's message, built from the request's workspace domain.
    expect(posts.at(-1)).toMatchObject({
      replace_original: true,
      text: expect.stringMatching(/is <https:\/\/test\.slack\.com\/archives\/C0AUDIT01\/p\d+\|in the channel>\.$/),
    });
    // Progress replaces the message, at most twice: a response_url takes five messages in all.
    const progress = posts.filter((p) => String(p.text).includes('checks done'));
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.length).toBeLessThanOrEqual(2);
    expect(progress[0]).toMatchObject({
      replace_original: true,
      text: expect.stringMatching(/Auditing prod-payments \(123456789012\) in 1 region… \d\/6 checks done/),
    });
    expect(posts.length).toBeLessThanOrEqual(5);
    const [report] = stub.callsOf('chat.postMessage');
    expect(report!.args.channel).toBe('C0AUDIT01');
    expect(report!.token).toBe(BOT_TOKEN);
    expect(JSON.stringify(report!.args.blocks)).toContain('user-1');
    expect(runs).toHaveLength(1);
    expect(runs[0]!.sessionName).toBe('aws-audit-bot@slack-U0ALICE01');
  });

  it('audits only the named services: /audit <alias> rds runs exactly the RDS checks', async () => {
    const { responseId } = await slash('prod-payments rds');
    await outcome(responseId);
    expect(runs).toHaveLength(1);
    const ran = runs[0]!.checks.map((c) => c.id);
    expect(ran).toEqual(ALL_CHECKS.filter((c) => c.service === 'rds').map((c) => c.id));
    expect(ran).toEqual(expect.arrayContaining(['rds.public-snapshot', 'rds.sg-open', 'rds.storage-encrypted']));
  });

  it('selects the load balancer, DNS and CDN checks by service: /audit <alias> elb route53 cloudfront', async () => {
    const { responseId } = await slash('prod-payments elb route53 cloudfront');
    await outcome(responseId);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.checks.map((c) => c.id).sort()).toEqual([
      'cloudfront.certificate',
      'cloudfront.origin-tls',
      'cloudfront.viewer-tls',
      'elb.listener-insecure',
      'elb.security-groups',
      'route53.dmarc',
      'route53.spf',
    ]);
  });

  it('/audit <alias> --compliance cis-5.0 runs the checks that cover a CIS control and posts the per-section totals with the failing controls', async () => {
    findings = [
      { ...finding(1, 'high'), checkId: 'iam.user-console-mfa' },
      { ...finding(2, 'high'), checkId: 'iam.user-console-mfa' },
      { ...finding(3, 'critical'), checkId: 'iam.root-mfa', resource: { type: 'AWS::IAM::Root', id: '<!channel>' } },
    ];
    const { responseId } = await slash('prod-payments --compliance cis-5.0');
    const answer = await outcome(responseId);
    expect(String(answer.text)).toMatch(/is <https:\/\/test\.slack\.com\/archives\/C0AUDIT01\/p\d+\|in the channel>\.$/);
    const ran = runs[0]!.checks.map((c) => c.id);
    expect(ran).toContain('iam.root-mfa');
    expect(ran).not.toContain('ec2.required-tags'); // no CIS control
    const [post] = stub.callsOf('chat.postMessage');
    expect(post!.args.channel).toBe('C0AUDIT01');
    expect(String(post!.args.text)).toBe('CIS AWS Foundations Benchmark v5.0.0 for prod-payments: 2 controls fail');
    const blocks = post!.args.blocks as { block_id?: string; text?: { text: string } }[];
    const iam = blocks.find((b) => b.block_id === 'section-1')!.text!.text;
    expect(iam.split('\n')[0]).toMatch(/^\*1 Identity and Access Management\* — :red_circle: 2 fail · :white_check_mark: \d+ pass · /);
    expect(iam).toContain("• `1.4` Ensure MFA is enabled for the 'root' user account — 1 finding");
    expect(iam).toContain('• `1.9` Ensure multi-factor authentication (MFA) is enabled for all IAM users that have a console password — 2 findings');
    expect(JSON.stringify(blocks)).not.toContain('<!channel>');
    expect(blocks.map((b) => b.block_id)).toEqual(expect.arrayContaining(['section-1', 'section-2', 'section-3', 'section-4', 'section-5', 'notes']));
  });

  it('refuses --compliance with services none of whose checks covers a control', async () => {
    const { responseId } = await slash('prod-payments elb --compliance cis-5.0');
    const answer = await outcome(responseId);
    expect(String(answer.text)).toContain('No check of `elb` covers a control of that framework');
    expect(runs).toHaveLength(0);
  });

  it('refuses a user who is not an auditor, saying why, and runs nothing', async () => {
    const { responseId } = await slash('prod-payments', { user_id: 'U0MALLORY' });
    await stub.waitFor(() => postsTo(responseId).length >= 1, 'the refusal');
    expect(postsTo(responseId)[0]).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('access.auditors') });
    expect(runs).toHaveLength(0);
    expect(stub.callsOf('chat.postMessage')).toHaveLength(0);
    // Not listed by id: the bot asked Slack who is in the auditor group.
    expect(stub.callsOf('usergroups.users.list').map((c) => c.args.usergroup)).toEqual(['S0SECTEAM']);
    expect(logLines.some((l) => l.includes('"user":"U0MALLORY"') && l.includes('"allowed":false'))).toBe(true);
  });

  it('lets a member of an auditor user group audit, the group read once and cached', async () => {
    const { responseId } = await slash('prod-payments', { user_id: 'U0CAROL01' });
    await outcome(responseId);
    const again = await slash('sandbox', { user_id: 'U0CAROL01' });
    await outcome(again.responseId);
    expect(runs.map((r) => r.account.alias)).toEqual(['prod-payments', 'sandbox']);
    expect(stub.callsOf('usergroups.users.list').length).toBeLessThanOrEqual(1);
  });

  it('says an alias is unknown and suggests the closest ones', async () => {
    const { responseId } = await slash('prod-paymnets');
    await stub.waitFor(() => postsTo(responseId).length >= 1, 'the answer');
    expect(postsTo(responseId)[0]!.text).toContain('There is no account `prod-paymnets`. Did you mean `prod-payments`?');
    expect(runs).toHaveLength(0);
  });

  it("reports only to the requester when the channel is not one of the account's channels", async () => {
    const { responseId } = await slash('prod-payments', { channel_id: 'C0RANDOM1' });
    await outcome(responseId);
    expect(stub.callsOf('chat.postMessage')).toHaveLength(0);
    const last = postsTo(responseId).at(-1)!;
    expect(last).toMatchObject({ replace_original: true, response_type: 'ephemeral' });
    expect(JSON.stringify(last.blocks)).toContain('user-1');
  });

  it('gives the requester the report when the bot may not post in the channel (not invited)', async () => {
    stub.on('chat.postMessage', () => ({ ok: false, error: 'not_in_channel' }));
    const { responseId } = await slash('prod-payments');
    const last = await outcome(responseId);
    expect(last).toMatchObject({ replace_original: true, response_type: 'ephemeral' });
    expect(JSON.stringify(last.blocks)).toContain('user-1');
    expect(logLines.some((l) => l.includes('posting the report in the channel failed'))).toBe(true);
  });

  it('escapes AWS strings: a resource named <!channel> or a link cannot ping or forge', async () => {
    findings = [finding(1, 'critical', '<!channel>'), finding(2, 'high', '<https://evil.example|click here>'), finding(3, 'low', 'a&b')];
    const { responseId } = await slash('prod-payments');
    await outcome(responseId);
    // What Slack parses: the notification text and every mrkdwn text object. (Plain-text objects, like the
    // "Mute…" menu's option labels, are shown as typed and never parsed, so they may hold the raw name.)
    const mrkdwn: string[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (o.type === 'mrkdwn' && typeof o.text === 'string') mrkdwn.push(o.text);
        if (o.type !== 'plain_text') Object.values(o).forEach(collect);
      }
    };
    for (const c of stub.callsOf('chat.postMessage')) {
      mrkdwn.push(String(c.args.text));
      collect(c.args.blocks);
    }
    const posted = mrkdwn.join('\n');
    expect(posted).not.toContain('<!channel>');
    expect(posted).not.toContain('<https://evil');
    expect(posted).toContain('&lt;!channel&gt;');
    expect(posted).toContain('a&amp;b');
    const labels = JSON.stringify(stub.callsOf('chat.postMessage').map((c) => c.args.blocks)).match(/"options":\[.*?\]\}/)?.[0] ?? '';
    expect(labels).toContain('"type":"plain_text","text":"<!channel>"');
  });

  it("keeps a report of 300 findings within Slack's limits: the rest in the thread, and a CSV file", async () => {
    const severities: Severity[] = ['critical', 'high', 'medium', 'low'];
    findings = Array.from({ length: 300 }, (_, i) => finding(i, severities[i % 4]!, `user-${String(i).padStart(3, '0')}-${'x'.repeat(40)}`));
    const { responseId } = await slash('prod-payments');
    await outcome(responseId, 10_000);
    const messages = stub.callsOf('chat.postMessage');
    expect(messages.length).toBeGreaterThan(1);
    const [main, ...thread] = messages;
    expect(JSON.stringify(main!.args.blocks)).toMatch(/more findings: the full list is in the thread/);
    const mainTs = main!.result!.ts;
    expect(mainTs).toEqual(expect.any(String));
    for (const m of thread) expect(m.args.thread_ts).toBe(mainTs);
    const shown =
      messages
        .map((m) => JSON.stringify(m.args.blocks))
        .join('')
        .match(/user-\d{3}-x/g) ?? [];
    expect(new Set(shown).size).toBe(300);
    const complete = stub.callsOf('files.completeUploadExternal');
    expect(complete).toHaveLength(1);
    expect(complete[0]!.args).toMatchObject({ channel_id: 'C0AUDIT01', thread_ts: mainTs });
    const rows = parseCsv([...stub.uploads.values()][0]!, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(300);
    expect(new Set(rows.map((r) => r.resourceId)).size).toBe(300);
  });

  it('sends the rest of a long report only the requester sees to their messages with the app, with the CSV', async () => {
    findings = Array.from({ length: 300 }, (_, i) => finding(i, 'high', `user-${String(i).padStart(3, '0')}-${'y'.repeat(40)}`));
    const { responseId } = await slash('prod-payments', { channel_id: 'C0RANDOM1' });
    const last = await outcome(responseId, 10_000);
    expect(JSON.stringify(last.blocks)).toContain('the full list is in your messages with the app');
    await stub.waitFor(() => stub.callsOf('files.completeUploadExternal').length === 1, 'the CSV');
    const [intro, ...thread] = stub.callsOf('chat.postMessage');
    expect(intro!.args.channel).toBe('U0ALICE01');
    expect(thread.length).toBeGreaterThan(0);
    for (const m of thread) expect(m.args).toMatchObject({ channel: 'D0ALICE01', thread_ts: expect.any(String) });
    expect(stub.callsOf('files.completeUploadExternal')[0]!.args).toMatchObject({ channel_id: 'D0ALICE01', thread_ts: thread[0]!.args.thread_ts });
    const shown = [JSON.stringify(last.blocks), ...thread.map((m) => JSON.stringify(m.args.blocks))].join('').match(/user-\d{3}-y/g) ?? [];
    expect(new Set(shown).size).toBe(300);
  });

  it('does not post a report twice when its CSV cannot be uploaded, and says what failed', async () => {
    findings = Array.from({ length: 300 }, (_, i) => finding(i, 'medium', `user-${String(i).padStart(3, '0')}-${'z'.repeat(40)}`));
    stub.on('files.getUploadURLExternal', () => ({ ok: false, error: 'missing_scope' }));
    const { responseId } = await slash('prod-payments');
    const last = await outcome(responseId, 10_000);
    expect(String(last.text)).toMatch(/\|in the channel>\. Part of it could not be posted \(.*missing_scope/);
    expect(last.blocks).toBeUndefined();
    expect(stub.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === undefined)).toHaveLength(1);
  });

  it('tells a non-auditor nothing about which accounts exist or run', async () => {
    const unknown = await slash('prod-paymnets', { user_id: 'U0MALLORY' });
    await stub.waitFor(() => postsTo(unknown.responseId).length >= 1, 'the refusal');
    const text = String(postsTo(unknown.responseId)[0]!.text);
    expect(text).toContain('access.auditors');
    expect(text).not.toContain('prod-payments');
    const status = await slash('status', { user_id: 'U0MALLORY' });
    await stub.waitFor(() => postsTo(status.responseId).length >= 1, 'the status refusal');
    expect(String(postsTo(status.responseId)[0]!.text)).toContain('access.auditors');
  });

  it('shares one run between two people auditing the same account at once', async () => {
    const release = holdAudits();
    const [a, b] = await Promise.all([slash('prod-payments'), slash('prod-payments', { user_id: 'U0BOB0001' })]);
    await stub.waitFor(() => postsTo(b.responseId).length >= 1 && postsTo(a.responseId).length >= 1, 'both to be told');
    release();
    await Promise.all([outcome(a.responseId), outcome(b.responseId)]);
    expect(runs).toHaveLength(1);
    expect(postsTo(b.responseId)[0]!.text).toContain('joining the audit already running');
  });

  it('posts a report shared by twenty people in one channel once, and points the others at it', async () => {
    // Enough findings for a thread and a CSV: each would otherwise be posted twenty times.
    findings = Array.from({ length: 300 }, (_, i) => finding(i, i % 2 ? 'high' : 'critical'));
    const release = holdAudits();
    const people = Array.from({ length: 20 }, (_, i) => (i === 0 ? 'U0ALICE01' : i === 1 ? 'U0BOB0001' : 'U0CAROL01'));
    const asked: Awaited<ReturnType<typeof slash>>[] = [];
    for (const user of people) asked.push(await slash('prod-payments', { user_id: user }));
    expect(asked.every((a) => a.status === 200)).toBe(true);
    await stub.waitFor(() => asked.every((a) => postsTo(a.responseId).length >= 1), 'everyone to be told');
    release();
    const outcomes = await Promise.all(asked.map((a) => outcome(a.responseId)));
    expect(runs).toHaveLength(1);
    const mains = stub.callsOf('chat.postMessage').filter((c) => c.args.channel === 'C0AUDIT01' && c.args.thread_ts === undefined);
    expect(mains).toHaveLength(1);
    expect(stub.callsOf('files.completeUploadExternal')).toHaveLength(1);
    const link = /<https:\/\/test\.slack\.com\/archives\/C0AUDIT01\/p\d+\|in the channel>/;
    expect(outcomes.filter((o) => /posted once/.test(String(o.text)))).toHaveLength(19);
    for (const o of outcomes) expect(String(o.text)).toMatch(link);
  });

  it('lists the accounts the user may audit here, and the audits running now', async () => {
    const list = await slash('list');
    await stub.waitFor(() => postsTo(list.responseId).length >= 1, 'the list');
    const text = String(postsTo(list.responseId)[0]!.text);
    expect(text).toContain('`prod-payments` 123456789012: us-east-1');
    expect(text).toContain('`sandbox` 210987654321: every enabled region');
    const release = holdAudits();
    const audit = await slash('prod-payments');
    await stub.waitFor(() => runs.length === 1, 'the audit to start');
    const status = await slash('status', { user_id: 'U0BOB0001' });
    await stub.waitFor(() => postsTo(status.responseId).length >= 1, 'the status');
    expect(String(postsTo(status.responseId)[0]!.text)).toMatch(/1 audit running:\n• \*prod-payments\* \(123456789012\): .*asked by <@U0ALICE01>/);
    release();
    await outcome(audit.responseId);
    const after = await slash('status');
    await stub.waitFor(() => postsTo(after.responseId).length >= 1, 'the second status');
    expect(postsTo(after.responseId)[0]!.text).toBe('No audit is running.');
  });

  it('never logs a token or the signing secret', () => {
    const all = logLines.join('');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(BOT_TOKEN);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain('/response/');
  });
});

function eventBody(event: Record<string, unknown>): string {
  return JSON.stringify({
    token: 'x',
    team_id: 'T0TEST',
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: `Ev${Math.random().toString(36).slice(2)}`,
    event_time: Math.floor(Date.now() / 1000),
    event,
  });
}

/** A click on a Home tab's "Audit now" button. */
function auditNowClick(user: string, alias: string, accountId: string): string {
  return interactionBody({
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), team_id: 'T0TEST' },
    api_app_id: 'A0APP',
    token: 'x',
    container: { type: 'view', view_id: 'V0HOME' },
    trigger_id: '1.2.3',
    team: { id: 'T0TEST', domain: 'test' },
    view: { id: 'V0HOME', type: 'home' },
    actions: [{ type: 'button', action_id: 'audit_now', block_id: `account-${accountId}`, value: alias, action_ts: '1700000000.1' }],
  });
}

function homeOf(user: string): Record<string, unknown>[] {
  return stub
    .callsOf('views.publish')
    .filter((c) => c.args.user_id === user)
    .map((c) => (typeof c.args.view === 'string' ? JSON.parse(c.args.view) : c.args.view) as Record<string, unknown>);
}

describe('App Home', () => {
  it('shows an auditor each account with its last audit, open findings by severity, and an Audit now button', async () => {
    findings = [finding(1, 'critical'), finding(2, 'high'), finding(3, 'high')];
    const { responseId } = await slash('prod-payments');
    await outcome(responseId);
    const response = await signedPost(url, SECRET, eventBody({ type: 'app_home_opened', user: 'U0ALICE01', channel: 'D0ALICE01', tab: 'home' }), {
      contentType: 'application/json',
    });
    expect(response.status).toBe(200);
    await stub.waitFor(() => homeOf('U0ALICE01').length > 0, 'views.publish');
    const blocks = homeOf('U0ALICE01')[0]!.blocks as { block_id?: string; text?: { text: string }; accessory?: { action_id: string; value: string } }[];
    const prod = blocks.find((b) => b.block_id === 'account-prod-payments')!;
    expect(prod.text!.text).toMatch(/^\*prod-payments\* 123456789012\nlast audit <!date\^\d+\^/);
    expect(prod.text!.text).toContain(':red_circle: 1 critical · :large_orange_circle: 2 high');
    expect(prod.accessory).toMatchObject({ action_id: 'audit_now', value: 'prod-payments' });
    expect(blocks.find((b) => b.block_id === 'account-sandbox')!.accessory).toMatchObject({ value: 'sandbox' });
  });

  it('shows a user who may not audit no account', async () => {
    await signedPost(url, SECRET, eventBody({ type: 'app_home_opened', user: 'U0MALLORY', channel: 'D0MALLORY', tab: 'home' }), {
      contentType: 'application/json',
    });
    await stub.waitFor(() => homeOf('U0MALLORY').length > 0, 'views.publish');
    const view = JSON.stringify(homeOf('U0MALLORY')[0]);
    expect(view).toContain('You may not audit any account');
    expect(view).not.toContain('prod-payments');
  });

  it("audits from the Audit now button: report in the user's messages with the app, Home redrawn", async () => {
    const response = await signedPost(url, SECRET, auditNowClick('U0BOB0001', 'sandbox', '210987654321'));
    expect(response.status).toBe(200);
    await stub.waitFor(() => stub.callsOf('chat.postMessage').some((c) => c.args.channel === 'U0BOB0001'), 'the report in the DM');
    expect(runs.map((r) => [r.account.alias, r.sessionName])).toEqual([['sandbox', 'aws-audit-bot@slack-U0BOB0001']]);
    await stub.waitFor(() => homeOf('U0BOB0001').length >= 2, 'the Home tab redrawn');
  });

  it('refuses the button to a user who may not audit (the server decides, not the payload)', async () => {
    await signedPost(url, SECRET, auditNowClick('U0MALLORY', 'prod-payments', '123456789012'));
    await stub.waitFor(() => stub.callsOf('chat.postMessage').some((c) => c.args.channel === 'U0MALLORY'), 'the refusal');
    expect(String(stub.callsOf('chat.postMessage')[0]!.args.text)).toContain('access.auditors');
    expect(runs).toHaveLength(0);
  });
});

describe('shutdown', () => {
  it('stops taking requests but finishes posting the reports under way', async () => {
    const logger = createLogger({ format: 'json', level: 'silent' });
    const audits = new AuditService({
      sessions: fakeSessions(),
      thresholds: CONFIG.thresholds,
      concurrency: 2,
      logger,
      run: async (options) => {
        await new Promise((r) => setTimeout(r, 500));
        return result(options, [finding(7, 'high', 'late-user')]);
      },
    });
    const second = createBot({
      env: { mode: 'http', botToken: BOT_TOKEN, signingSecret: SECRET, port: 0, apiUrl: stub.apiUrl },
      config: CONFIG,
      checks: ALL_CHECKS,
      audits,
      store,
      logger,
    });
    const { port } = await second.start(0);
    const responseUrl = stub.responseUrl();
    await signedPost(`http://127.0.0.1:${port}/slack/events`, SECRET, slashCommandBody({ text: 'prod-payments', response_url: responseUrl }));
    await stub.waitFor(() => postsTo(responseUrl.split('/').pop()!).length >= 1, 'the audit to start');
    await second.stop();
    // stop() resolved only after the report was posted.
    expect(JSON.stringify(stub.callsOf('chat.postMessage').map((c) => c.args.blocks))).toContain('late-user');
    await expect(signedPost(`http://127.0.0.1:${port}/slack/events`, SECRET, slashCommandBody({ text: 'help', response_url: responseUrl }))).rejects.toThrow();
  });
});

describe('/audit with organization discovery', () => {
  it('refreshes the accounts on /audit list, and looks again for an alias it does not know before saying so', async () => {
    refreshes.length = 0;
    discoverNext = { alias: 'new-team', accountId: '888888888888', roleArn: 'arn:aws:iam::888888888888:role/AuditReadOnly' };
    const list = await slash('list');
    await stub.waitFor(() => postsTo(list.responseId).length >= 1, 'the list');
    expect(refreshes).toEqual([{ force: true }]);
    expect(String(postsTo(list.responseId)[0]!.text)).toContain('`new-team` 888888888888: every enabled region');

    discoverNext = { alias: 'newest', accountId: '777777777777', roleArn: 'arn:aws:iam::777777777777:role/AuditReadOnly' };
    const audit = await slash('newest');
    await stub.waitFor(() => runs.length === 1, 'the audit of the account found on asking');
    expect(runs[0]!.account.accountId).toBe('777777777777');
    expect(refreshes).toEqual([{ force: true }, {}]);
    await outcome(audit.responseId);

    const unknown = await slash('nobody');
    await stub.waitFor(() => postsTo(unknown.responseId).length >= 1, 'the answer');
    expect(String(postsTo(unknown.responseId)[0]!.text)).toContain('nobody');
    expect(refreshes).toHaveLength(3);
    CONFIG.accounts.splice(-2, 2);
  });
});
