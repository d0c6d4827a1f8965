import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import defaultSgTraffic from '../../../checks/ec2/default-sg-traffic.js';
import sgRiskyPorts from '../../../checks/ec2/sg-risky-ports.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError } from '../../helpers/aws.js';
import { ALLOW_ALL_EGRESS, networkInterface, permission, securityGroup, serveEc2, sgArn, tcp, VPC } from './sg-fixtures.js';

const ec2 = mockClient(EC2Client);
const CHECK = 'ec2.default-sg-traffic';

/** A VPC's default group as AWS creates it: members may talk to each other, and out to anywhere. */
function defaultGroup(groupId: string, overrides: Parameters<typeof securityGroup>[3] = {}) {
  return securityGroup(groupId, 'default', [permission('-1', undefined, undefined, { groups: [groupId] })], {
    Description: 'default VPC security group',
    ...overrides,
  });
}

/** A default group whose rules have all been removed. */
const emptyDefault = (groupId: string, vpcId: string) => defaultGroup(groupId, { VpcId: vpcId, IpPermissions: [], IpPermissionsEgress: [] });

describe('ec2.default-sg-traffic', () => {
  beforeEach(() => ec2.reset());

  it('declares its references and no fix', () => {
    expect(defaultSgTraffic).toMatchObject({ severity: 'medium', scope: 'regional', references: { cis: '5.5', securityHub: 'EC2.2' } });
    expect(defaultSgTraffic.fix).toBeUndefined();
  });

  it('passes default groups without rules and does not evaluate other groups', async () => {
    serveEc2(ec2, [
      emptyDefault('sg-0d1b2c3d4e5f60001', VPC),
      emptyDefault('sg-0d1b2c3d4e5f60002', 'vpc-0aaaabbbbccccdddd'),
      securityGroup('sg-0d1b2c3d4e5f60003', 'web', [tcp(443, 443, { v4: ['0.0.0.0/0'] })]),
    ]);
    const result = await audit([defaultSgTraffic]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 2, failed: 0, errors: 0 });
  });

  it('leaves groups owned by another account (shared with this one) to their owner, in every security group check', async () => {
    const shared = securityGroup('sg-0d1b2c3d4e5f60009', 'default', [tcp(22, 22, { v4: ['0.0.0.0/0'] })], { OwnerId: '999999999999' });
    serveEc2(ec2, [shared]);
    const result = await audit([defaultSgTraffic, sgRiskyPorts]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 0 });
  });

  it('fails, medium, for an unused default group with the rules AWS created', async () => {
    serveEc2(ec2, [defaultGroup('sg-0d1b2c3d4e5f60011')], [networkInterface('sg-0d1b2c3d4e5f60099')]);
    const result = await audit([defaultSgTraffic]);
    expect(result.findings).toEqual([
      {
        checkId: CHECK,
        severity: 'medium',
        accountId: '123456789012',
        region: 'us-east-1',
        resource: { type: 'AWS::EC2::SecurityGroup', id: 'sg-0d1b2c3d4e5f60011', arn: sgArn('sg-0d1b2c3d4e5f60011') },
        message: `Default security group sg-0d1b2c3d4e5f60011 of ${VPC} has 1 inbound rule and 1 outbound rule; not attached to any network interface.`,
        fingerprint: findingFingerprint({ checkId: CHECK, accountId: '123456789012', region: 'us-east-1', resourceId: 'sg-0d1b2c3d4e5f60011' }),
        details: {
          groupId: 'sg-0d1b2c3d4e5f60011',
          groupName: 'default',
          vpcId: VPC,
          inboundRules: 1,
          outboundRules: 1,
          inUse: false,
          networkInterfaces: 0,
        },
      },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 1, errors: 0 });
  });

  it('raises to high when the default group is in use, counting each source as a rule', async () => {
    serveEc2(
      ec2,
      [
        defaultGroup('sg-0d1b2c3d4e5f60021', {
          IpPermissions: [
            permission('-1', undefined, undefined, { groups: ['sg-0d1b2c3d4e5f60021'] }),
            tcp(22, 22, { v4: ['203.0.113.0/24', '198.51.100.0/24'], prefixLists: ['pl-0123456789abcdef0'] }),
          ],
          // In a dual-stack VPC AWS adds ::/0 to the same outbound permission.
          IpPermissionsEgress: [{ ...ALLOW_ALL_EGRESS, Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
        }),
      ],
      [networkInterface('sg-0d1b2c3d4e5f60021'), networkInterface('sg-0d1b2c3d4e5f60021')],
    );
    const [finding] = (await audit([defaultSgTraffic])).findings;
    expect(finding).toMatchObject({
      severity: 'high',
      message: `Default security group sg-0d1b2c3d4e5f60021 of ${VPC} has 4 inbound rules and 2 outbound rules; attached to 2 network interfaces.`,
      details: { inboundRules: 4, outboundRules: 2, inUse: true, networkInterfaces: 2 },
    });
  });

  it('fails for outbound rules alone', async () => {
    serveEc2(ec2, [defaultGroup('sg-0d1b2c3d4e5f60031', { IpPermissions: [] })]);
    const [finding] = (await audit([defaultSgTraffic])).findings;
    expect(finding!.message).toBe(
      `Default security group sg-0d1b2c3d4e5f60031 of ${VPC} has 0 inbound rules and 1 outbound rule; not attached to any network interface.`,
    );
  });

  it('reads every page of DescribeSecurityGroups', async () => {
    serveEc2(ec2, [
      [emptyDefault('sg-0d1b2c3d4e5f60041', VPC), securityGroup('sg-0d1b2c3d4e5f60042', 'app', [])],
      [defaultGroup('sg-0d1b2c3d4e5f60043', { VpcId: 'vpc-0aaaabbbbccccdddd' })],
    ]);
    const result = await audit([defaultSgTraffic]);
    expect(result.findings.map((f) => [f.resource.id, f.details!.vpcId])).toEqual([['sg-0d1b2c3d4e5f60043', 'vpc-0aaaabbbbccccdddd']]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 1, errors: 0 });
  });

  it('reports nothing for a region without security groups', async () => {
    serveEc2(ec2, []);
    const result = await audit([defaultSgTraffic]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
  });

  it('carries an attacker-controlled description raw, and never judges by it', async () => {
    serveEc2(ec2, [
      defaultGroup('sg-0d1b2c3d4e5f60051', {
        IpPermissions: [tcp(443, 443, { v4: [{ cidr: '10.0.0.0/8', description: '<!channel> *bold*' }] })],
        IpPermissionsEgress: [],
      }),
      // Not the default group, whatever its description says.
      securityGroup('sg-0d1b2c3d4e5f60052', '<!channel> default', [tcp(22, 22, { v4: ['0.0.0.0/0'] })], { Description: 'default VPC security group' }),
    ]);
    const result = await audit([defaultSgTraffic]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['sg-0d1b2c3d4e5f60051']);
    expect(result.findings[0]!.details).toMatchObject({ groupName: 'default', inboundRules: 1, outboundRules: 0 });
  });

  it('reports an error, not a pass, when DescribeSecurityGroups is denied', async () => {
    serveEc2(ec2, []);
    ec2.on(DescribeSecurityGroupsCommand).rejects(awsError('AccessDenied', 'You are not authorized to perform this operation.'));
    const result = await audit([defaultSgTraffic]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: CHECK, region: 'us-east-1', code: 'AccessDenied', message: 'You are not authorized to perform this operation.' },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
