import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { RDSClient } from '@aws-sdk/client-rds';
import { DeletePublicAccessBlockCommand, GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../../checks/index.js';
import { DEFAULT_THRESHOLDS } from '../../../src/config.js';
import action from '../../../src/remediation/actions/enable-block-public-access.js';
import { actionFor, ALL_ACTIONS } from '../../../src/remediation/actions/index.js';
import type { PrecheckContext, RemediationClients, RemediationTarget } from '../../../src/remediation/types.js';
import { awsError, NOW } from '../../helpers/aws.js';

const s3 = mockClient(S3Client);

/** Every command any test sent, and the regions the S3 clients were made for. */
const sent = new Set<string>();
const regions: string[] = [];

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const clients: RemediationClients = {
  iam: () => new IAMClient({ region: 'us-east-1', credentials }),
  rds: (region) => new RDSClient({ region, credentials }),
  ec2: (region) => new EC2Client({ region, credentials }),
  s3: (region) => {
    regions.push(region);
    const client = new S3Client({ region, credentials });
    return {
      send: ((command: object) => {
        sent.add(command.constructor.name);
        return client.send(command as never);
      }) as S3Client['send'],
    };
  },
};

/** The IAM action S3 authorises each command with (DeletePublicAccessBlock needs s3:PutBucketPublicAccessBlock). */
const IAM_ACTION: Record<string, string> = {
  GetPublicAccessBlockCommand: 's3:GetBucketPublicAccessBlock',
  PutPublicAccessBlockCommand: 's3:PutBucketPublicAccessBlock',
  DeletePublicAccessBlockCommand: 's3:PutBucketPublicAccessBlock',
};

const context: PrecheckContext = { now: NOW, thresholds: DEFAULT_THRESHOLDS };
const BUCKET = 'my-bucket';
const REGION = 'eu-west-1';
const OWNER = '123456789012';

function target(checkId = 's3.public-acl', region = REGION): RemediationTarget {
  return { checkId, accountId: '123456789012', region, resourceId: BUCKET, details: { bucket: BUCKET, region: REGION }, foundAt: NOW.toISOString() };
}

const OFF = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };
const ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

function serveBpa(config: Partial<typeof ON> | 'none'): void {
  if (config === 'none') {
    s3.on(GetPublicAccessBlockCommand).rejects(awsError('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found'));
  } else {
    s3.on(GetPublicAccessBlockCommand, { Bucket: BUCKET }).resolves({ PublicAccessBlockConfiguration: config });
  }
}

const writes = () => s3.commandCalls(PutPublicAccessBlockCommand).length + s3.commandCalls(DeletePublicAccessBlockCommand).length;

describe('s3.enable-block-public-access', () => {
  beforeEach(() => {
    s3.reset();
    regions.length = 0;
  });

  it('is the fix of exactly the checks that name it', () => {
    expect(action.id).toBe('s3.enable-block-public-access');
    expect(action.verb).toBe('Block public access');
    expect([...action.appliesTo].sort()).toEqual(
      ALL_CHECKS.filter((c) => c.fix === action.id)
        .map((c) => c.id)
        .sort(),
    );
    expect(ALL_ACTIONS).toContain(action);
    for (const checkId of action.appliesTo) expect(actionFor(checkId)).toBe(action);
    expect(actionFor('s3.account-block-public-access')).toBeUndefined();
  });

  it('describes the fix from the recorded finding alone', () => {
    expect(action.describe(target())).toBe(`Turn on all four Block Public Access settings of bucket ${BUCKET}`);
    expect(s3.calls()).toHaveLength(0);
  });

  describe('precheck', () => {
    it('records the configuration there was and says what will change', async () => {
      serveBpa({ BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false });
      const result = await action.precheck(target(), clients, context);
      expect(result).toEqual({
        ok: true,
        change: `Turn on all four Block Public Access settings of bucket ${BUCKET} (now: BlockPublicAcls on, the others off)`,
        state: {
          bucket: BUCKET,
          region: REGION,
          owner: OWNER,
          previous: { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false },
        },
      });
      expect(s3.commandCalls(GetPublicAccessBlockCommand)[0]!.args[0].input).toEqual({ Bucket: BUCKET, ExpectedBucketOwner: OWNER });
      expect(regions).toEqual([REGION]);
      expect(writes()).toBe(0);
    });

    it('records null when the bucket has no configuration', async () => {
      serveBpa('none');
      expect(await action.precheck(target('s3.block-public-access'), clients, context)).toEqual({
        ok: true,
        change: `Turn on all four Block Public Access settings of bucket ${BUCKET} (now: not configured)`,
        state: { bucket: BUCKET, region: REGION, owner: OWNER, previous: null },
      });
    });

    it('names the settings that are on and off, a setting S3 leaves out being off', async () => {
      serveBpa({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true });
      expect(await action.precheck(target('s3.public-policy'), clients, context)).toMatchObject({
        ok: true,
        change: `Turn on all four Block Public Access settings of bucket ${BUCKET} (now: RestrictPublicBuckets off, the others on)`,
        state: { previous: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: false } },
      });
      s3.reset();
      serveBpa(OFF);
      expect(await action.precheck(target(), clients, context)).toMatchObject({ ok: true, change: expect.stringContaining('(now: all four off)') });
      s3.reset();
      serveBpa({ ...OFF, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      expect(await action.precheck(target(), clients, context)).toMatchObject({
        change: expect.stringContaining('(now: IgnorePublicAcls and RestrictPublicBuckets on, the others off)'),
      });
    });

    it('takes the region from the details when the finding is global', async () => {
      serveBpa(OFF);
      expect(await action.precheck(target('s3.public-acl', 'global'), clients, context)).toMatchObject({ ok: true, state: { region: REGION } });
      expect(regions).toEqual([REGION]);
    });

    it('refuses when Block Public Access is already fully on', async () => {
      serveBpa(ON);
      expect(await action.precheck(target(), clients, context)).toEqual({ ok: false, reason: `Block Public Access is already fully on for bucket ${BUCKET}` });
      expect(writes()).toBe(0);
    });

    it('refuses when the bucket is gone', async () => {
      s3.on(GetPublicAccessBlockCommand).rejects(awsError('NoSuchBucket', 'The specified bucket does not exist'));
      expect(await action.precheck(target(), clients, context)).toEqual({ ok: false, reason: `bucket ${BUCKET} no longer exists` });
    });

    it('rejects on AccessDenied', async () => {
      s3.on(GetPublicAccessBlockCommand).rejects(awsError('AccessDenied', 'Access Denied'));
      await expect(action.precheck(target(), clients, context)).rejects.toMatchObject({ name: 'AccessDenied' });
      expect(writes()).toBe(0);
    });

    it('refuses findings of other checks and findings without a region', async () => {
      expect((await action.precheck(target('s3.account-block-public-access'), clients, context)).ok).toBe(false);
      expect((await action.precheck({ ...target('s3.public-acl', 'global'), details: { bucket: BUCKET, region: null } }, clients, context)).ok).toBe(false);
      expect(s3.calls()).toHaveLength(0);
    });
  });

  describe('apply and undo', () => {
    const previous = { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };

    it('apply turns all four on, in the bucket region', async () => {
      s3.on(PutPublicAccessBlockCommand).resolves({});
      await action.apply({ bucket: BUCKET, region: REGION, owner: OWNER, previous }, clients);
      expect(s3.calls()).toHaveLength(1);
      expect(s3.commandCalls(PutPublicAccessBlockCommand)[0]!.args[0].input).toEqual({
        Bucket: BUCKET,
        ExpectedBucketOwner: OWNER,
        PublicAccessBlockConfiguration: ON,
      });
      expect(regions).toEqual([REGION]);
    });

    it('undo puts back the previous configuration', async () => {
      s3.on(PutPublicAccessBlockCommand).resolves({});
      await action.undo({ bucket: BUCKET, region: REGION, owner: OWNER, previous }, clients);
      expect(s3.calls()).toHaveLength(1);
      expect(s3.commandCalls(PutPublicAccessBlockCommand)[0]!.args[0].input).toEqual({
        Bucket: BUCKET,
        ExpectedBucketOwner: OWNER,
        PublicAccessBlockConfiguration: previous,
      });
    });

    it('undo deletes the configuration when there was none', async () => {
      s3.on(DeletePublicAccessBlockCommand).resolves({});
      await action.undo({ bucket: BUCKET, region: REGION, owner: OWNER, previous: null }, clients);
      expect(s3.calls()).toHaveLength(1);
      expect(s3.commandCalls(DeletePublicAccessBlockCommand)[0]!.args[0].input).toEqual({ Bucket: BUCKET, ExpectedBucketOwner: OWNER });
      expect(regions).toEqual([REGION]);
    });

    it('refuses a malformed state without calling AWS', async () => {
      await expect(action.undo({ bucket: BUCKET, region: REGION, owner: OWNER }, clients)).rejects.toThrow(/malformed/);
      await expect(action.undo({ bucket: BUCKET, region: REGION, owner: OWNER, previous: { BlockPublicAcls: true } }, clients)).rejects.toThrow(/malformed/);
      await expect(action.apply({ bucket: BUCKET, owner: OWNER, previous: null }, clients)).rejects.toThrow(/malformed/);
      await expect(action.apply({ bucket: BUCKET, region: REGION, previous: null }, clients)).rejects.toThrow(/owner/);
      expect(s3.calls()).toHaveLength(0);
    });

    it('precheckUndo: ok while all four are still on', async () => {
      serveBpa(ON);
      expect(await action.precheckUndo({ bucket: BUCKET, region: REGION, owner: OWNER, previous }, clients)).toEqual({ ok: true });
      expect(regions).toEqual([REGION]);
      expect(writes()).toBe(0);
    });

    it('precheckUndo refuses when the configuration changed or the bucket is gone; rejects on AccessDenied', async () => {
      const state = { bucket: BUCKET, region: REGION, owner: OWNER, previous: null };
      serveBpa({ ...ON, BlockPublicPolicy: false });
      expect(await action.precheckUndo(state, clients)).toEqual({
        ok: false,
        reason: `the Block Public Access settings of bucket ${BUCKET} were changed since (now: BlockPublicPolicy off, the others on)`,
      });
      s3.reset();
      serveBpa('none');
      expect(await action.precheckUndo(state, clients)).toEqual({
        ok: false,
        reason: `the Block Public Access settings of bucket ${BUCKET} were changed since (now: not configured)`,
      });
      s3.reset();
      s3.on(GetPublicAccessBlockCommand).rejects(awsError('NoSuchBucket'));
      expect(await action.precheckUndo(state, clients)).toEqual({ ok: false, reason: `bucket ${BUCKET} no longer exists` });
      s3.reset();
      s3.on(GetPublicAccessBlockCommand).rejects(awsError('AccessDenied'));
      await expect(action.precheckUndo(state, clients)).rejects.toMatchObject({ name: 'AccessDenied' });
      expect(writes()).toBe(0);
    });
  });

  it('needs exactly the IAM actions of the commands a whole fix sends (with and without a previous configuration), and lists them', async () => {
    sent.clear();
    let current: typeof ON | null = null;
    s3.on(GetPublicAccessBlockCommand).callsFake(() => {
      if (current === null) throw awsError('NoSuchPublicAccessBlockConfiguration', 'not found');
      return { PublicAccessBlockConfiguration: current };
    });
    s3.on(PutPublicAccessBlockCommand).callsFake(
      (input: { PublicAccessBlockConfiguration: typeof ON }) => ((current = input.PublicAccessBlockConfiguration), {}),
    );
    s3.on(DeletePublicAccessBlockCommand).callsFake(() => ((current = null), {}));
    for (const before of [null, OFF]) {
      current = before;
      const check = await action.precheck(target(), clients, context);
      if (!check.ok) throw new Error(check.reason);
      await action.apply(check.state, clients);
      expect(await action.precheckUndo(check.state, clients)).toEqual({ ok: true });
      await action.undo(check.state, clients);
      expect(current).toEqual(before);
    }
    const unknown = [...sent].filter((name) => !(name in IAM_ACTION));
    expect(unknown).toEqual([]);
    expect([...sent].sort()).toEqual(['DeletePublicAccessBlockCommand', 'GetPublicAccessBlockCommand', 'PutPublicAccessBlockCommand']);
    const needed = [...new Set([...sent].map((name) => IAM_ACTION[name]))].sort();
    expect([...action.permissions].sort()).toEqual(needed);
  });
});
