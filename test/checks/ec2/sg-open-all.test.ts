import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import sgOpenAll from '../../../checks/ec2/sg-open-all.js';
import sgRiskyPorts from '../../../checks/ec2/sg-risky-ports.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError } from '../../helpers/aws.js';
import { networkInterface, permission, securityGroup, serveEc2, sgArn, tcp, VPC } from './sg-fixtures.js';

const ec2 = mockClient(EC2Client);
const CHECK = 'ec2.sg-open-all';
const allTraffic = (sources: Parameters<typeof permission>[3]) => permission('-1', undefined, undefined, sources);

describe('ec2.sg-open-all', () => {
  beforeEach(() => ec2.reset());

  it('declares the revoke fix, critical', () => {
    expect(sgOpenAll).toMatchObject({ fix: 'ec2.revoke-open-ingress', severity: 'critical', scope: 'regional' });
  });

  it('passes groups without an every-port world-open rule', async () => {
    serveEc2(ec2, [
      securityGroup('sg-0b1b2c3d4e5f60001', 'web', [tcp(443, 443, { v4: ['0.0.0.0/0'] }), tcp(22, 22, { v4: ['0.0.0.0/0'] })]),
      // All traffic, but only from the VPC, a prefix list, and the group itself.
      securityGroup('sg-0b1b2c3d4e5f60002', 'internal', [
        allTraffic({ v4: ['10.0.0.0/16'], v6: ['2600:1f18:abcd::/56'], prefixLists: ['pl-0123456789abcdef0'], groups: ['sg-0b1b2c3d4e5f60002'] }),
        tcp(0, 65535, { v4: ['172.31.0.0/16'] }),
      ]),
      // Almost every port is not every port: sg-risky-ports reports this one.
      securityGroup('sg-0b1b2c3d4e5f60003', 'high-ports', [tcp(1024, 65535, { v4: ['0.0.0.0/0'] })]),
      securityGroup('sg-0b1b2c3d4e5f60004', 'ping', [permission('icmp', -1, -1, { v4: ['0.0.0.0/0'] })]),
    ]);
    const result = await audit([sgOpenAll]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 4, failed: 0, errors: 0 });
  });

  it('fails, critical, for all traffic from 0.0.0.0/0', async () => {
    serveEc2(
      ec2,
      [securityGroup('sg-0b1b2c3d4e5f60011', 'debug', [allTraffic({ v4: [{ cidr: '0.0.0.0/0', description: 'debugging, remove later' }] })])],
      [networkInterface('sg-0b1b2c3d4e5f60011'), networkInterface('sg-0b1b2c3d4e5f60011')],
    );
    const result = await audit([sgOpenAll]);
    expect(result.findings).toEqual([
      {
        checkId: CHECK,
        severity: 'critical',
        accountId: '123456789012',
        region: 'us-east-1',
        resource: { type: 'AWS::EC2::SecurityGroup', id: 'sg-0b1b2c3d4e5f60011', arn: sgArn('sg-0b1b2c3d4e5f60011') },
        message: 'Security group sg-0b1b2c3d4e5f60011 (debug) allows all traffic from 0.0.0.0/0; attached to 2 network interfaces.',
        fingerprint: findingFingerprint({
          checkId: CHECK,
          accountId: '123456789012',
          region: 'us-east-1',
          resourceId: 'sg-0b1b2c3d4e5f60011',
          subKey: '-1:0-65535:0.0.0.0/0',
        }),
        fix: 'ec2.revoke-open-ingress',
        details: {
          groupId: 'sg-0b1b2c3d4e5f60011',
          groupName: 'debug',
          vpcId: VPC,
          protocol: '-1',
          fromPort: 0,
          toPort: 65535,
          cidr: '0.0.0.0/0',
          inUse: true,
          networkInterfaces: 2,
          ruleDescription: 'debugging, remove later',
          cis: '5.3',
        },
      },
    ]);
  });

  it('stays critical for an unused group, and reports tcp and udp 0-65535 and ::/0 separately', async () => {
    serveEc2(ec2, [
      securityGroup('sg-0b1b2c3d4e5f60021', 'everything', [
        tcp(0, 65535, { v4: ['0.0.0.0/0', '10.0.0.0/8'], v6: ['::/0'] }),
        permission('udp', 0, 65535, { v4: ['0.0.0.0/0'] }),
      ]),
    ]);
    const result = await audit([sgOpenAll]);
    expect(result.findings.map((f) => f.message).sort()).toEqual([
      'Security group sg-0b1b2c3d4e5f60021 (everything) allows tcp all ports from 0.0.0.0/0; not attached to any network interface.',
      'Security group sg-0b1b2c3d4e5f60021 (everything) allows tcp all ports from ::/0; not attached to any network interface.',
      'Security group sg-0b1b2c3d4e5f60021 (everything) allows udp all ports from 0.0.0.0/0; not attached to any network interface.',
    ]);
    expect(result.findings.every((f) => f.severity === 'critical')).toBe(true);
    expect(new Set(result.findings.map((f) => f.fingerprint)).size).toBe(3);
    expect(result.findings.map((f) => `${f.details?.cidr} ${f.details?.cis}`).sort()).toEqual(['0.0.0.0/0 5.3', '0.0.0.0/0 5.3', '::/0 5.4']);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 3, errors: 0 });
  });

  it('counts tcp 1-65535 as all ports (port 0 is reserved), but not 2-65535', async () => {
    serveEc2(ec2, [
      securityGroup('sg-0b1b2c3d4e5f60031', 'from-one', [tcp(1, 65535, { v4: ['0.0.0.0/0'] })]),
      securityGroup('sg-0b1b2c3d4e5f60032', 'from-two', [tcp(2, 65535, { v4: ['0.0.0.0/0'] })]),
    ]);
    const result = await audit([sgOpenAll]);
    expect(result.findings.map((f) => f.message)).toEqual([
      'Security group sg-0b1b2c3d4e5f60031 (from-one) allows tcp all ports from 0.0.0.0/0; not attached to any network interface.',
    ]);
    expect(result.findings[0]!.details).toMatchObject({ fromPort: 1, toPort: 65535 });
  });

  it('reports an all-traffic ::/0 rule in both sg-open-all and sg-risky-ports', async () => {
    serveEc2(ec2, [securityGroup('sg-0b1b2c3d4e5f60031', 'v6-open', [allTraffic({ v6: ['::/0'] })])]);
    const result = await audit([sgOpenAll, sgRiskyPorts]);
    const byCheck = Object.fromEntries(result.findings.map((f) => [f.checkId, f]));
    expect(byCheck[CHECK]).toMatchObject({
      severity: 'critical',
      message: 'Security group sg-0b1b2c3d4e5f60031 (v6-open) allows all traffic from ::/0; not attached to any network interface.',
      details: { cidr: '::/0', protocol: '-1' },
    });
    expect(byCheck['ec2.sg-risky-ports']).toMatchObject({
      severity: 'critical',
      message: 'Security group sg-0b1b2c3d4e5f60031 (v6-open) allows all traffic from ::/0, exposing all ports; not attached to any network interface.',
    });
    expect(result.findings).toHaveLength(2);
  });

  it('reads every page of DescribeSecurityGroups', async () => {
    serveEc2(ec2, [
      [securityGroup('sg-0b1b2c3d4e5f60041', 'first', [allTraffic({ v4: ['0.0.0.0/0'] })])],
      [securityGroup('sg-0b1b2c3d4e5f60042', 'second', [allTraffic({ v4: ['0.0.0.0/0'] })])],
    ]);
    const result = await audit([sgOpenAll]);
    expect(result.findings.map((f) => f.resource.id).sort()).toEqual(['sg-0b1b2c3d4e5f60041', 'sg-0b1b2c3d4e5f60042']);
  });

  it('reports nothing for a region without security groups', async () => {
    serveEc2(ec2, []);
    const result = await audit([sgOpenAll]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
  });

  it('carries attacker-controlled names and descriptions raw', async () => {
    serveEc2(ec2, [
      securityGroup('sg-0b1b2c3d4e5f60051', '<!channel> *bold*', [allTraffic({ v4: [{ cidr: '0.0.0.0/0', description: '<!everyone> ~strike~' }] })]),
    ]);
    const [finding] = (await audit([sgOpenAll])).findings;
    expect(finding!.details).toMatchObject({ groupName: '<!channel> *bold*', ruleDescription: '<!everyone> ~strike~' });
  });

  it('reports an error, not a pass, when DescribeSecurityGroups is denied', async () => {
    serveEc2(ec2, []);
    ec2.on(DescribeSecurityGroupsCommand).rejects(awsError('AccessDenied', 'You are not authorized to perform this operation.'));
    const result = await audit([sgOpenAll]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: CHECK, region: 'us-east-1', code: 'AccessDenied', message: 'You are not authorized to perform this operation.' },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
