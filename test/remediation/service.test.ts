import { IAMClient, ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { RDSClient } from '@aws-sdk/client-rds';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { findingFingerprint } from '../../src/audit/fingerprint.js';
import { parseConfig } from '../../src/config.js';
import { History } from '../../src/store/history.js';
import { findingRef } from '../../src/store/mutes.js';
import { createLogger } from '../../src/log.js';
import { RemediationService } from '../../src/remediation/service.js';
import { fakeSessions } from '../helpers/aws.js';
import { tempStore } from '../helpers/store.js';
import { FileStore } from '../../src/store/store.js';
import type { Store } from '../../src/store/contract.js';
import { PostgresStore } from '../../src/store/postgres/store.js';
import { databaseUrl, freshSchema } from '../helpers/backends.js';
import { outcomeText } from '../../src/slack/render/fix.js';

const CONFIG_TEXT = `accounts:
  - alias: prod
    accountId: "123456789012"
    roleArn: arn:aws:iam::123456789012:role/AuditReadOnly
    remediationRoleArn: arn:aws:iam::123456789012:role/AuditRemediation
access:
  remediators: [U0ALICE01, U0BOB0001]
remediation:
  mode: apply
`;
const CONFIG = parseConfig(CONFIG_TEXT, '/x/audit.config.yml');
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const CREATED = new Date('2024-01-02T03:04:05.000Z');
const iam = mockClient(IAMClient);
let status: 'Active' | 'Inactive' = 'Active';
const clients = () => ({
  iam: () => new IAMClient({ region: 'us-east-1' }),
  ec2: (r: string) => new EC2Client({ region: r }),
  s3: (r: string) => new S3Client({ region: r }),
  rds: (r: string) => new RDSClient({ region: r }),
});

beforeEach(() => {
  iam.reset();
  status = 'Active';
  iam
    .on(ListAccessKeysCommand)
    .callsFake(() => ({ AccessKeyMetadata: [{ UserName: 'deploy-bot', AccessKeyId: KEY, Status: status, CreateDate: CREATED }], IsTruncated: false }));
});

const logger = createLogger({ format: 'json', level: 'silent' });
const FINGERPRINT = findingFingerprint({
  checkId: 'iam.access-key-rotation',
  accountId: '123456789012',
  region: 'global',
  resourceId: 'deploy-bot/access-key-1',
});

function makeService(store: Store, now: () => Date = () => new Date('2026-11-23T12:05:00.000Z')): RemediationService {
  return new RemediationService({ config: CONFIG, store, sessions: fakeSessions(), logger, now, clients });
}

/** A store whose history holds one open old-key finding of deploy-bot. */
async function recorded(): Promise<{ store: FileStore; scanId: string; fingerprint: string; file: string }> {
  const { store, file } = await tempStore();
  return { store, file, fingerprint: FINGERPRINT, scanId: await recordInto(store) };
}

/** Records the finding into any store; the scan's id. */
async function recordInto(store: Store): Promise<string> {
  const history = new History(store, { now: () => new Date('2026-11-23T12:00:00.000Z') });
  const fingerprint = FINGERPRINT;
  const { scanId } = await history.record(
    {
      account: { alias: 'prod', accountId: '123456789012' },
      startedAt: '2026-11-23T12:00:00.000Z',
      findings: [
        {
          checkId: 'iam.access-key-rotation',
          severity: 'high',
          accountId: '123456789012',
          region: 'global',
          resource: { type: 'AWS::IAM::AccessKey', id: 'deploy-bot/access-key-1' },
          message: 'old key',
          fingerprint,
          details: { userName: 'deploy-bot', keySlot: 1, keyCreatedAt: CREATED.toISOString(), ageDays: 1056, lastUsedAt: null },
          fix: 'iam.deactivate-access-key',
        },
      ],
      errors: [],
      scope: { checkIds: ['iam.access-key-rotation'], regions: ['global'], skippedRegions: [] },
      stats: { durationMs: 1, apiCalls: 1, apiCallsByOperation: {}, httpAttempts: 0, retries: 0, checksRun: 1, byCheck: {} },
    },
    'prod',
  );
  return scanId;
}

describe('RemediationService', () => {
  it("without clients given, builds them with src/aws/clients.ts: the remediation role's session, its answers, and AWS's errors as its own", async () => {
    const { store, scanId, fingerprint } = await recorded();
    const ref = findingRef(scanId, fingerprint);
    const service = new RemediationService({ config: CONFIG, store, sessions: fakeSessions(), logger, now: () => new Date('2026-11-23T12:05:00.000Z') });
    const guarded = await service.guard('U0ALICE01', ref, '88888888-8888-4888-8888-888888888888');
    if (!guarded.ok) throw new Error(guarded.refusal.code);
    const preview = await service.preview(guarded.value, 'U0ALICE01', '88888888-8888-4888-8888-888888888888', ref);
    expect(preview).toMatchObject({ ok: true, value: expect.stringContaining('deploy-bot') });
    // The call went out with the remediation role's credentials, in the partition's home region.
    const call = iam.commandCalls(ListAccessKeysCommand)[0]!;
    expect(await call.thisValue.config.region()).toBe('us-east-1');
    expect((await call.thisValue.config.credentials()).accessKeyId).toBe('ASIAFAKEFAKEFAKEFAKE');

    iam.on(ListAccessKeysCommand).rejects(Object.assign(new Error('not authorized to perform iam:ListAccessKeys'), { name: 'AccessDenied' }));
    const denied = await service.preview(guarded.value, 'U0ALICE01', '99999999-9999-4999-8999-999999999999', ref);
    expect(denied).toMatchObject({ ok: false, refusal: { code: 'aws-unreadable', error: expect.stringContaining('iam:ListAccessKeys') } });
    expect(store.data.actions.at(-1)).toMatchObject({ result: 'failed', why: { code: 'aws-unreadable' } });
    expect(outcomeText(store.data.actions.at(-1)!)).toContain('AWS could not be read with the remediation role: not authorized');
    await store.close();
  });

  it('a bot that stops between the AWS write and its outcome leaves an "applying" entry: no second write, and it can still be undone', async () => {
    const { store: before, scanId, fingerprint, file } = await recorded();
    let store = before;
    const make = () => makeService(store);
    // AWS takes the write, and the bot never hears back (it stops).
    iam.on(UpdateAccessKeyCommand).callsFakeOnce(() => {
      status = 'Inactive';
      return new Promise(() => undefined);
    });
    const ref = findingRef(scanId, fingerprint);
    const confirm = async (service: RemediationService, requestId: string) => {
      const guarded = await service.guard('U0ALICE01', ref, requestId);
      if (!guarded.ok) throw new Error(guarded.refusal.code);
      return service.preview(guarded.value, 'U0ALICE01', requestId, ref);
    };
    const first = make();
    expect(await confirm(first, '11111111-1111-4111-8111-111111111111')).toMatchObject({ ok: true });
    void first.execute({ user: 'U0ALICE01', ref, requestId: '11111111-1111-4111-8111-111111111111' });
    const log = () => store.data.actions;
    const end = Date.now() + 2_000;
    while (iam.commandCalls(UpdateAccessKeyCommand).length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(log().map((r) => r.result)).toEqual(['applying']);
    expect(log()[0]!.state).toEqual({ userName: 'deploy-bot', accessKeyIds: [KEY] });

    // The restarted bot (its own process: none of the first one's locks): another click finds the fix under way or done, and writes nothing.
    await before.close();
    store = await FileStore.open(file);
    const restarted = make();
    // AWS took it: choosing Fix again finds nothing to do (the live precheck), and nothing is written.
    expect(await confirm(restarted, '22222222-2222-4222-8222-222222222222')).toMatchObject({
      ok: false,
      refusal: { code: 'nothing-to-do', detail: expect.stringContaining('already Inactive') },
    });
    // The old confirmation ended with the bot: its button is refused, not acted on.
    const stale = await restarted.execute({ user: 'U0ALICE01', ref, requestId: '11111111-1111-4111-8111-111111111111' });
    expect(stale.kind).toBe('repeat');
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
    // Undo still works from the recorded state.
    iam.on(UpdateAccessKeyCommand).callsFake((input: { Status: 'Active' | 'Inactive' }) => ((status = input.Status), {}));
    const undone = await restarted.undo({ recordId: log()[0]!.id, user: 'U0ALICE01', requestId: 'undo-1' });
    expect(undone.kind).toBe('undone');
    expect(iam.commandCalls(UpdateAccessKeyCommand).at(-1)!.args[0].input).toEqual({ UserName: 'deploy-bot', AccessKeyId: KEY, Status: 'Active' });
    expect(log().map((r) => r.result)).toEqual(['applying', 'refused', 'undone']);
    await store.close();
  });

  it('an "applying" entry whose write never reached AWS is closed as not applied, and the fix goes ahead once', async () => {
    const { store, scanId, fingerprint } = await recorded();
    const ref = findingRef(scanId, fingerprint);
    // The bot stopped before AWS took the write: the entry says applying, the key is still Active.
    await store.update((data) => {
      data.actions.push({
        id: 'old',
        at: '2026-11-23T12:01:00.000Z',
        requestId: 'old-click',
        result: 'applying',
        action: 'iam.deactivate-access-key',
        fingerprint,
        accountId: '123456789012',
        alias: 'prod',
        checkId: 'iam.access-key-rotation',
        user: 'U0ALICE01',
        change: 'Deactivate',
        state: { userName: 'deploy-bot', accessKeyIds: [KEY] },
      } as never);
    });
    iam.on(UpdateAccessKeyCommand).callsFake((input: { Status: 'Active' | 'Inactive' }) => ((status = input.Status), {}));
    const service = makeService(store);
    const requestId = '33333333-3333-4333-8333-333333333333';
    const guarded = await service.guard('U0ALICE01', ref, requestId);
    if (!guarded.ok) throw new Error(guarded.refusal.code);
    expect(await service.preview(guarded.value, 'U0ALICE01', requestId, ref)).toMatchObject({ ok: true });
    const outcome = await service.execute({ user: 'U0ALICE01', ref, requestId });
    expect(outcome.kind).toBe('applied');
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
    const log = store.data.actions;
    expect(log.map((r) => [r.id === 'old' ? 'old' : 'new', r.result])).toEqual([
      ['old', 'failed'],
      ['new', 'applied'],
    ]);
    expect(log[0]!.why).toEqual({ code: 'never-applied' });
    expect(outcomeText(log[0]!)).toContain('not applied: the bot stopped before AWS answered');
    // The old entry is no longer undoable; the new one is.
    expect((await service.undo({ recordId: 'old', user: 'U0ALICE01', requestId: 'undo-old' })).kind).toBe('refused');
    expect((await service.undo({ recordId: log[1]!.id, user: 'U0ALICE01', requestId: 'undo-new' })).kind).toBe('undone');
    expect(status).toBe('Active');
    await store.close();
  });

  it("refuses a click without a confirmation of its own: forged, someone else's, expired, or made under other settings", async () => {
    const { store, scanId, fingerprint } = await recorded();
    const ref = findingRef(scanId, fingerprint);
    iam.on(UpdateAccessKeyCommand).resolves({});
    let now = new Date('2026-11-23T12:05:00.000Z');
    const service = makeService(store, () => now);
    const confirm = async (user: string, requestId: string) => {
      const guarded = await service.guard(user, ref, requestId);
      if (!guarded.ok) throw new Error(guarded.refusal.code);
      return service.preview(guarded.value, user, requestId, ref);
    };
    const forged = await service.execute({ user: 'U0ALICE01', ref, requestId: '44444444-4444-4444-8444-444444444444' });
    expect(forged).toMatchObject({ kind: 'refused', refusal: { code: 'confirmation-expired' } });
    await confirm('U0ALICE01', '55555555-5555-4555-8555-555555555555');
    const other = await service.execute({ user: 'U0BOB0001', ref, requestId: '55555555-5555-4555-8555-555555555555' });
    expect(other).toMatchObject({ kind: 'refused', refusal: { code: 'someone-elses' } });
    await confirm('U0ALICE01', '77777777-7777-4777-8777-777777777777');
    const wrongRef = await service.execute({ user: 'U0ALICE01', ref: `${scanId}:${'0'.repeat(32)}`, requestId: '77777777-7777-4777-8777-777777777777' });
    expect(wrongRef).toMatchObject({ kind: 'refused' });
    await confirm('U0ALICE01', '66666666-6666-4666-8666-666666666666');
    now = new Date(now.getTime() + 15 * 60_000 + 1);
    expect(await service.execute({ user: 'U0ALICE01', ref, requestId: '66666666-6666-4666-8666-666666666666' })).toMatchObject({
      kind: 'refused',
      refusal: { code: 'confirmation-expired' },
    });
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
    expect(store.data.actions.map((r) => [r.user, r.result])).toEqual([
      ['U0ALICE01', 'refused'],
      ['U0BOB0001', 'refused'],
      ['U0ALICE01', 'refused'],
      ['U0ALICE01', 'refused'],
    ]);
    await store.close();
  });

  it('assumes the remediation role (never the audit role), in a session named after the remediator, or approver and requester', async () => {
    const { store, scanId, fingerprint } = await recorded();
    const ref = findingRef(scanId, fingerprint);
    iam.on(UpdateAccessKeyCommand).callsFake((input: { Status: 'Active' | 'Inactive' }) => ((status = input.Status), {}));
    const sessions = fakeSessions();
    const provider = vi.spyOn(sessions, 'provider');
    const config = parseConfig(
      CONFIG_TEXT.replace('remediators: [U0ALICE01, U0BOB0001]', 'remediators: [U0ALICE01, U0BOB0001]\n  requireApproval: true'),
      '/x/audit.config.yml',
    );
    expect(config.access.requireApproval).toBe(true);
    const service = new RemediationService({ config, store, sessions, logger, now: () => new Date('2026-11-23T12:05:00.000Z') });
    const requestId = '88888888-8888-4888-8888-888888888888';
    const guarded = await service.guard('U0ALICE01', ref, requestId);
    if (!guarded.ok) throw new Error(guarded.refusal.code);
    expect(await service.preview(guarded.value, 'U0ALICE01', requestId, ref)).toMatchObject({ ok: true });
    // Under the two-person rule, the requester's own click cannot apply.
    expect(await service.execute({ user: 'U0ALICE01', ref, requestId })).toMatchObject({ kind: 'refused' });
    const requestId2 = '99999999-9999-4999-8999-999999999999';
    const again = await service.guard('U0ALICE01', ref, requestId2);
    if (!again.ok) throw new Error(again.refusal.code);
    await service.preview(again.value, 'U0ALICE01', requestId2, ref);
    const filed = await service.request({ user: 'U0ALICE01', ref, requestId: requestId2 });
    if (!filed.ok) throw new Error(filed.refusal.code);
    expect(await service.decide({ requestRecordId: filed.value.record.id, by: 'U0BOB0001', approve: true })).toMatchObject({ kind: 'applied' });
    const used = provider.mock.calls.map(([target, session]) => [target.roleArn, session]);
    expect(new Set(used.map(([arn]) => arn))).toEqual(new Set(['arn:aws:iam::123456789012:role/AuditRemediation']));
    expect(used.map(([, session]) => session)).toEqual([
      'aws-audit-bot@fix-U0ALICE01',
      'aws-audit-bot@fix-U0ALICE01',
      'aws-audit-bot@fix-U0BOB0001-for-U0ALICE01',
    ]);
    expect(iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(1);
    await store.close();
  });

  it('a request nobody could be shown is withdrawn; its button clicked again answers with why, not as a request still waiting', async () => {
    const { store, scanId, fingerprint } = await recorded();
    const ref = findingRef(scanId, fingerprint);
    const config = parseConfig(
      CONFIG_TEXT.replace('remediators: [U0ALICE01, U0BOB0001]', 'remediators: [U0ALICE01, U0BOB0001]\n  requireApproval: true'),
      '/x/audit.config.yml',
    );
    const service = new RemediationService({ config, store, sessions: fakeSessions(), logger, now: () => new Date('2026-11-23T12:05:00.000Z'), clients });
    const requestId = '12121212-1212-4121-8121-121212121212';
    const guarded = await service.guard('U0ALICE01', ref, requestId);
    if (!guarded.ok) throw new Error(guarded.refusal.code);
    await service.preview(guarded.value, 'U0ALICE01', requestId, ref);
    const filed = await service.request({ user: 'U0ALICE01', ref, requestId });
    if (!filed.ok) throw new Error(filed.refusal.code);
    await service.withdraw(filed.value.record.id, { code: 'request-not-posted', error: 'channel_not_found' });
    const again = await service.request({ user: 'U0ALICE01', ref, requestId });
    expect(again).toEqual({ ok: false, refusal: { code: 'request-not-posted', error: 'channel_not_found' } });
    // An entry written before reason codes answers with its words.
    await store.update((data) => {
      const entry = data.actions.find((r) => r.id === filed.value.record.id)!;
      delete entry.why;
      entry.reason = 'the request could not be posted: there is no other remediator to ask';
    });
    expect(await service.request({ user: 'U0ALICE01', ref, requestId })).toEqual({
      ok: false,
      refusal: { code: 'earlier-answer', detail: 'the request could not be posted: there is no other remediator to ask' },
    });
    await store.close();
  });

  it('does not undo in dry-run mode (it changes nothing in AWS), and says why', async () => {
    const { store, fingerprint } = await recorded();
    await store.update((data) => {
      data.actions.push({
        id: 'fix-1',
        at: '2026-11-23T12:01:00.000Z',
        requestId: 'click-1',
        result: 'applied',
        action: 'iam.deactivate-access-key',
        fingerprint,
        accountId: '123456789012',
        alias: 'prod',
        checkId: 'iam.access-key-rotation',
        user: 'U0ALICE01',
        change: 'Deactivate',
        state: { userName: 'deploy-bot', accessKeyIds: [KEY] },
      } as never);
    });
    const config = parseConfig(CONFIG_TEXT.replace('mode: apply', 'mode: dry-run'), '/x/audit.config.yml');
    const service = new RemediationService({ config, store, sessions: fakeSessions(), logger, now: () => new Date('2026-11-23T12:05:00.000Z'), clients });
    expect(await service.undo({ recordId: 'fix-1', user: 'U0ALICE01', requestId: 'undo-1' })).toMatchObject({
      kind: 'refused',
      refusal: { code: 'undo-dry-run' },
    });
    expect(iam.calls()).toHaveLength(0);
    expect(store.data.actions.map((r) => [r.result, r.why?.code ?? null])).toEqual([
      ['applied', null],
      ['refused', 'undo-dry-run'],
    ]);
    await store.close();
  });

  it('fixes once across two bot replicas on one PostgreSQL: a confirmation shown by one is applied by the other, once; two Undo clicks on two replicas undo once', async () => {
    const schema = freshSchema();
    const one = await PostgresStore.open(databaseUrl(), { schema });
    const two = await PostgresStore.open(databaseUrl(), { schema });
    try {
      const scanId = await recordInto(one);
      const ref = findingRef(scanId, FINGERPRINT);
      const a = makeService(one);
      const b = makeService(two);
      iam.on(UpdateAccessKeyCommand).callsFake(async (input: { Status: 'Active' | 'Inactive' }) => {
        // AWS takes its time: both replicas are inside undo at once.
        await new Promise((r) => setTimeout(r, 200));
        status = input.Status;
        return {};
      });
      const requestId = '33333333-3333-4333-8333-333333333333';
      const guarded = await a.guard('U0ALICE01', ref, requestId);
      if (!guarded.ok) throw new Error(guarded.refusal.code);
      expect(await a.preview(guarded.value, 'U0ALICE01', requestId, ref)).toMatchObject({ ok: true });
      // The click on Apply reaches the other replica: it finds the confirmation the first one showed, and applies it once.
      const [applied, again] = await Promise.all([b.execute({ user: 'U0ALICE01', ref, requestId }), a.execute({ user: 'U0ALICE01', ref, requestId })]);
      expect([applied.kind, again.kind].sort()).toEqual(['applied', 'repeat']);
      // The other replica sees the fix in the shared log.
      const [fix] = (await b.log()).filter((r) => r.result === 'applied');
      expect(fix).toBeDefined();
      const [x, y] = await Promise.all([
        a.undo({ recordId: fix!.id, user: 'U0ALICE01', requestId: 'undo-alice' }),
        b.undo({ recordId: fix!.id, user: 'U0BOB0001', requestId: 'undo-bob' }),
      ]);
      expect([x.kind, y.kind].sort()).toEqual(['already', 'undone']);
      // One write to deactivate, one to undo: never two undos.
      expect(iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input.Status)).toEqual(['Inactive', 'Active']);
      expect((await one.actions()).filter((r) => r.result === 'undone')).toHaveLength(1);
    } finally {
      await one.dropSchema();
      await Promise.all([one.close(), two.close()]);
    }
  });
});
