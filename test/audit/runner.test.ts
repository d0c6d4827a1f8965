import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetAccountPasswordPolicyCommand, IAMClient, ListServerCertificatesCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { defineCheck } from '../../src/audit/check.js';
import { REGION_DISCOVERY } from '../../src/audit/runner.js';
import type { AuditProgress, Check } from '../../src/audit/types.js';
import { RoleSessions } from '../../src/aws/session.js';
import { AuditBotError } from '../../src/errors.js';
import { audit, awsError } from '../helpers/aws.js';

const iam = mockClient(IAMClient);
const ec2 = mockClient(EC2Client);

function globalCheck(id: string, run: Check['run'], uses: Check['uses'] = ['iam.passwordPolicy']): Check {
  return defineCheck({ id, title: id, service: 'test', scope: 'global', severity: 'medium', description: '', references: {}, remediation: '', uses, run });
}

function regionalCheck(id: string, run?: Check['run']): Check {
  return defineCheck({
    id,
    title: id,
    service: 'test',
    scope: 'regional',
    severity: 'low',
    description: '',
    references: {},
    remediation: '',
    uses: [],
    run: run ?? ((ctx) => [ctx.fail({ resource: { type: 'Test', id: `thing-in-${ctx.region}` }, message: `found in ${ctx.region}` })]),
  });
}

const readsPolicy = globalCheck('test.policy-a', async (ctx) => {
  const policy = await ctx.inventory.get('iam.passwordPolicy');
  return [policy ? ctx.pass('policy') : ctx.fail({ resource: { type: 'Policy', id: 'policy' }, message: 'none' })];
});
const alsoReadsPolicy = globalCheck('test.policy-b', async (ctx) => {
  await ctx.inventory.get('iam.passwordPolicy');
  return [ctx.pass('policy')];
});

const REGIONS = [
  { RegionName: 'us-east-1', OptInStatus: 'opt-in-not-required' },
  { RegionName: 'eu-west-1', OptInStatus: 'opt-in-not-required' },
  { RegionName: 'eu-south-2', OptInStatus: 'opted-in' },
  { RegionName: 'af-south-1', OptInStatus: 'not-opted-in' },
];

describe('runAudit', () => {
  beforeEach(() => {
    iam.reset();
    ec2.reset();
    ec2.on(DescribeRegionsCommand).resolves({ Regions: REGIONS });
  });

  it('runs global checks once and regional checks once per region', async () => {
    iam.on(GetAccountPasswordPolicyCommand).rejects(awsError('NoSuchEntityException'));
    const result = await audit([readsPolicy, regionalCheck('test.regional')], { account: { regions: ['us-east-1', 'eu-west-1'] } });
    expect(result.findings.map((f) => `${f.checkId}@${f.region}`).sort()).toEqual([
      'test.policy-a@global',
      'test.regional@eu-west-1',
      'test.regional@us-east-1',
    ]);
    expect(result.scope.regions).toEqual(['global', 'us-east-1', 'eu-west-1']);
    expect(result.stats.checksRun).toBe(3);
  });

  it('discovers enabled regions when none are configured, skipping regions not opted in', async () => {
    const result = await audit([regionalCheck('test.regional')], { account: { regions: undefined } });
    expect(result.findings.map((f) => f.region).sort()).toEqual(['eu-south-2', 'eu-west-1', 'us-east-1']);
    expect(result.errors).toEqual([]);
    expect(ec2.commandCalls(DescribeRegionsCommand)[0]!.args[0].input).toEqual({ AllRegions: true });
  });

  it('skips a configured region the account has not enabled, and says so, without an error', async () => {
    const result = await audit([regionalCheck('test.regional')], { account: { regions: ['us-east-1', 'af-south-1'] } });
    expect(result.findings.map((f) => f.region)).toEqual(['us-east-1']);
    expect(result.errors).toEqual([]);
    expect(result.scope.skippedRegions).toEqual([{ region: 'af-south-1', reason: 'not enabled (opt-in region) for this account' }]);
  });

  it('restricts regional checks to --region', async () => {
    const result = await audit([regionalCheck('test.regional')], { account: { regions: undefined }, onlyRegions: ['eu-west-1'] });
    expect(result.findings.map((f) => f.region)).toEqual(['eu-west-1']);
  });

  it('falls back to the configured regions when region discovery fails, reporting it', async () => {
    ec2.on(DescribeRegionsCommand).rejects(awsError('UnauthorizedOperation', 'not authorized to perform ec2:DescribeRegions'));
    const result = await audit([regionalCheck('test.regional')], { account: { regions: ['eu-west-1'] } });
    expect(result.findings.map((f) => f.region)).toEqual(['eu-west-1']);
    expect(result.errors).toEqual([
      expect.objectContaining({
        checkId: REGION_DISCOVERY,
        region: 'global',
        code: 'UnauthorizedOperation',
        message: expect.stringContaining('Auditing the configured regions'),
      }),
    ]);
  });

  it('runs no regional check, and says why, when regions can be neither discovered nor read from config', async () => {
    ec2.on(DescribeRegionsCommand).rejects(awsError('UnauthorizedOperation'));
    const result = await audit([regionalCheck('test.regional')], { account: { regions: undefined } });
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: REGION_DISCOVERY, message: expect.stringContaining('No regional check could run') })]);
    expect(result.scope.regions).toEqual([]);
  });

  it('isolates a failing check: an error entry with the AWS code, the others go on', async () => {
    iam.on(GetAccountPasswordPolicyCommand).resolves({ PasswordPolicy: { MinimumPasswordLength: 14 } });
    const broken = globalCheck('test.broken', () => {
      throw awsError('AccessDenied', 'User is not authorized to perform iam:Something\nwith a second line');
    });
    const result = await audit([broken, readsPolicy, regionalCheck('test.regional')]);
    expect(result.errors).toEqual([
      { checkId: 'test.broken', region: 'global', code: 'AccessDenied', message: 'User is not authorized to perform iam:Something' },
    ]);
    expect(result.stats.byCheck['test.policy-a']).toEqual({ passed: 1, failed: 0, errors: 0 });
    expect(result.findings.map((f) => f.checkId)).toEqual(['test.regional']);
  });

  it('gives a plain exception the code CheckFailed', async () => {
    const result = await audit([
      globalCheck('test.bug', () => {
        throw new TypeError('x is undefined');
      }),
    ]);
    expect(result.errors).toEqual([{ checkId: 'test.bug', region: 'global', code: 'CheckFailed', message: 'x is undefined' }]);
  });

  it('reads each dataset once per audit, shared by every check that needs it', async () => {
    iam.on(GetAccountPasswordPolicyCommand).resolves({ PasswordPolicy: { MinimumPasswordLength: 14 } });
    const result = await audit([readsPolicy, alsoReadsPolicy]);
    expect(iam.commandCalls(GetAccountPasswordPolicyCommand)).toHaveLength(1);
    expect(result.stats.apiCallsByOperation).toEqual({ 'iam:GetAccountPasswordPolicy': 1, 'sts:AssumeRole': 1 });
    expect(result.stats.apiCalls).toBe(2);
  });

  it('shares a failed read too: every check that needed it reports the error, one call made', async () => {
    iam.on(GetAccountPasswordPolicyCommand).rejects(awsError('AccessDenied', 'denied'));
    const result = await audit([readsPolicy, alsoReadsPolicy]);
    expect(iam.commandCalls(GetAccountPasswordPolicyCommand)).toHaveLength(1);
    expect(result.errors.map((e) => `${e.checkId}:${e.code}`)).toEqual(['test.policy-a:AccessDenied', 'test.policy-b:AccessDenied']);
    expect(result.findings).toEqual([]);
  });

  it('refuses a dataset the check did not declare', async () => {
    const sneaky = globalCheck('test.sneaky', async (ctx) => {
      await ctx.inventory.get('iam.serverCertificates');
      return [];
    });
    const result = await audit([sneaky]);
    expect(result.errors[0]).toMatchObject({ checkId: 'test.sneaky', message: expect.stringContaining('without declaring it') });
    expect(iam.commandCalls(ListServerCertificatesCommand)).toHaveLength(0);
  });

  it('keeps AWS calls in flight within the concurrency bound, per service and region', async () => {
    const inFlight = { iam: 0, ec2: 0, all: 0 };
    const peak = { iam: 0, ec2: 0, all: 0 };
    const slow = async (service: 'iam' | 'ec2') => {
      inFlight[service]++;
      inFlight.all++;
      peak[service] = Math.max(peak[service], inFlight[service]);
      peak.all = Math.max(peak.all, inFlight.all);
      await new Promise((r) => setTimeout(r, 10));
      inFlight[service]--;
      inFlight.all--;
    };
    iam.on(GetAccountPasswordPolicyCommand).callsFake(async () => (await slow('iam'), { PasswordPolicy: {} }));
    iam.on(ListServerCertificatesCommand).callsFake(async () => (await slow('iam'), { ServerCertificateMetadataList: [] }));
    ec2.on(DescribeRegionsCommand).callsFake(async () => (await slow('ec2'), { Regions: REGIONS }));
    const certs = globalCheck('test.certs', async (ctx) => (await ctx.inventory.get('iam.serverCertificates'), []), ['iam.serverCertificates']);
    const checks = [readsPolicy, certs, regionalCheck('test.regional')];
    await audit(checks, { concurrency: 1, account: { regions: undefined } });
    // IAM's two reads wait for each other; EC2's region discovery does not wait for IAM.
    expect(peak).toEqual({ iam: 1, ec2: 1, all: 2 });
    Object.assign(peak, { iam: 0, ec2: 0, all: 0 });
    await audit(checks, { concurrency: 3, account: { regions: undefined } });
    expect(peak.iam).toBe(2);
  });

  it('reports progress up to the total', async () => {
    iam.on(GetAccountPasswordPolicyCommand).resolves({ PasswordPolicy: {} });
    const events: AuditProgress[] = [];
    await audit([readsPolicy, regionalCheck('test.regional')], {
      account: { regions: ['us-east-1', 'eu-west-1'] },
      extra: { onProgress: (p) => events.push(p) },
    });
    // The global check is counted from the start; the regional ones once the regions are known.
    expect(events[0]).toEqual({ done: 0, total: 1 });
    const dones = events.map((e) => e.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    expect(events.filter((e) => e.checkId).map((e) => e.done)).toEqual([1, 2, 3]);
    expect(events.every((e) => e.done <= e.total)).toBe(true);
    expect(events.at(-1)).toMatchObject({ done: 3, total: 3 });
  });

  it('keeps one finding per fingerprint', async () => {
    const twice = globalCheck(
      'test.twice',
      (ctx) => [
        ctx.fail({ resource: { type: 'T', id: 'same' }, message: 'one' }),
        ctx.fail({ resource: { type: 'T', id: 'same' }, message: 'two' }),
        ctx.fail({ resource: { type: 'T', id: 'same' }, subKey: 'port-22', message: 'three' }),
      ],
      [],
    );
    const result = await audit([twice]);
    expect(result.findings.map((f) => f.message).sort()).toEqual(['one', 'three']);
    expect(result.stats.byCheck['test.twice']!.failed).toBe(2);
  });

  it('sorts findings by severity, then check, region and resource', async () => {
    const mixed = globalCheck(
      'test.mixed',
      (ctx) => [
        ctx.fail({ resource: { type: 'T', id: 'b' }, message: '', severity: 'low' }),
        ctx.fail({ resource: { type: 'T', id: 'a' }, message: '', severity: 'critical' }),
        ctx.fail({ resource: { type: 'T', id: 'c' }, message: '', severity: 'high' }),
      ],
      [],
    );
    const result = await audit([mixed]);
    expect(result.findings.map((f) => f.severity)).toEqual(['critical', 'high', 'low']);
  });

  it('reports one unreadable resource as an error naming it, while the others are judged', async () => {
    const viaContext = globalCheck(
      'test.via-context',
      (ctx) => [
        ctx.pass('a'),
        ctx.error('bucket-c', awsError('NoSuchBucket', 'The specified bucket does not exist\nmore')),
        ctx.error('x', new TypeError('boom')),
      ],
      [],
    );
    const result = await audit([viaContext]);
    expect(result.errors).toEqual([
      { checkId: 'test.via-context', region: 'global', code: 'NoSuchBucket', message: 'The specified bucket does not exist', resource: 'bucket-c' },
      { checkId: 'test.via-context', region: 'global', code: 'CheckFailed', message: 'boom', resource: 'x' },
    ]);
    expect(result.stats.byCheck['test.via-context']).toEqual({ passed: 1, failed: 0, errors: 2 });
    expect(result.findings).toEqual([]);
  });

  it('runs nothing and reads nothing for a check the configuration turns off, but keeps it in scope', async () => {
    const offUnlessTags = { ...readsPolicy, id: 'test.tags', enabled: (t: { requiredTags: string[] }) => t.requiredTags.length > 0 };
    const off = await audit([offUnlessTags]);
    expect(iam.calls()).toHaveLength(0);
    expect(off.findings).toEqual([]);
    expect(off.errors).toEqual([]);
    expect(off.scope.checkIds).toEqual(['test.tags']);
    expect(off.stats.byCheck['test.tags']).toEqual({ passed: 0, failed: 0, errors: 0 });
    iam.on(GetAccountPasswordPolicyCommand).rejects(awsError('NoSuchEntityException'));
    const on = await audit([offUnlessTags], { thresholds: { requiredTags: ['owner'] } });
    expect(on.findings.map((f) => f.checkId)).toEqual(['test.tags']);
  });

  it('tells each check every region of the audit, in order', async () => {
    const seen: string[][] = [];
    await audit([regionalCheck('test.regions', (ctx) => (seen.push([ctx.region, ...ctx.regions]), []))], { account: { regions: ['us-east-1', 'eu-west-1'] } });
    expect(seen.sort()).toEqual([
      ['eu-west-1', 'us-east-1', 'eu-west-1'],
      ['us-east-1', 'us-east-1', 'eu-west-1'],
    ]);
  });

  it('fails fast, before any AWS call, when the audit role cannot be assumed', async () => {
    const sts = mockClient(STSClient);
    sts.on(AssumeRoleCommand).rejects(awsError('AccessDenied', 'not authorized to perform sts:AssumeRole'));
    const error = await audit([readsPolicy], { extra: { sessions: new RoleSessions() } }).catch((e: unknown) => e);
    sts.restore();
    expect(error).toBeInstanceOf(AuditBotError);
    expect(error).toMatchObject({ code: 'ASSUME_ROLE_FAILED' });
    expect(iam.calls()).toHaveLength(0);
  });

  describe('the deadline', () => {
    const never = () => new Promise<never>(() => undefined);

    it('turns what is unfinished into error entries naming the call it waited for, and keeps what finished', async () => {
      iam.on(GetAccountPasswordPolicyCommand).callsFake(never);
      const result = await audit([readsPolicy, regionalCheck('test.regional')], { account: { regions: ['us-east-1'] }, extra: { deadlineMs: 300 } });
      expect(result.findings.map((f) => `${f.checkId}@${f.region}`)).toEqual(['test.regional@us-east-1']);
      expect(result.errors).toEqual([
        {
          checkId: 'test.policy-a',
          region: 'global',
          code: 'AuditDeadline',
          message: 'Not finished: the audit reached its deadline of 0.3 s (audit.timeoutSeconds). Still waiting for iam:GetAccountPasswordPolicy@us-east-1.',
        },
      ]);
      expect(result.stats.byCheck['test.policy-a']).toEqual({ passed: 0, failed: 0, errors: 1 });
      expect(result.stats.durationMs).toBeGreaterThanOrEqual(290);
    });

    it('reports the regions it could not list when region discovery hangs, and still judges global checks', async () => {
      ec2.on(DescribeRegionsCommand).callsFake(never);
      iam.on(GetAccountPasswordPolicyCommand).rejects(awsError('NoSuchEntityException'));
      const result = await audit([readsPolicy, regionalCheck('test.regional')], { account: { regions: undefined }, extra: { deadlineMs: 200 } });
      expect(result.findings.map((f) => f.checkId)).toEqual(['test.policy-a']);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatchObject({
        checkId: REGION_DISCOVERY,
        code: 'AuditDeadline',
        message: expect.stringContaining('ec2:DescribeRegions@us-east-1'),
      });
      expect(result.scope.regions).toEqual(['global']);
    });

    it('ends the audit even when the role cannot be assumed in time', async () => {
      const sessions = new RoleSessions(() => ({ send: never }));
      const error = await audit([readsPolicy], { extra: { sessions, deadlineMs: 100 } }).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'ASSUME_ROLE_FAILED',
        message: expect.stringContaining('STS had not answered when the audit reached its deadline of 0.1 s'),
      });
    });

    it("reports a reset connection as ECONNRESET, not as the SDK's TimeoutError", async () => {
      // What the SDK's HTTP handler makes of a reset socket: the name changed so that it is retried, the code kept.
      iam
        .on(GetAccountPasswordPolicyCommand)
        .rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET', $metadata: { attempts: 5 } }));
      const result = await audit([readsPolicy]);
      expect(result.errors).toEqual([
        {
          checkId: 'test.policy-a',
          region: 'global',
          code: 'ECONNRESET',
          message: 'the connection was reset by the other end (after 5 attempts): socket hang up',
        },
      ]);
      expect(result.stats.apiCallsByOperation['iam:GetAccountPasswordPolicy']).toBe(1);
      expect(result.stats.retries).toBe(4);
    });

    it('names a request timeout after the setting that sets it', async () => {
      iam.on(GetAccountPasswordPolicyCommand).rejects(
        Object.assign(new Error('@smithy/node-http-handler - [ERROR] a request has exceeded the configured 2000 ms requestTimeout.'), {
          name: 'TimeoutError',
          code: 'ETIMEDOUT',
        }),
      );
      const result = await audit([readsPolicy], { extra: { timeouts: { connectMs: 1_000, requestMs: 2_000 } } });
      expect(result.errors[0]).toMatchObject({ code: 'RequestTimeout', message: 'no answer within 2 s (audit.requestTimeoutSeconds)' });
    });
  });
});
