import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../../checks/index.js';
import { DEFAULT_THRESHOLDS } from '../../../src/config.js';
import { actionFor, ALL_ACTIONS } from '../../../src/remediation/actions/index.js';
import action from '../../../src/remediation/actions/revoke-open-ingress.js';
import type { PrecheckContext, RemediationClients, RemediationTarget } from '../../../src/remediation/types.js';
import { awsError, NOW } from '../../helpers/aws.js';
import { permission, securityGroup, tcp } from '../../checks/ec2/sg-fixtures.js';

const ec2 = mockClient(EC2Client);

/** Every command any test sent, and the regions the EC2 clients were made for. */
const sent = new Set<string>();
const regions: string[] = [];

const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const clients: RemediationClients = {
  iam: () => new IAMClient({ region: 'us-east-1', credentials }),
  ec2: (region) => {
    regions.push(region);
    const client = new EC2Client({ region, credentials });
    return {
      send: ((command: object) => {
        sent.add(command.constructor.name);
        return client.send(command as never);
      }) as EC2Client['send'],
    };
  },
  s3: (region) => new S3Client({ region, credentials }),
  rds: (region) => new RDSClient({ region, credentials }),
};

const context: PrecheckContext = { now: NOW, thresholds: DEFAULT_THRESHOLDS };
const REGION = 'eu-west-1';
const SG = 'sg-0abc1234def567890';

/** A finding of the world-open rule checks, with the details `ingressDetails` records. */
function target(rule: { protocol: string; fromPort: number; toPort: number; cidr: string }, checkId = 'ec2.sg-risky-ports'): RemediationTarget {
  return {
    checkId,
    accountId: '123456789012',
    region: REGION,
    resourceId: SG,
    details: { groupId: SG, groupName: 'web', vpcId: 'vpc-0f1e2d3c4b5a69788', ...rule, inUse: true, networkInterfaces: 2, ruleDescription: null },
    foundAt: NOW.toISOString(),
  };
}

const SSH_V4 = { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' };
const SSH_V6 = { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '::/0' };

/** tcp 22 from an office range, the world (described) and the IPv6 world, a prefix list and a group; and https from the world. */
function webGroup(overrides: Partial<SecurityGroup> = {}): SecurityGroup {
  return securityGroup(
    SG,
    'web',
    [
      tcp(22, 22, {
        v4: ['10.0.0.0/8', { cidr: '0.0.0.0/0', description: 'temporary ssh' }],
        v6: [{ cidr: '::/0', description: 'ssh v6' }],
        prefixLists: ['pl-0123456789abcdef0'],
        groups: ['sg-0bastion0000000001'],
      }),
      tcp(443, 443, { v4: ['0.0.0.0/0'] }),
    ],
    overrides,
  );
}

function serveGroup(group: SecurityGroup | undefined): void {
  ec2.on(DescribeSecurityGroupsCommand, { GroupIds: [SG] }).resolves({ SecurityGroups: group ? [group] : [] });
}

const revokes = () => ec2.commandCalls(RevokeSecurityGroupIngressCommand).length + ec2.commandCalls(AuthorizeSecurityGroupIngressCommand).length;

describe('ec2.revoke-open-ingress', () => {
  beforeEach(() => {
    ec2.reset();
    regions.length = 0;
  });

  it('is the fix of exactly the checks that name it', () => {
    expect(action.id).toBe('ec2.revoke-open-ingress');
    expect([...action.appliesTo].sort()).toEqual(
      ALL_CHECKS.filter((c) => c.fix === action.id)
        .map((c) => c.id)
        .sort(),
    );
    expect(ALL_ACTIONS).toContain(action);
    for (const checkId of action.appliesTo) expect(actionFor(checkId)).toBe(action);
    expect(actionFor('ec2.sg-open-other')).toBeUndefined();
  });

  it('describes the fix from the recorded finding alone', () => {
    expect(action.describe(target(SSH_V4))).toBe(`Revoke inbound tcp 22 from 0.0.0.0/0 on security group ${SG} (web) in ${REGION}`);
    expect(action.describe(target({ protocol: '-1', fromPort: 0, toPort: 65535, cidr: '::/0' }, 'ec2.sg-open-all'))).toBe(
      `Revoke inbound all traffic from ::/0 on security group ${SG} (web) in ${REGION}`,
    );
    expect(ec2.calls()).toHaveLength(0);
  });

  describe('precheck', () => {
    it('finds the rule and keeps only that CIDR, with its description, for apply', async () => {
      serveGroup(webGroup());
      const result = await action.precheck(target(SSH_V4), clients, context);
      expect(result).toEqual({
        ok: true,
        change: `Revoke inbound tcp 22 from 0.0.0.0/0 on security group ${SG} (web) in ${REGION}`,
        state: {
          groupId: SG,
          region: REGION,
          permission: { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'temporary ssh' }] },
        },
      });
      expect(ec2.commandCalls(DescribeSecurityGroupsCommand)[0]!.args[0].input).toEqual({ GroupIds: [SG] });
      expect(regions).toEqual([REGION]);
      expect(revokes()).toBe(0);
    });

    it('handles an IPv6 rule', async () => {
      serveGroup(webGroup());
      const result = await action.precheck(target(SSH_V6), clients, context);
      expect(result).toEqual({
        ok: true,
        change: `Revoke inbound tcp 22 from ::/0 on security group ${SG} (web) in ${REGION}`,
        state: {
          groupId: SG,
          region: REGION,
          permission: { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0', Description: 'ssh v6' }] },
        },
      });
    });

    it('matches all traffic (AWS omits the ports; the check records 0-65535) and sends no ports', async () => {
      serveGroup(securityGroup(SG, 'web', [permission('-1', undefined, undefined, { v4: ['0.0.0.0/0'] }), tcp(0, 65535, { v4: ['0.0.0.0/0'] })]));
      const result = await action.precheck(target({ protocol: '-1', fromPort: 0, toPort: 65535, cidr: '0.0.0.0/0' }, 'ec2.sg-open-all'), clients, context);
      expect(result).toEqual({
        ok: true,
        change: `Revoke inbound all traffic from 0.0.0.0/0 on security group ${SG} (web) in ${REGION}`,
        state: { groupId: SG, region: REGION, permission: { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] } },
      });
      // tcp 0-65535 is a different rule.
      const allTcp = await action.precheck(target({ protocol: 'tcp', fromPort: 0, toPort: 65535, cidr: '0.0.0.0/0' }, 'ec2.sg-open-all'), clients, context);
      expect(allTcp).toMatchObject({ ok: true, state: { permission: { IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: '0.0.0.0/0' }] } } });
    });

    it('matches a protocol AWS gave by number to the normalised name, and revokes it as AWS wrote it', async () => {
      serveGroup(securityGroup(SG, 'db', [permission('6', 5432, 5432, { v4: ['0.0.0.0/0'] })]));
      const result = await action.precheck(target({ protocol: 'tcp', fromPort: 5432, toPort: 5432, cidr: '0.0.0.0/0' }), clients, context);
      expect(result).toMatchObject({ ok: true, state: { permission: { IpProtocol: '6', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '0.0.0.0/0' }] } } });
    });

    it('refuses when the rule is gone: other port, other protocol, narrower CIDR', async () => {
      serveGroup(
        securityGroup(SG, 'web', [
          tcp(2222, 2222, { v4: ['0.0.0.0/0'] }),
          permission('udp', 22, 22, { v4: ['0.0.0.0/0'] }),
          tcp(22, 22, { v4: ['10.0.0.0/8'], v6: ['2001:db8::/32'] }),
        ]),
      );
      expect(await action.precheck(target(SSH_V4), clients, context)).toEqual({
        ok: false,
        reason: `the rule allowing tcp 22 from 0.0.0.0/0 is no longer there on security group ${SG} (web)`,
      });
      expect((await action.precheck(target(SSH_V6), clients, context)).ok).toBe(false);
      expect(revokes()).toBe(0);
    });

    it('refuses when only part of the port range still matches (both ends are compared)', async () => {
      serveGroup(securityGroup(SG, 'web', [tcp(20, 22, { v4: ['0.0.0.0/0'] }), tcp(22, 23, { v4: ['0.0.0.0/0'] })]));
      expect((await action.precheck(target(SSH_V4), clients, context)).ok).toBe(false);
      expect(await action.precheck(target({ ...SSH_V4, fromPort: 20 }), clients, context)).toMatchObject({
        ok: true,
        state: { permission: { IpProtocol: 'tcp', FromPort: 20, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] } },
      });
    });

    it('refuses when the group is gone', async () => {
      ec2.on(DescribeSecurityGroupsCommand).rejects(awsError('InvalidGroup.NotFound', `The security group '${SG}' does not exist`));
      expect(await action.precheck(target(SSH_V4), clients, context)).toEqual({ ok: false, reason: `security group ${SG} no longer exists in ${REGION}` });
    });

    it('rejects when the read is not allowed', async () => {
      ec2.on(DescribeSecurityGroupsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
      await expect(action.precheck(target(SSH_V4), clients, context)).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
      ec2.reset();
      ec2.on(DescribeSecurityGroupsCommand).rejects(awsError('AccessDenied'));
      await expect(action.precheck(target(SSH_V4), clients, context)).rejects.toMatchObject({ name: 'AccessDenied' });
      expect(revokes()).toBe(0);
    });

    it('refuses findings of other checks and findings without the rule', async () => {
      expect((await action.precheck({ ...target(SSH_V4), checkId: 'ec2.sg-open-other' }, clients, context)).ok).toBe(false);
      expect((await action.precheck({ ...target(SSH_V4), details: { groupId: SG } }, clients, context)).ok).toBe(false);
      expect(ec2.calls()).toHaveLength(0);
    });
  });

  describe('apply and undo', () => {
    const state = {
      groupId: SG,
      region: REGION,
      permission: { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'temporary ssh' }] },
    };

    it('apply revokes exactly that one CIDR, in the group region', async () => {
      ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
      await action.apply(state, clients);
      expect(ec2.calls()).toHaveLength(1);
      expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]!.args[0].input).toEqual({
        GroupId: SG,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'temporary ssh' }] }],
      });
      expect(regions).toEqual([REGION]);
    });

    it('apply throws when EC2 says nothing was revoked', async () => {
      ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true, UnknownIpPermissions: [state.permission] });
      await expect(action.apply(state, clients)).rejects.toThrow(`EC2 revoked nothing on security group ${SG}`);
      ec2.reset();
      ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: false });
      await expect(action.apply(state, clients)).rejects.toThrow(`EC2 revoked nothing on security group ${SG}`);
    });

    it('undo authorizes exactly the revoked CIDR again, IPv6 too', async () => {
      ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
      const v6 = { groupId: SG, region: REGION, permission: { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0', Description: 'ssh v6' }] } };
      await action.undo(v6, clients);
      expect(ec2.calls()).toHaveLength(1);
      expect(ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)[0]!.args[0].input).toEqual({
        GroupId: SG,
        IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0', Description: 'ssh v6' }] }],
      });
    });

    it('undo throws when EC2 restored nothing', async () => {
      ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: false });
      await expect(action.undo(state, clients)).rejects.toThrow(`EC2 did not restore the rule on security group ${SG}`);
    });

    it('refuses a malformed state without calling AWS', async () => {
      await expect(action.apply({ ...state, permission: { IpProtocol: 'tcp', FromPort: 22, ToPort: 22 } }, clients)).rejects.toThrow(/malformed/);
      await expect(
        action.apply({ ...state, permission: { IpProtocol: 'tcp', IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '::/0' }] } }, clients),
      ).rejects.toThrow(/malformed/);
      await expect(action.undo({ groupId: SG, permission: state.permission }, clients)).rejects.toThrow(/malformed/);
      expect(ec2.calls()).toHaveLength(0);
    });

    it('precheckUndo: ok while the rule is absent (other sources of the rule may remain)', async () => {
      serveGroup(securityGroup(SG, 'web', [tcp(22, 22, { v4: ['10.0.0.0/8'], v6: ['::/0'] })]));
      expect(await action.precheckUndo(state, clients)).toEqual({ ok: true });
      expect(regions).toEqual([REGION]);
      expect(revokes()).toBe(0);
    });

    it('precheckUndo refuses when the rule is back or the group is gone; rejects on AccessDenied', async () => {
      serveGroup(webGroup());
      expect(await action.precheckUndo(state, clients)).toEqual({
        ok: false,
        reason: `security group ${SG} (web) allows tcp 22 from 0.0.0.0/0 again: it was changed since`,
      });
      ec2.reset();
      ec2.on(DescribeSecurityGroupsCommand).rejects(awsError('InvalidGroup.NotFound'));
      expect(await action.precheckUndo(state, clients)).toEqual({ ok: false, reason: `security group ${SG} no longer exists in ${REGION}` });
      ec2.reset();
      ec2.on(DescribeSecurityGroupsCommand).rejects(awsError('AccessDenied'));
      await expect(action.precheckUndo(state, clients)).rejects.toMatchObject({ name: 'AccessDenied' });
      expect(revokes()).toBe(0);
    });
  });

  it('needs exactly the EC2 actions of the commands a whole fix sends, and lists them', async () => {
    sent.clear();
    let group = webGroup();
    ec2.on(DescribeSecurityGroupsCommand).callsFake(() => ({ SecurityGroups: [group] }));
    ec2.on(RevokeSecurityGroupIngressCommand).callsFake(() => ((group = webGroup({ IpPermissions: [] })), { Return: true }));
    ec2.on(AuthorizeSecurityGroupIngressCommand).callsFake(() => ((group = webGroup()), { Return: true }));
    const check = await action.precheck(target(SSH_V4), clients, context);
    if (!check.ok) throw new Error(check.reason);
    await action.apply(check.state, clients);
    expect(await action.precheckUndo(check.state, clients)).toEqual({ ok: true });
    await action.undo(check.state, clients);
    const needed = [...sent].map((name) => `ec2:${name.replace(/Command$/, '')}`).sort();
    expect(needed).toEqual(['ec2:AuthorizeSecurityGroupIngress', 'ec2:DescribeSecurityGroups', 'ec2:RevokeSecurityGroupIngress']);
    expect([...action.permissions].sort()).toEqual(needed);
  });
});
