import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import sgOpenOther from '../../../checks/ec2/sg-open-other.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { DEFAULT_RISKY_PORTS } from '../../../src/config.js';
import { audit, awsError } from '../../helpers/aws.js';
import { networkInterface, permission, securityGroup, serveEc2, sgArn, tcp, VPC } from './sg-fixtures.js';

const ec2 = mockClient(EC2Client);
const CHECK = 'ec2.sg-open-other';

describe('ec2.sg-open-other', () => {
  beforeEach(() => ec2.reset());

  it('is low and offers no fix', () => {
    expect(sgOpenOther).toMatchObject({ severity: 'low', scope: 'regional' });
    expect(sgOpenOther.fix).toBeUndefined();
  });

  it('passes allowed web ports, ICMP, narrow sources, and rules the other checks report', async () => {
    serveEc2(ec2, [
      securityGroup('sg-0c1b2c3d4e5f60001', 'web', [tcp(80, 80, { v4: ['0.0.0.0/0'], v6: ['::/0'] }), tcp(443, 443, { v4: ['0.0.0.0/0'], v6: ['::/0'] })]),
      securityGroup('sg-0c1b2c3d4e5f60002', 'ping', [permission('icmp', 8, -1, { v4: ['0.0.0.0/0'] }), permission('icmpv6', -1, -1, { v6: ['::/0'] })]),
      securityGroup('sg-0c1b2c3d4e5f60003', 'internal', [
        tcp(8000, 8100, { v4: ['10.0.0.0/8'], prefixLists: ['pl-0123456789abcdef0'], groups: ['sg-0c1b2c3d4e5f60001'] }),
      ]),
      // Risky and every-port rules belong to ec2.sg-risky-ports and ec2.sg-open-all.
      securityGroup('sg-0c1b2c3d4e5f60004', 'risky', [tcp(22, 22, { v4: ['0.0.0.0/0'] }), permission('-1', undefined, undefined, { v4: ['0.0.0.0/0'] })]),
    ]);
    const result = await audit([sgOpenOther]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 4, failed: 0, errors: 0 });
  });

  it('fails, low, for another port open to the world on an unused group', async () => {
    serveEc2(ec2, [securityGroup('sg-0c1b2c3d4e5f60011', 'api', [tcp(9000, 9100, { v4: [{ cidr: '0.0.0.0/0', description: 'api beta' }] })])]);
    const result = await audit([sgOpenOther]);
    expect(result.findings).toEqual([
      {
        checkId: CHECK,
        severity: 'low',
        accountId: '123456789012',
        region: 'us-east-1',
        resource: { type: 'AWS::EC2::SecurityGroup', id: 'sg-0c1b2c3d4e5f60011', arn: sgArn('sg-0c1b2c3d4e5f60011') },
        message:
          'Security group sg-0c1b2c3d4e5f60011 (api) allows tcp 9000-9100 from 0.0.0.0/0 (not attached to any network interface); informational: an internet-facing service should be deliberate.',
        fingerprint: findingFingerprint({
          checkId: CHECK,
          accountId: '123456789012',
          region: 'us-east-1',
          resourceId: 'sg-0c1b2c3d4e5f60011',
          subKey: 'tcp:9000-9100:0.0.0.0/0',
        }),
        details: {
          groupId: 'sg-0c1b2c3d4e5f60011',
          groupName: 'api',
          vpcId: VPC,
          protocol: 'tcp',
          fromPort: 9000,
          toPort: 9100,
          cidr: '0.0.0.0/0',
          inUse: false,
          networkInterfaces: 0,
          ruleDescription: 'api beta',
        },
      },
    ]);
  });

  it('raises to medium when the group is in use', async () => {
    serveEc2(ec2, [securityGroup('sg-0c1b2c3d4e5f60021', 'mqtt', [tcp(8883, 8883, { v6: ['::/0'] })])], [networkInterface('sg-0c1b2c3d4e5f60021')]);
    const [finding] = (await audit([sgOpenOther])).findings;
    expect(finding).toMatchObject({
      severity: 'medium',
      message:
        'Security group sg-0c1b2c3d4e5f60021 (mqtt) allows tcp 8883 from ::/0 (attached to 1 network interface); informational: an internet-facing service should be deliberate.',
      details: { inUse: true, networkInterfaces: 1, cidr: '::/0' },
    });
    expect(finding!.fix).toBeUndefined();
  });

  it('reports a range spanning the allowed ports, since it opens the ports between them', async () => {
    serveEc2(ec2, [securityGroup('sg-0c1b2c3d4e5f60031', 'lb', [tcp(80, 443, { v4: ['0.0.0.0/0'] })])]);
    // By default 80-443 covers risky ports 110, 135 and 143: that is sg-risky-ports' finding, not this one's.
    const result = await audit([sgOpenOther]);
    expect(result.findings).toEqual([]);
    // With no risky port in the range, the ports between 80 and 443 are still not allowed ones.
    const noRisk = await audit([sgOpenOther], { thresholds: { riskyPorts: { critical: [], high: [] } } });
    expect(noRisk.findings.map((f) => f.message)).toEqual([
      'Security group sg-0c1b2c3d4e5f60031 (lb) allows tcp 80-443 from 0.0.0.0/0 (not attached to any network interface); informational: an internet-facing service should be deliberate.',
    ]);
  });

  it('reports portless protocols (ESP, GRE) open to the world, one finding per CIDR', async () => {
    serveEc2(ec2, [
      securityGroup('sg-0c1b2c3d4e5f60041', 'vpn', [
        permission('50', undefined, undefined, { v4: ['0.0.0.0/0'], v6: ['::/0'] }),
        permission('47', undefined, undefined, { v4: ['0.0.0.0/0', '198.51.100.0/24'] }),
      ]),
    ]);
    const result = await audit([sgOpenOther]);
    expect(result.findings.map((f) => f.message).sort()).toEqual([
      'Security group sg-0c1b2c3d4e5f60041 (vpn) allows protocol 47 from 0.0.0.0/0 (not attached to any network interface); informational: an internet-facing service should be deliberate.',
      'Security group sg-0c1b2c3d4e5f60041 (vpn) allows protocol 50 from 0.0.0.0/0 (not attached to any network interface); informational: an internet-facing service should be deliberate.',
      'Security group sg-0c1b2c3d4e5f60041 (vpn) allows protocol 50 from ::/0 (not attached to any network interface); informational: an internet-facing service should be deliberate.',
    ]);
    expect(result.findings.find((f) => f.details!.protocol === '47')!.fingerprint).toBe(
      findingFingerprint({ checkId: CHECK, accountId: '123456789012', region: 'us-east-1', resourceId: 'sg-0c1b2c3d4e5f60041', subKey: '47:-1--1:0.0.0.0/0' }),
    );
  });

  it('uses thresholds.openPortsAllowed', async () => {
    serveEc2(ec2, [
      securityGroup('sg-0c1b2c3d4e5f60051', 'web', [tcp(443, 443, { v4: ['0.0.0.0/0'] })]),
      securityGroup('sg-0c1b2c3d4e5f60052', 'alt', [tcp(8443, 8443, { v4: ['0.0.0.0/0'] }), permission('udp', 51820, 51820, { v4: ['0.0.0.0/0'] })]),
    ]);
    const custom = await audit([sgOpenOther], { thresholds: { openPortsAllowed: [8443, 51820] } });
    expect(custom.findings.map((f) => `${f.resource.id} ${f.details!.protocol} ${f.details!.fromPort}`)).toEqual(['sg-0c1b2c3d4e5f60051 tcp 443']);
    expect(custom.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 1, errors: 0 });

    const byDefault = await audit([sgOpenOther]);
    expect(byDefault.findings.map((f) => `${f.resource.id} ${f.details!.protocol} ${f.details!.fromPort}`).sort()).toEqual([
      'sg-0c1b2c3d4e5f60052 tcp 8443',
      'sg-0c1b2c3d4e5f60052 udp 51820',
    ]);
  });

  it('passes a range made only of allowed ports', async () => {
    serveEc2(ec2, [securityGroup('sg-0c1b2c3d4e5f60053', 'pair', [tcp(8080, 8081, { v4: ['0.0.0.0/0'] })])]);
    const result = await audit([sgOpenOther], {
      thresholds: { riskyPorts: { critical: DEFAULT_RISKY_PORTS.critical, high: [] }, openPortsAllowed: [8081, 8080] },
    });
    expect(result.findings).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 0, errors: 0 });
  });

  it('reads every page of DescribeSecurityGroups', async () => {
    serveEc2(ec2, [
      [securityGroup('sg-0c1b2c3d4e5f60061', 'first', [tcp(443, 443, { v4: ['0.0.0.0/0'] })])],
      [securityGroup('sg-0c1b2c3d4e5f60062', 'second', [tcp(1883, 1883, { v4: ['0.0.0.0/0'] })])],
    ]);
    const result = await audit([sgOpenOther]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['sg-0c1b2c3d4e5f60062']);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 1, errors: 0 });
  });

  it('reports nothing for a region without security groups', async () => {
    serveEc2(ec2, []);
    const result = await audit([sgOpenOther]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
  });

  it('carries attacker-controlled names and descriptions raw', async () => {
    serveEc2(ec2, [securityGroup('sg-0c1b2c3d4e5f60071', '<!channel> *bold*', [tcp(9000, 9000, { v4: [{ cidr: '0.0.0.0/0', description: '<!here>' }] })])]);
    const [finding] = (await audit([sgOpenOther])).findings;
    expect(finding!.details).toMatchObject({ groupName: '<!channel> *bold*', ruleDescription: '<!here>' });
  });

  it('reports an error, not a pass, when DescribeSecurityGroups is denied', async () => {
    serveEc2(ec2, []);
    ec2.on(DescribeSecurityGroupsCommand).rejects(awsError('AccessDenied', 'You are not authorized to perform this operation.'));
    const result = await audit([sgOpenOther]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: CHECK, region: 'us-east-1', code: 'AccessDenied', message: 'You are not authorized to perform this operation.' },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
