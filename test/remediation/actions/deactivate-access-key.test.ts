import {
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  UpdateAccessKeyCommand,
  type AccessKeyMetadata,
} from '@aws-sdk/client-iam';
import { RDSClient } from '@aws-sdk/client-rds';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../../checks/index.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../../../src/config.js';
import action from '../../../src/remediation/actions/deactivate-access-key.js';
import { actionFor, ALL_ACTIONS } from '../../../src/remediation/actions/index.js';
import type { PrecheckContext, RemediationClients, RemediationTarget } from '../../../src/remediation/types.js';
import { awsError, daysAgo, NOW } from '../../helpers/aws.js';
import { awsManaged, customerManaged } from '../../helpers/iam-fixtures.js';

const iam = mockClient(IAMClient);

/** Every command any test sent, for the permissions test at the end. */
const sent = new Set<string>();

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const clients: RemediationClients = {
  // A real client (the mock intercepts it) that notes what it was asked to send.
  iam: () => {
    const client = new IAMClient({ region: 'us-east-1', credentials });
    return {
      send: ((command: object) => {
        sent.add(command.constructor.name);
        return client.send(command as never);
      }) as IAMClient['send'],
    };
  },
  ec2: (region) => new EC2Client({ region, credentials }),
  s3: (region) => new S3Client({ region, credentials }),
  rds: (region) => new RDSClient({ region, credentials }),
};

const USER = 'deploy-bot';
const KEY1 = 'AKIAAAAAAAAAAAAAWXYZ';
const KEY2 = 'AKIABBBBBBBBBBBBABCD';
/** Credential report times have whole seconds. */
const CREATED = new Date(Math.floor(daysAgo(200).getTime() / 1000) * 1000);

function context(thresholds: Partial<Thresholds> = {}): PrecheckContext {
  return { now: NOW, thresholds: { ...DEFAULT_THRESHOLDS, ...thresholds } };
}

function key(id: string, created: Date, status: 'Active' | 'Inactive' = 'Active', user = USER): AccessKeyMetadata {
  return { UserName: user, AccessKeyId: id, Status: status, CreateDate: created };
}

/** A key finding as the credential-report checks record it. */
function keyTarget(checkId: string, created: Date = CREATED, overrides: Record<string, string | number | null> = {}): RemediationTarget {
  return {
    checkId,
    accountId: '123456789012',
    region: 'global',
    resourceId: `${USER}/access-key-1`,
    details: { userName: USER, keySlot: 1, keyCreatedAt: created.toISOString(), ageDays: 200, lastUsedAt: null, ...overrides },
    foundAt: daysAgo(1).toISOString(),
  };
}

const rotation = (created?: Date) => keyTarget('iam.access-key-rotation', created);
const unused = (created?: Date) => keyTarget('iam.credentials-unused', created, { unusedDays: 100 });

const exposedTarget: RemediationTarget = {
  checkId: 'iam.exposed-access-key',
  accountId: '123456789012',
  region: 'global',
  resourceId: 'ci-bot',
  details: { userName: 'ci-bot', quarantinePolicies: 'AWSCompromisedKeyQuarantineV3' },
  foundAt: daysAgo(1).toISOString(),
};

function serveKeys(keys: AccessKeyMetadata[], user = USER): void {
  iam.on(ListAccessKeysCommand, { UserName: user }).resolves({ AccessKeyMetadata: keys, IsTruncated: false });
}

function writes(): number {
  return iam.commandCalls(UpdateAccessKeyCommand).length;
}

describe('iam.deactivate-access-key', () => {
  beforeEach(() => iam.reset());

  it('is the fix of exactly the checks that name it', () => {
    expect(action.id).toBe('iam.deactivate-access-key');
    expect([...action.appliesTo].sort()).toEqual(
      ALL_CHECKS.filter((c) => c.fix === action.id)
        .map((c) => c.id)
        .sort(),
    );
    expect(ALL_ACTIONS).toContain(action);
    for (const checkId of action.appliesTo) expect(actionFor(checkId)).toBe(action);
    expect(actionFor('iam.root-mfa')).toBeUndefined();
  });

  it('describes the fix from the recorded finding alone', () => {
    expect(action.describe(rotation())).toBe(`Deactivate access key 1 of IAM user ${USER} (created ${CREATED.toISOString().slice(0, 10)})`);
    expect(action.describe(exposedTarget)).toBe('Deactivate every active access key of IAM user ci-bot');
    expect(iam.calls()).toHaveLength(0);
  });

  describe('precheck, key older than the limit (iam.access-key-rotation)', () => {
    it('finds the key by its creation time, to the second, and says what will change', async () => {
      // Same second as the report's time (AWS may return milliseconds); the other key is a second later.
      serveKeys([key(KEY2, new Date(CREATED.getTime() + 1000)), key(KEY1, new Date(CREATED.getTime() + 400))]);
      const result = await action.precheck(rotation(), clients, context());
      expect(result).toEqual({
        ok: true,
        change: `Deactivate access key AKIA…WXYZ of IAM user ${USER}`,
        state: { userName: USER, accessKeyIds: [KEY1] },
      });
      expect(iam.commandCalls(ListAccessKeysCommand)[0]!.args[0].input).toEqual({ UserName: USER });
      expect(writes()).toBe(0);
    });

    it('follows ListAccessKeys pages (Marker)', async () => {
      iam.on(ListAccessKeysCommand, { UserName: USER }).resolves({ AccessKeyMetadata: [key(KEY2, daysAgo(5))], IsTruncated: true, Marker: 'page-2' });
      iam.on(ListAccessKeysCommand, { UserName: USER, Marker: 'page-2' }).resolves({ AccessKeyMetadata: [key(KEY1, CREATED)], IsTruncated: false });
      const result = await action.precheck(rotation(), clients, context());
      expect(result).toMatchObject({ ok: true, state: { userName: USER, accessKeyIds: [KEY1] } });
      expect(iam.commandCalls(ListAccessKeysCommand).map((c) => c.args[0].input)).toEqual([{ UserName: USER }, { UserName: USER, Marker: 'page-2' }]);
    });

    it('refuses when the key is gone (rotated: a key of another creation time is there)', async () => {
      serveKeys([key(KEY2, daysAgo(3))]);
      const result = await action.precheck(rotation(), clients, context());
      expect(result).toEqual({ ok: false, reason: `the access key of IAM user ${USER} created ${CREATED.toISOString()} no longer exists` });
      expect(writes()).toBe(0);
    });

    it('refuses when the key is already inactive', async () => {
      serveKeys([key(KEY1, CREATED, 'Inactive')]);
      const result = await action.precheck(rotation(), clients, context());
      expect(result).toEqual({ ok: false, reason: `access key AKIA…WXYZ of IAM user ${USER} is already Inactive` });
    });

    it('refuses when the key is within the age limit now', async () => {
      serveKeys([key(KEY1, CREATED)]);
      const result = await action.precheck(rotation(), clients, context({ accessKeyMaxAgeDays: 200 }));
      expect(result).toEqual({ ok: false, reason: `access key AKIA…WXYZ of IAM user ${USER} is 200 days old, within the limit of 200 days` });
      const older = await action.precheck(rotation(), clients, context({ accessKeyMaxAgeDays: 199 }));
      expect(older.ok).toBe(true);
    });

    it('refuses when two keys were created in the same second', async () => {
      serveKeys([key(KEY1, CREATED), key(KEY2, CREATED)]);
      const result = await action.precheck(rotation(), clients, context());
      expect(result.ok).toBe(false);
    });

    it('refuses when the user no longer exists', async () => {
      iam.on(ListAccessKeysCommand).rejects(awsError('NoSuchEntityException', `The user with name ${USER} cannot be found.`));
      const result = await action.precheck(rotation(), clients, context());
      expect(result).toEqual({ ok: false, reason: `IAM user ${USER} no longer exists` });
    });

    it('rejects on AccessDenied: never ok, never a refusal that passes for an answer', async () => {
      iam.on(ListAccessKeysCommand).rejects(awsError('AccessDenied', 'not authorized to perform: iam:ListAccessKeys'));
      await expect(action.precheck(rotation(), clients, context())).rejects.toMatchObject({ name: 'AccessDenied' });
      expect(writes()).toBe(0);
    });
  });

  describe('precheck, unused key (iam.credentials-unused)', () => {
    it('reads the last use live and accepts a key unused for the limit or longer', async () => {
      serveKeys([key(KEY1, CREATED)]);
      iam
        .on(GetAccessKeyLastUsedCommand)
        .resolves({ UserName: USER, AccessKeyLastUsed: { LastUsedDate: daysAgo(45), ServiceName: 's3', Region: 'us-east-1' } });
      const result = await action.precheck(unused(), clients, context());
      expect(result).toEqual({ ok: true, change: `Deactivate access key AKIA…WXYZ of IAM user ${USER}`, state: { userName: USER, accessKeyIds: [KEY1] } });
      expect(iam.commandCalls(GetAccessKeyLastUsedCommand)[0]!.args[0].input).toEqual({ AccessKeyId: KEY1 });
      expect(writes()).toBe(0);
    });

    it('refuses a key used since the (up to 4 hours old) credential report', async () => {
      serveKeys([key(KEY1, CREATED)]);
      iam
        .on(GetAccessKeyLastUsedCommand)
        .resolves({ UserName: USER, AccessKeyLastUsed: { LastUsedDate: daysAgo(44), ServiceName: 's3', Region: 'us-east-1' } });
      const result = await action.precheck(unused(), clients, context());
      expect(result).toEqual({ ok: false, reason: expect.stringContaining('44 days ago (limit 45): it is no longer unused') });
    });

    it('judges a never-used key by its creation time', async () => {
      serveKeys([key(KEY1, CREATED)]);
      iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: USER, AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } });
      expect((await action.precheck(unused(), clients, context())).ok).toBe(true);
      expect((await action.precheck(unused(), clients, context({ credentialUnusedDays: 201 }))).ok).toBe(false);
    });

    it('rejects on AccessDenied from GetAccessKeyLastUsed', async () => {
      serveKeys([key(KEY1, CREATED)]);
      iam.on(GetAccessKeyLastUsedCommand).rejects(awsError('AccessDenied'));
      await expect(action.precheck(unused(), clients, context())).rejects.toMatchObject({ name: 'AccessDenied' });
    });

    it('refuses a console-password finding (fix: null) without calling AWS', async () => {
      const password: RemediationTarget = {
        checkId: 'iam.credentials-unused',
        accountId: '123456789012',
        region: 'global',
        resourceId: USER,
        details: { userName: USER, passwordLastUsedAt: daysAgo(100).toISOString(), passwordLastChangedAt: null, userCreatedAt: null, unusedDays: 100 },
        foundAt: daysAgo(1).toISOString(),
      };
      expect(await action.precheck(password, clients, context())).toEqual({
        ok: false,
        reason: 'this finding is not about an access key, so there is no key to deactivate',
      });
      expect(iam.calls()).toHaveLength(0);
    });

    it('refuses findings of other checks', async () => {
      const result = await action.precheck({ ...rotation(), checkId: 'iam.root-access-keys' }, clients, context());
      expect(result.ok).toBe(false);
      expect(iam.calls()).toHaveLength(0);
    });
  });

  describe('precheck, key AWS found in public (iam.exposed-access-key)', () => {
    it('deactivates every key of the quarantined user that is active now', async () => {
      iam
        .on(ListAttachedUserPoliciesCommand, { UserName: 'ci-bot' })
        .resolves({ AttachedPolicies: [customerManaged('Deploy')], IsTruncated: true, Marker: 'p2' });
      iam
        .on(ListAttachedUserPoliciesCommand, { UserName: 'ci-bot', Marker: 'p2' })
        .resolves({ AttachedPolicies: [awsManaged('AWSCompromisedKeyQuarantineV3')], IsTruncated: false });
      serveKeys([key(KEY1, daysAgo(30), 'Active', 'ci-bot'), key(KEY2, daysAgo(2), 'Active', 'ci-bot')], 'ci-bot');
      const result = await action.precheck(exposedTarget, clients, context());
      expect(result).toEqual({
        ok: true,
        change: 'Deactivate access keys AKIA…WXYZ and AKIA…ABCD of IAM user ci-bot',
        state: { userName: 'ci-bot', accessKeyIds: [KEY1, KEY2] },
      });
      expect(iam.commandCalls(ListAttachedUserPoliciesCommand).map((c) => c.args[0].input)).toEqual([
        { UserName: 'ci-bot' },
        { UserName: 'ci-bot', Marker: 'p2' },
      ]);
      expect(writes()).toBe(0);
    });

    it('leaves out keys created after the finding was found (the replacement), and refuses when only those are active', async () => {
      iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [awsManaged('AWSCompromisedKeyQuarantineV3')], IsTruncated: false });
      serveKeys([key(KEY1, daysAgo(30), 'Active', 'ci-bot'), key(KEY2, daysAgo(2), 'Active', 'ci-bot')], 'ci-bot');
      const found5DaysAgo = { ...exposedTarget, foundAt: daysAgo(5).toISOString() };
      expect(await action.precheck(found5DaysAgo, clients, context())).toMatchObject({
        ok: true,
        change: 'Deactivate access key AKIA…WXYZ of IAM user ci-bot',
        state: { accessKeyIds: [KEY1] },
      });
      const found40DaysAgo = { ...exposedTarget, foundAt: daysAgo(40).toISOString() };
      expect(await action.precheck(found40DaysAgo, clients, context())).toEqual({
        ok: false,
        reason: `the active access keys of IAM user ci-bot were all created after the finding (${daysAgo(40).toISOString().slice(0, 10)}): they are not the exposed one`,
      });
      expect(writes()).toBe(0);
    });

    it('leaves inactive keys out', async () => {
      iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [awsManaged('AWSCompromisedKeyQuarantineV2')], IsTruncated: false });
      serveKeys([key(KEY1, daysAgo(30), 'Inactive', 'ci-bot'), key(KEY2, daysAgo(2), 'Active', 'ci-bot')], 'ci-bot');
      expect(await action.precheck(exposedTarget, clients, context())).toMatchObject({ ok: true, state: { userName: 'ci-bot', accessKeyIds: [KEY2] } });
    });

    it('refuses when the quarantine policy is gone (a customer policy of that name is not it)', async () => {
      iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [customerManaged('AWSCompromisedKeyQuarantineV3')], IsTruncated: false });
      serveKeys([key(KEY1, daysAgo(30), 'Active', 'ci-bot')], 'ci-bot');
      expect(await action.precheck(exposedTarget, clients, context())).toEqual({
        ok: false,
        reason: 'IAM user ci-bot no longer has an AWSCompromisedKeyQuarantine policy attached',
      });
    });

    it('refuses when no key is active any more', async () => {
      iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [awsManaged('AWSCompromisedKeyQuarantineV3')], IsTruncated: false });
      serveKeys([key(KEY1, daysAgo(30), 'Inactive', 'ci-bot')], 'ci-bot');
      expect(await action.precheck(exposedTarget, clients, context())).toEqual({ ok: false, reason: 'IAM user ci-bot has no active access key left' });
    });

    it('refuses when the user is gone, rejects on AccessDenied', async () => {
      iam.on(ListAttachedUserPoliciesCommand).rejectsOnce(awsError('NoSuchEntityException')).rejectsOnce(awsError('AccessDenied'));
      expect(await action.precheck(exposedTarget, clients, context())).toEqual({ ok: false, reason: 'IAM user ci-bot no longer exists' });
      await expect(action.precheck(exposedTarget, clients, context())).rejects.toMatchObject({ name: 'AccessDenied' });
    });
  });

  describe('apply and undo', () => {
    const state = { userName: 'ci-bot', accessKeyIds: [KEY1, KEY2] };

    it('apply sets exactly the recorded keys Inactive', async () => {
      iam.on(UpdateAccessKeyCommand).resolves({});
      await action.apply(state, clients);
      expect(iam.calls().map((c) => (c.args[0] as object).constructor.name)).toEqual(['UpdateAccessKeyCommand', 'UpdateAccessKeyCommand']);
      expect(iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input)).toEqual([
        { UserName: 'ci-bot', AccessKeyId: KEY1, Status: 'Inactive' },
        { UserName: 'ci-bot', AccessKeyId: KEY2, Status: 'Inactive' },
      ]);
    });

    it('a failure part-way says which keys were already deactivated', async () => {
      iam.on(UpdateAccessKeyCommand, { AccessKeyId: KEY1 }).resolves({});
      iam.on(UpdateAccessKeyCommand, { AccessKeyId: KEY2 }).rejects(awsError('LimitExceeded', 'slow down'));
      await expect(action.apply(state, clients)).rejects.toThrow('access key AKIA…WXYZ of IAM user ci-bot set to Inactive, but AKIA…ABCD failed: slow down');
      // What was done, for undo: the first key only.
      await expect(action.apply(state, clients)).rejects.toMatchObject({
        name: 'PartialRemediation',
        partialState: { userName: 'ci-bot', accessKeyIds: [KEY1] },
      });
    });

    it('undo sets exactly the recorded keys Active again', async () => {
      iam.on(UpdateAccessKeyCommand).resolves({});
      await action.undo(state, clients);
      expect(iam.commandCalls(UpdateAccessKeyCommand).map((c) => c.args[0].input)).toEqual([
        { UserName: 'ci-bot', AccessKeyId: KEY1, Status: 'Active' },
        { UserName: 'ci-bot', AccessKeyId: KEY2, Status: 'Active' },
      ]);
      expect(iam.calls()).toHaveLength(2);
    });

    it('refuses a malformed state without calling AWS', async () => {
      await expect(action.apply({ userName: 'ci-bot', accessKeyIds: [] }, clients)).rejects.toThrow(/malformed/);
      await expect(action.undo({ accessKeyIds: [KEY1] }, clients)).rejects.toThrow(/malformed/);
      expect(iam.calls()).toHaveLength(0);
    });

    it('precheckUndo: ok while every key is still there and Inactive', async () => {
      serveKeys([key(KEY1, daysAgo(30), 'Inactive', 'ci-bot'), key(KEY2, daysAgo(2), 'Inactive', 'ci-bot')], 'ci-bot');
      expect(await action.precheckUndo(state, clients)).toEqual({ ok: true });
      expect(writes()).toBe(0);
    });

    it('precheckUndo refuses when a key was reactivated, deleted, or the user is gone', async () => {
      serveKeys([key(KEY1, daysAgo(30), 'Inactive', 'ci-bot'), key(KEY2, daysAgo(2), 'Active', 'ci-bot')], 'ci-bot');
      expect(await action.precheckUndo(state, clients)).toEqual({
        ok: false,
        reason: 'access key AKIA…ABCD of IAM user ci-bot is Active now, not Inactive: it was changed since',
      });
      iam.reset();
      serveKeys([key(KEY2, daysAgo(2), 'Inactive', 'ci-bot')], 'ci-bot');
      expect(await action.precheckUndo(state, clients)).toEqual({ ok: false, reason: 'access key AKIA…WXYZ of IAM user ci-bot no longer exists' });
      iam.reset();
      iam.on(ListAccessKeysCommand).rejects(awsError('NoSuchEntityException'));
      expect(await action.precheckUndo(state, clients)).toEqual({ ok: false, reason: 'IAM user ci-bot no longer exists' });
      iam.reset();
      iam.on(ListAccessKeysCommand).rejects(awsError('AccessDenied'));
      await expect(action.precheckUndo(state, clients)).rejects.toMatchObject({ name: 'AccessDenied' });
      expect(writes()).toBe(0);
    });
  });

  it('needs exactly the IAM actions of the commands a whole fix sends (every kind of finding), and lists them', async () => {
    sent.clear();
    let status: 'Active' | 'Inactive' = 'Active';
    iam
      .on(ListAccessKeysCommand)
      .callsFake((input: { UserName: string }) => ({ AccessKeyMetadata: [key(KEY1, CREATED, status, input.UserName)], IsTruncated: false }));
    iam.on(UpdateAccessKeyCommand).callsFake((input: { Status: 'Active' | 'Inactive' }) => ((status = input.Status), {}));
    iam.on(GetAccessKeyLastUsedCommand).resolves({ UserName: USER, AccessKeyLastUsed: { LastUsedDate: daysAgo(400), ServiceName: 's3', Region: 'us-east-1' } });
    iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [awsManaged('AWSCompromisedKeyQuarantineV3')], IsTruncated: false });
    for (const target of [rotation(), unused(), exposedTarget]) {
      status = 'Active';
      const check = await action.precheck(target, clients, context());
      if (!check.ok) throw new Error(`precheck of ${target.checkId}: ${check.reason}`);
      await action.apply(check.state, clients);
      expect(await action.precheckUndo(check.state, clients)).toEqual({ ok: true });
      await action.undo(check.state, clients);
    }
    const needed = [...sent].map((name) => `iam:${name.replace(/Command$/, '')}`).sort();
    expect(needed).toEqual(['iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys', 'iam:ListAttachedUserPolicies', 'iam:UpdateAccessKey']);
    expect([...action.permissions].sort()).toEqual(needed);
  });
});
