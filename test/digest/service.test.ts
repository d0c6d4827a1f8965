/**
 * The digest service against a real database file and the local Web API
 * stub: what each digest says across weeks (new, resolved, resurfaced, mute
 * expired, accounts that could not be audited, quiet weeks), when the cursor
 * moves, and a digest for 40 accounts with 2,000 findings within Slack's limits.
 */
import { WebClient } from '@slack/web-api';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ALL_CHECKS } from '../../checks/index.js';
import { findingFingerprint } from '../../src/audit/fingerprint.js';
import type { AuditResult, Finding, Severity } from '../../src/audit/types.js';
import { SEVERITIES } from '../../src/audit/types.js';
import { parseConfig, type AccountConfig, type Config } from '../../src/config.js';
import { DigestService } from '../../src/digest/service.js';
import { History } from '../../src/store/history.js';
import { Mutes } from '../../src/store/mutes.js';
import type { FileStore } from '../../src/store/store.js';
import { createLogger } from '../../src/log.js';
import { createBot } from '../../src/serve.js';
import { AuditService } from '../../src/audit/service.js';
import { renderDigest } from '../../src/slack/render/digest.js';
import { slackDigestPoster } from '../../src/slack/digest-poster.js';
import { fakeSessions } from '../helpers/aws.js';
import { SlackStub, signedPost, slashCommandBody } from '../helpers/slack.js';

const SECRET = '0123456789abcdef0123456789abcdef';
import { tempStore } from '../helpers/store.js';

const stub = new SlackStub();
beforeAll(() => stub.start());
afterAll(() => stub.stop());
beforeEach(() => stub.reset());
afterEach(() => expect(stub.violations).toEqual([]));

function config(accounts: number): Config {
  const lines = Array.from({ length: accounts }, (_, i) => {
    const id = String(100000000000 + i);
    return `  - alias: acct-${String(i).padStart(2, '0')}\n    accountId: "${id}"\n    roleArn: arn:aws:iam::${id}:role/AuditReadOnly\n    regions: [us-east-1]`;
  });
  return parseConfig(`accounts:\n${lines.join('\n')}\ndigest:\n  channel: C0DIGEST1\n`, '/x/audit.config.yml');
}

function finding(accountId: string, user: string, severity: Severity = 'high', message = `User ${user} has no MFA.`): Finding {
  return {
    checkId: 'iam.user-console-mfa',
    severity,
    accountId,
    region: 'global',
    resource: { type: 'AWS::IAM::User', id: user },
    message,
    fingerprint: findingFingerprint({ checkId: 'iam.user-console-mfa', accountId, region: 'global', resourceId: user }),
  };
}

/** A world the digest scans: findings per account id, or an error that stops the account's audit. */
class World {
  findings = new Map<string, Finding[]>();
  failing = new Map<string, string>();
  clock = new Date('2026-11-16T09:00:00.000Z');
  scans: string[] = [];
}

function service(store: FileStore, cfg: Config, world: World, extra: Partial<ConstructorParameters<typeof DigestService>[0]> = {}): DigestService {
  const history = new History(store, { now: () => world.clock });
  return new DigestService({
    ...extra,
    config: cfg,
    checks: ALL_CHECKS,
    store,
    history,
    logger: createLogger({ format: 'json', level: 'silent' }),
    render: renderDigest,
    poster: slackDigestPoster(new WebClient('xoxb-1-2-abc', { slackApiUrl: stub.apiUrl, retryConfig: { retries: 0 } })),
    now: () => world.clock,
    scan: async (account: AccountConfig) => {
      world.scans.push(account.alias);
      const failure = world.failing.get(account.accountId);
      if (failure) throw new Error(failure);
      const result: AuditResult = {
        account: { alias: account.alias, accountId: account.accountId },
        startedAt: world.clock.toISOString(),
        findings: world.findings.get(account.accountId) ?? [],
        errors: [],
        scope: { checkIds: ALL_CHECKS.map((c) => c.id), regions: ['global', 'us-east-1'], skippedRegions: [] },
        stats: { durationMs: 5, apiCalls: 10, apiCallsByOperation: {}, httpAttempts: 0, retries: 0, checksRun: ALL_CHECKS.length, byCheck: {} },
      };
      const { scanId } = await history.record(result, account.alias);
      return { result, scanId };
    },
  });
}

/** Everything a digest posted, as text: main text and blocks, thread replies, the CSV. */
function posted(): { main: string; thread: string; mainCall: Record<string, unknown>; csv: string | undefined } {
  const calls = stub.callsOf('chat.postMessage');
  const main = calls.find((c) => c.args.thread_ts === undefined)!;
  const thread = calls.filter((c) => c.args.thread_ts !== undefined);
  return {
    main: JSON.stringify([main.args.text, main.args.blocks]),
    thread: JSON.stringify(thread.map((c) => c.args.blocks)),
    mainCall: main.args,
    csv: [...stub.uploads.values()][0],
  };
}

describe('DigestService', () => {
  it('reports what changed week to week: new, resolved, resurfaced (came back, mute expired), open totals, and accounts it could not audit', async () => {
    const { store } = await tempStore();
    const cfg = config(2);
    const world = new World();
    const [a, b] = ['100000000000', '100000000001'];
    world.findings.set(a, [finding(a, 'alice', 'critical'), finding(a, 'bob'), finding(a, 'carol')]);
    world.findings.set(b, [finding(b, 'dave', 'low')]);
    const digest = service(store, cfg, world);

    // Week 1: the first digest; everything open is new.
    const first = await digest.run();
    expect(first.posted).toBe(true);
    expect(world.scans.sort()).toEqual(['acct-00', 'acct-01']);
    expect(posted().mainCall.channel).toBe('C0DIGEST1');
    expect(first.digest.accounts.map((x) => x.new.map((i) => i.state.resourceId))).toEqual([['alice', 'bob', 'carol'], ['dave']]);
    expect(store.data.digest.cursor).toMatch(/^2026-11-16T09:00:00\.0/);
    expect(store.data.digest.totals[a]).toMatchObject({ critical: 1, high: 2 });

    // During the week: carol is muted until the 20th; bob is fixed (an /audit records it), and comes back.
    const mutes = new Mutes(store);
    const carol = store.data.findings.find((f) => f.resourceId === 'carol')!;
    await mutes.mute({
      state: carol as never,
      reason: 'accepted until the 20th',
      mutedBy: 'U0ALICE01',
      expiresAt: '2026-11-21T00:00:00.000Z',
      now: new Date('2026-11-17T10:00:00.000Z'),
    });
    world.clock = new Date('2026-11-18T09:00:00.000Z');
    world.findings.set(a, [finding(a, 'alice', 'critical'), finding(a, 'carol')]);
    await digest.run({ dryRun: true }); // a dry run records the scan, moves no cursor
    expect(store.data.digest.cursor).toMatch(/^2026-11-16T09:00:00\.0/);

    // Week 2: alice fixed, bob back, erin new, carol's mute expired; account b cannot be audited.
    stub.reset();
    world.clock = new Date('2026-11-23T09:00:00.000Z');
    world.findings.set(a, [finding(a, 'bob'), finding(a, 'carol'), finding(a, 'erin', 'medium')]);
    world.failing.set(b, 'Could not assume arn:aws:iam::100000000001:role/AuditReadOnly: AccessDenied <!channel>');
    const second = await digest.run();
    expect(second.posted).toBe(true);
    const [acctA, acctB] = second.digest.accounts;
    expect(acctA!.new.map((i) => i.state.resourceId)).toEqual(['erin']);
    expect(acctA!.resolved.map((i) => i.state.resourceId)).toEqual(['alice']);
    expect(acctA!.resurfaced.map((i) => [i.state.resourceId, i.why])).toEqual([
      ['bob', 'reopened'],
      ['carol', 'mute-expired'],
    ]);
    expect(acctA!.open).toMatchObject({ critical: 0, high: 2, medium: 1 });
    expect(acctA!.openBefore).toMatchObject({ critical: 1, high: 2 });
    expect(acctB!.failure).toContain('AccessDenied');
    const text = posted();
    expect(text.main).toContain('acct-01');
    expect(text.main).toContain('Could not assume');
    expect(text.main).not.toContain('<!channel>');
    // (A small digest lists the details in the main message; a big one in its thread.)
    const all = text.main + text.thread;
    expect(all).toContain('erin');
    expect(all).toContain('alice');
    expect(all).toContain('accepted until the 20th');
    expect(store.data.digest.cursor).toMatch(/^2026-11-23T09:00:00\.0/);

    // Week 3: nothing changed and every account audited: one line.
    stub.reset();
    world.failing.clear();
    world.clock = new Date('2026-11-30T09:00:00.000Z');
    const third = await digest.run();
    expect(third.rendered.quiet).toBe(true);
    expect(stub.callsOf('chat.postMessage')).toHaveLength(1);
    expect((posted().mainCall.blocks as unknown[]).length).toBe(1);
    expect(String(posted().mainCall.text)).toMatch(/quiet/i);
    await store.close();
  });

  it('leaves muted findings out of the digest and counts them', async () => {
    const { store } = await tempStore();
    const world = new World();
    const a = '100000000000';
    world.findings.set(a, [finding(a, 'alice'), finding(a, 'bob')]);
    const digest = service(store, config(1), world);
    await digest.run({ dryRun: true });
    const bob = store.data.findings.find((f) => f.resourceId === 'bob')!;
    await new Mutes(store).mute({
      state: bob as never,
      reason: 'service account, no console',
      mutedBy: 'U0ALICE01',
      expiresAt: '2026-12-24T00:00:00.000Z',
      now: world.clock,
    });
    const run = await digest.run();
    expect(run.digest.accounts[0]!.new.map((i) => i.state.resourceId)).toEqual(['alice']);
    expect(run.digest.accounts[0]!.muted).toBe(1);
    expect(posted().main).toContain('1 muted');
    expect(posted().main + posted().thread).not.toContain('bob');
    await store.close();
  });

  it('keeps the cursor when Slack refuses the post, so the next digest covers the window too (never skips)', async () => {
    const { store } = await tempStore();
    const world = new World();
    const a = '100000000000';
    world.findings.set(a, [finding(a, 'alice')]);
    const digest = service(store, config(1), world);
    await digest.run();
    stub.reset();

    world.clock = new Date('2026-11-23T09:00:00.000Z');
    world.findings.set(a, [finding(a, 'alice'), finding(a, 'bob')]);
    stub.on('chat.postMessage', () => ({ ok: false, error: 'not_in_channel' }));
    const refused = await digest.run();
    expect(refused).toMatchObject({ posted: false, error: expect.stringContaining('not_in_channel') });
    expect(store.data.digest.cursor).toMatch(/^2026-11-16T09:00:00\.0/);

    stub.reset();
    world.clock = new Date('2026-11-30T09:00:00.000Z');
    world.findings.set(a, [finding(a, 'alice'), finding(a, 'bob'), finding(a, 'carol')]);
    const next = await digest.run();
    expect(next.posted).toBe(true);
    // bob, new in the week whose digest was refused, is reported now.
    expect(next.digest.accounts[0]!.new.map((i) => i.state.resourceId)).toEqual(['bob', 'carol']);
    expect(store.data.digest.cursor).toMatch(/^2026-11-30T09:00:00\.0/);
    await store.close();
  });

  it('writes the next due time with the cursor, in one write; a failed cursor write still posts the details and says so', async () => {
    const { store } = await tempStore();
    const world = new World();
    const a = '100000000000';
    world.findings.set(
      a,
      Array.from({ length: 200 }, (_, i) => finding(a, `user-${i}`, SEVERITIES[i % 4]!, `User user-${i} has no MFA; ${'detail '.repeat(20)}`)),
    );
    const due = { at: '2026-11-23T09:00:00.000Z', schedule: '0 9 * * 1', timezone: 'UTC' };
    const digest = service(store, config(1), world, { nextDue: () => due });
    await digest.run();
    expect(store.data.digest.due).toEqual(due);

    stub.reset();
    world.clock = new Date('2026-11-23T09:00:00.000Z');
    world.findings.set(
      a,
      Array.from({ length: 200 }, (_, i) => finding(a, `other-${i}`, SEVERITIES[i % 4]!, `User other-${i} has no MFA; ${'detail '.repeat(20)}`)),
    );
    const cursorBefore = store.data.digest.cursor;
    const transaction = store.transaction.bind(store);
    // The write after the post (the one that moves the cursor) fails; the scans' writes go through.
    const spy = vi.spyOn(store, 'transaction').mockImplementation((work, options) =>
      transaction(
        (tx) =>
          work(
            Object.assign(Object.create(tx) as typeof tx, {
              setDigestState: async (patch: Parameters<typeof tx.setDigestState>[0]) => {
                if ('cursor' in patch) throw new Error('ENOSPC: no space left on device');
                return tx.setDigestState(patch);
              },
            }),
          ),
        options,
      ),
    );
    const run = await digest.run();
    spy.mockRestore();
    expect(run.posted).toBe(true);
    expect(run.error).toContain('cursor could not be saved');
    expect(store.data.digest.cursor).toBe(cursorBefore);
    // The details still went to the thread, and the CSV.
    expect(stub.callsOf('chat.postMessage').filter((c) => c.args.thread_ts !== undefined).length).toBeGreaterThan(0);
    expect(stub.uploads.size).toBe(1);
    await store.close();
  });

  it('a request while a digest is posting (its window closed) waits and runs anew; one while it is scanning joins it', async () => {
    const { store } = await tempStore();
    const world = new World();
    world.findings.set('100000000000', [finding('100000000000', 'alice')]);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    stub.on('chat.postMessage', async (args) => {
      if (args.thread_ts === undefined && !args.text?.toString().includes('Quiet')) await gate;
      return { ok: true, channel: args.channel, ts: `${Date.now()}.000100` };
    });
    const digest = service(store, config(1), world);
    const first = digest.run();
    await stub.waitFor(() => stub.callsOf('chat.postMessage').length === 1, 'the first post');
    const second = digest.run({ requester: 'U0BOB0001' });
    const third = digest.run({ requester: 'U0CAROL01' });
    release();
    const [one, two, three] = await Promise.all([first, second, third]);
    expect([one.joined, two.joined, three.joined]).toEqual([false, false, true]);
    expect(two.rendered.quiet).toBe(true);
    expect(stub.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === undefined)).toHaveLength(2);
    await store.close();
  });

  it('runs one digest at a time: a second request joins the one under way', async () => {
    const { store } = await tempStore();
    const world = new World();
    world.findings.set('100000000000', [finding('100000000000', 'alice')]);
    const digest = service(store, config(3), world);
    const [one, two] = await Promise.all([digest.run(), digest.run({ requester: 'U0BOB0001' })]);
    expect([one.joined, two.joined]).toEqual([false, true]);
    expect(world.scans).toHaveLength(3);
    expect(stub.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === undefined)).toHaveLength(1);
    await store.close();
  });

  it("stays within Slack's limits for 40 accounts with 2,000 findings, asked for with a signed /audit digest: summary first, details threaded, every change in the CSV", async () => {
    const { store } = await tempStore();
    const cfg = config(40);
    const world = new World();
    let n = 0;
    for (const account of cfg.accounts) {
      world.findings.set(
        account.accountId,
        Array.from({ length: 50 }, (_, i) => {
          const user = `user-${String(n++).padStart(4, '0')}-${'x'.repeat(30)}`;
          return finding(account.accountId, user, SEVERITIES[i % 4]!, `User ${user} & friends <b> can sign in without MFA; ${'long detail '.repeat(i % 8)}`);
        }),
      );
    }
    const digest = service(store, cfg, world);
    // Through Bolt's real request path: a signed slash command to an HTTP-mode app.
    const logger = createLogger({ format: 'json', level: 'silent' });
    const app = createBot({
      env: { mode: 'http', botToken: 'xoxb-1-2-abc', signingSecret: SECRET, port: 0, apiUrl: stub.apiUrl },
      config: cfg,
      checks: ALL_CHECKS,
      audits: new AuditService({ sessions: fakeSessions(), thresholds: cfg.thresholds, concurrency: 2, logger }),
      store,
      logger,
      digest: {
        channel: 'C0DIGEST1',
        accounts: cfg.accounts.length,
        run: async (requester) => {
          const r = await digest.run({ requester });
          return { posted: r.posted, joined: r.joined, quiet: r.rendered.quiet, ...(r.error ? { error: r.error } : {}) };
        },
      },
    });
    const { port } = await app.start(0);
    const responseUrl = stub.responseUrl();
    const ack = await signedPost(`http://127.0.0.1:${port}/slack/events`, SECRET, slashCommandBody({ text: 'digest', response_url: responseUrl }));
    expect(ack.status).toBe(200);
    const answers = () => stub.responseUrlPosts.map((p) => String(p.body.text));
    await stub.waitFor(() => answers().some((t) => t.includes('The digest is in <#C0DIGEST1>')), 'the answer', 15_000);
    await app.stop();
    const calls = stub.callsOf('chat.postMessage');
    const main = calls.find((c) => c.args.thread_ts === undefined)!;
    expect(calls[0]).toBe(main); // the summary comes first
    for (const call of calls) {
      expect((call.args.blocks as unknown[]).length).toBeLessThanOrEqual(50);
      expect(JSON.stringify({ text: call.args.text, blocks: call.args.blocks }).length).toBeLessThanOrEqual(30_000);
    }
    expect(calls.filter((c) => c.args.thread_ts === main.result!.ts).length).toBeGreaterThan(0);
    expect(stub.violations).toEqual([]);
    expect(String(main.args.text)).toMatch(/2,000 new/);
    // Every account is in the summary.
    for (const account of cfg.accounts) expect(JSON.stringify(main.args.blocks)).toContain(account.alias);
    // The CSV, in the thread, has every change once.
    const upload = stub.callsOf('files.completeUploadExternal')[0]!;
    expect(upload.args.thread_ts).toBe(main.result!.ts);
    const rows = parseCsv(posted().csv!, { columns: true }) as Record<string, string>[];
    expect(rows.filter((r) => r.change === 'new')).toHaveLength(2000);
    expect(new Set(rows.map((r) => r.resourceId)).size).toBe(2000);
    await store.close();
  });
});
