import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { RoleSessions, roleSessionName } from '../../src/aws/session.js';
import { AuditBotError } from '../../src/errors.js';
import { awsError } from '../helpers/aws.js';

const sts = mockClient(STSClient);
const target = { alias: 'sandbox', roleArn: 'arn:aws:iam::123456789012:role/AuditReadOnly', externalId: 'ext-123' };

function credentials(expiresAt: number, id = 'ASIAONE') {
  return { Credentials: { AccessKeyId: id, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(expiresAt) } };
}

describe('RoleSessions', () => {
  beforeEach(() => sts.reset());

  it('assumes the role with the external id and session name, once while credentials are fresh', async () => {
    let now = 1_000_000;
    sts.on(AssumeRoleCommand).resolves(credentials(now + 3_600_000));
    const sessions = new RoleSessions(undefined, () => now);
    const provider = sessions.provider(target, 'aws-audit-bot@U0AAA');
    const [a, b] = await Promise.all([provider(), provider()]);
    now += 30 * 60_000;
    const c = await provider();
    expect(a.accessKeyId).toBe('ASIAONE');
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input).toEqual({
      RoleArn: target.roleArn,
      RoleSessionName: 'aws-audit-bot@U0AAA',
      ExternalId: 'ext-123',
      DurationSeconds: 3600,
    });
    expect(sessions.assumeCalls).toBe(1);
  });

  it('refreshes before expiry', async () => {
    let now = 1_000_000;
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(credentials(now + 3_600_000, 'ASIAONE'))
      .resolves(credentials(now + 7_200_000, 'ASIATWO'));
    const provider = new RoleSessions(undefined, () => now).provider(target, 's');
    expect((await provider()).accessKeyId).toBe('ASIAONE');
    now += 3_600_000 - 4 * 60_000; // four minutes left: inside the refresh margin
    expect((await provider()).accessKeyId).toBe('ASIATWO');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('keeps sessions apart per role and session name', async () => {
    sts.on(AssumeRoleCommand).callsFake((input: { RoleSessionName: string }) => credentials(Date.now() + 3_600_000, `ASIA-${input.RoleSessionName}`));
    const sessions = new RoleSessions();
    expect((await sessions.provider(target, 'a')()).accessKeyId).toBe('ASIA-a');
    expect((await sessions.provider(target, 'b')()).accessKeyId).toBe('ASIA-b');
  });

  it('turns AccessDenied into one clear error naming the role and the reason', async () => {
    sts.on(AssumeRoleCommand).rejects(awsError('AccessDenied', 'User: arn:aws:iam::111111111111:user/bot is not authorized to perform: sts:AssumeRole'));
    const error = await new RoleSessions()
      .provider(target, 's')()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuditBotError);
    expect(error).toMatchObject({ code: 'ASSUME_ROLE_FAILED' });
    expect((error as Error).message).toContain('Cannot assume arn:aws:iam::123456789012:role/AuditReadOnly for account "sandbox": AccessDenied: User:');
    expect((error as Error).message).toContain('trust policy');
  });

  it('says when the bot has no credentials of its own', async () => {
    sts.on(AssumeRoleCommand).rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));
    await expect(new RoleSessions().provider(target, 's')()).rejects.toMatchObject({
      code: 'NO_CREDENTIALS',
      message: expect.stringContaining('default chain'),
    });
  });

  it('does not cache a failure', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(awsError('Throttling'))
      .resolves(credentials(Date.now() + 3_600_000));
    const provider = new RoleSessions().provider(target, 's');
    await expect(provider()).rejects.toThrow();
    await expect(provider()).resolves.toMatchObject({ accessKeyId: 'ASIAONE' });
  });

  it('uses the partition home region for STS', async () => {
    const regions: string[] = [];
    const sessions = new RoleSessions((region) => {
      regions.push(region);
      return { send: async () => credentials(Date.now() + 3_600_000) } as never;
    });
    await sessions.provider({ alias: 'cn', roleArn: 'arn:aws-cn:iam::123456789012:role/R' }, 's')();
    expect(regions).toEqual(['cn-north-1']);
  });
});

describe('roleSessionName', () => {
  it('identifies the bot and the requester within STS limits', () => {
    expect(roleSessionName()).toBe('aws-audit-bot');
    expect(roleSessionName('U0AAA')).toBe('aws-audit-bot@U0AAA');
    expect(roleSessionName('cli-jane doe/x')).toBe('aws-audit-bot@cli-jane-doe-x');
    expect(roleSessionName('x'.repeat(100))).toHaveLength(64);
  });
});
