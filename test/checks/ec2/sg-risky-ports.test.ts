import { DescribeNetworkInterfacesCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import sgRiskyPorts from '../../../checks/ec2/sg-risky-ports.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { DEFAULT_RISKY_PORTS } from '../../../src/config.js';
import { audit, awsError } from '../../helpers/aws.js';
import { networkInterface, permission, securityGroup, serveEc2, sgArn, tcp, VPC } from './sg-fixtures.js';

const ec2 = mockClient(EC2Client);
const CHECK = 'ec2.sg-risky-ports';

describe('ec2.sg-risky-ports', () => {
  beforeEach(() => ec2.reset());

  it('declares the revoke fix and its references', () => {
    expect(sgRiskyPorts).toMatchObject({
      fix: 'ec2.revoke-open-ingress',
      severity: 'critical',
      scope: 'regional',
      references: { cis: '5.3, 5.4', securityHub: 'EC2.19' },
    });
    expect(sgRiskyPorts.uses).toEqual(['ec2.securityGroups', 'ec2.securityGroupUse']);
  });

  it('passes groups whose risky ports are open only to narrow CIDRs, prefix lists or other groups', async () => {
    serveEc2(ec2, [
      securityGroup('sg-0a1b2c3d4e5f60001', 'web', [tcp(443, 443, { v4: ['0.0.0.0/0'], v6: ['::/0'] }), tcp(80, 80, { v4: ['0.0.0.0/0'] })]),
      securityGroup('sg-0a1b2c3d4e5f60002', 'bastion', [
        tcp(22, 22, { v4: [{ cidr: '203.0.113.0/24', description: 'office' }, '10.0.0.0/8'], v6: ['2001:db8::/32'] }),
      ]),
      securityGroup('sg-0a1b2c3d4e5f60003', 'db', [
        tcp(5432, 5432, { groups: ['sg-0a1b2c3d4e5f60001'] }),
        tcp(3306, 3306, { prefixLists: ['pl-0123456789abcdef0'] }),
        permission('-1', undefined, undefined, { groups: ['sg-0a1b2c3d4e5f60003'] }),
      ]),
      // ICMP has no ports: not a risky-port exposure.
      securityGroup('sg-0a1b2c3d4e5f60004', 'ping', [permission('icmp', -1, -1, { v4: ['0.0.0.0/0'] }), permission('icmpv6', -1, -1, { v6: ['::/0'] })]),
    ]);
    const result = await audit([sgRiskyPorts]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 4, failed: 0, errors: 0 });
  });

  it('fails, critical, for SSH open to 0.0.0.0/0 on an unused group, saying it is not attached', async () => {
    serveEc2(ec2, [securityGroup('sg-0a1b2c3d4e5f60011', 'launch-wizard-1', [tcp(22, 22, { v4: [{ cidr: '0.0.0.0/0', description: 'temp ssh' }] })])]);
    const result = await audit([sgRiskyPorts]);
    expect(result.findings).toEqual([
      {
        checkId: CHECK,
        severity: 'critical',
        accountId: '123456789012',
        region: 'us-east-1',
        resource: { type: 'AWS::EC2::SecurityGroup', id: 'sg-0a1b2c3d4e5f60011', arn: sgArn('sg-0a1b2c3d4e5f60011') },
        message:
          'Security group sg-0a1b2c3d4e5f60011 (launch-wizard-1) allows tcp 22 from 0.0.0.0/0, exposing risky port 22; not attached to any network interface.',
        fingerprint: findingFingerprint({
          checkId: CHECK,
          accountId: '123456789012',
          region: 'us-east-1',
          resourceId: 'sg-0a1b2c3d4e5f60011',
          subKey: 'tcp:22-22:0.0.0.0/0',
        }),
        fix: 'ec2.revoke-open-ingress',
        details: {
          groupId: 'sg-0a1b2c3d4e5f60011',
          groupName: 'launch-wizard-1',
          vpcId: VPC,
          protocol: 'tcp',
          fromPort: 22,
          toPort: 22,
          cidr: '0.0.0.0/0',
          inUse: false,
          networkInterfaces: 0,
          ruleDescription: 'temp ssh',
          riskyPorts: '22',
          tier: 'critical',
          cis: '5.3',
        },
      },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 1, errors: 0 });
  });

  it('raises a high-tier port to critical when the group is in use, and keeps it high when unused', async () => {
    serveEc2(
      ec2,
      [
        securityGroup('sg-0a1b2c3d4e5f60021', 'app-live', [tcp(8080, 8080, { v4: ['0.0.0.0/0'] })]),
        securityGroup('sg-0a1b2c3d4e5f60022', 'app-spare', [tcp(8080, 8080, { v4: ['0.0.0.0/0'] })]),
      ],
      [networkInterface('sg-0a1b2c3d4e5f60021'), networkInterface('sg-0a1b2c3d4e5f60021', 'sg-0a1b2c3d4e5f60099'), networkInterface('sg-0a1b2c3d4e5f60021')],
    );
    const result = await audit([sgRiskyPorts]);
    const byGroup = Object.fromEntries(result.findings.map((f) => [f.resource.id, f]));
    expect(byGroup['sg-0a1b2c3d4e5f60021']).toMatchObject({
      severity: 'critical',
      message: 'Security group sg-0a1b2c3d4e5f60021 (app-live) allows tcp 8080 from 0.0.0.0/0, exposing risky port 8080; attached to 3 network interfaces.',
      details: { inUse: true, networkInterfaces: 3, tier: 'high', riskyPorts: '8080' },
    });
    expect(byGroup['sg-0a1b2c3d4e5f60022']).toMatchObject({
      severity: 'high',
      details: { inUse: false, networkInterfaces: 0, tier: 'high' },
    });
  });

  it('says "attached to 1 network interface" in the singular', async () => {
    serveEc2(ec2, [securityGroup('sg-0a1b2c3d4e5f60023', 'mail', [tcp(25, 25, { v4: ['0.0.0.0/0'] })])], [networkInterface('sg-0a1b2c3d4e5f60023')]);
    const [finding] = (await audit([sgRiskyPorts])).findings;
    expect(finding!.message).toBe(
      'Security group sg-0a1b2c3d4e5f60023 (mail) allows tcp 25 from 0.0.0.0/0, exposing risky port 25; attached to 1 network interface.',
    );
    expect(finding!.severity).toBe('critical');
  });

  it('reports an IPv6 ::/0 rule', async () => {
    serveEc2(ec2, [
      securityGroup('sg-0a1b2c3d4e5f60031', 'rdp', [tcp(3389, 3389, { v4: ['198.51.100.7/32'], v6: [{ cidr: '::/0', description: 'rdp v6' }] })]),
    ]);
    const result = await audit([sgRiskyPorts]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      severity: 'critical',
      message: 'Security group sg-0a1b2c3d4e5f60031 (rdp) allows tcp 3389 from ::/0, exposing risky port 3389; not attached to any network interface.',
      // ::/0 breaks CIS 5.4, not 5.3.
      details: { cidr: '::/0', ruleDescription: 'rdp v6', riskyPorts: '3389', cis: '5.4' },
    });
    expect(result.findings[0]!.fingerprint).toBe(
      findingFingerprint({ checkId: CHECK, accountId: '123456789012', region: 'us-east-1', resourceId: 'sg-0a1b2c3d4e5f60031', subKey: 'tcp:3389-3389:::/0' }),
    );
  });

  it('gives one finding per world-open CIDR of a rule, skipping its narrower CIDRs', async () => {
    serveEc2(ec2, [
      securityGroup('sg-0a1b2c3d4e5f60041', 'mongo', [
        tcp(27017, 27017, { v4: ['10.0.0.0/16', '0.0.0.0/0', '192.0.2.0/24'], v6: ['::/0', 'fd00::/8'], groups: ['sg-0a1b2c3d4e5f60001'] }),
      ]),
    ]);
    const result = await audit([sgRiskyPorts]);
    expect(result.findings.map((f) => f.details!.cidr).sort()).toEqual(['0.0.0.0/0', '::/0']);
    expect(new Set(result.findings.map((f) => f.fingerprint)).size).toBe(2);
    expect(result.findings.every((f) => f.resource.id === 'sg-0a1b2c3d4e5f60041')).toBe(true);
  });

  it('lists up to eight risky ports of a range, then counts the rest', async () => {
    serveEc2(ec2, [securityGroup('sg-0a1b2c3d4e5f60051', 'legacy', [tcp(0, 1024, { v4: ['0.0.0.0/0'] })])]);
    const [finding] = (await audit([sgRiskyPorts])).findings;
    // Risky ports in 0-1024 by default: 20 21 22 23 25 110 135 143 445.
    expect(finding!.message).toBe(
      'Security group sg-0a1b2c3d4e5f60051 (legacy) allows tcp 0-1024 from 0.0.0.0/0, exposing risky ports 20, 21, 22, 23, 25, 110, 135, 143 and 1 more; not attached to any network interface.',
    );
    expect(finding!.details).toMatchObject({ riskyPorts: '20,21,22,23,25,110,135,143,445', tier: 'critical', fromPort: 0, toPort: 1024 });
  });

  it('takes the worst tier of the ports a range covers', async () => {
    serveEc2(ec2, [securityGroup('sg-0a1b2c3d4e5f60052', 'dev', [tcp(5000, 5500, { v4: ['0.0.0.0/0'] })])]);
    const [finding] = (await audit([sgRiskyPorts])).findings;
    expect(finding!.details).toMatchObject({ riskyPorts: '5000,5432,5500', tier: 'critical' });
    expect(finding!.severity).toBe('critical');
  });

  it('reports an all-traffic rule (-1) as exposing all ports', async () => {
    serveEc2(ec2, [securityGroup('sg-0a1b2c3d4e5f60061', 'wide-open', [permission('-1', undefined, undefined, { v4: ['0.0.0.0/0'] })])]);
    const [finding] = (await audit([sgRiskyPorts])).findings;
    expect(finding).toMatchObject({
      severity: 'critical',
      message: 'Security group sg-0a1b2c3d4e5f60061 (wide-open) allows all traffic from 0.0.0.0/0, exposing all ports; not attached to any network interface.',
      details: { protocol: '-1', fromPort: 0, toPort: 65535, tier: 'critical' },
    });
    const every = [...DEFAULT_RISKY_PORTS.critical, ...DEFAULT_RISKY_PORTS.high].sort((a, b) => a - b).join(',');
    expect(finding!.details!.riskyPorts).toBe(every);
    expect(finding!.fingerprint).toBe(
      findingFingerprint({
        checkId: CHECK,
        accountId: '123456789012',
        region: 'us-east-1',
        resourceId: 'sg-0a1b2c3d4e5f60061',
        subKey: '-1:0-65535:0.0.0.0/0',
      }),
    );
  });

  it('reports udp all ports, and normalises protocol numbers', async () => {
    serveEc2(ec2, [
      securityGroup('sg-0a1b2c3d4e5f60062', 'udp', [permission('17', 0, 65535, { v4: ['0.0.0.0/0'] }), permission('6', 6379, 6379, { v6: ['::/0'] })]),
    ]);
    const result = await audit([sgRiskyPorts]);
    expect(result.findings.map((f) => f.message).sort()).toEqual([
      'Security group sg-0a1b2c3d4e5f60062 (udp) allows tcp 6379 from ::/0, exposing risky port 6379; not attached to any network interface.',
      'Security group sg-0a1b2c3d4e5f60062 (udp) allows udp all ports from 0.0.0.0/0, exposing all ports; not attached to any network interface.',
    ]);
    expect(result.findings.map((f) => f.details!.protocol).sort()).toEqual(['tcp', 'udp']);
  });

  it('uses thresholds.riskyPorts', async () => {
    serveEc2(ec2, [
      securityGroup('sg-0a1b2c3d4e5f60071', 'ssh', [tcp(22, 22, { v4: ['0.0.0.0/0'] })]),
      securityGroup('sg-0a1b2c3d4e5f60072', 'alt-https', [tcp(8443, 8443, { v4: ['0.0.0.0/0'] })]),
      securityGroup('sg-0a1b2c3d4e5f60073', 'grafana', [tcp(3000, 3000, { v4: ['0.0.0.0/0'] })]),
    ]);
    const result = await audit([sgRiskyPorts], { thresholds: { riskyPorts: { critical: [8443], high: [22] }, openPortsAllowed: [80, 443] } });
    const byGroup = Object.fromEntries(result.findings.map((f) => [f.resource.id, f]));
    expect(Object.keys(byGroup).sort()).toEqual(['sg-0a1b2c3d4e5f60071', 'sg-0a1b2c3d4e5f60072']);
    expect(byGroup['sg-0a1b2c3d4e5f60071']).toMatchObject({ severity: 'high', details: { tier: 'high', riskyPorts: '22' } });
    expect(byGroup['sg-0a1b2c3d4e5f60072']).toMatchObject({ severity: 'critical', details: { tier: 'critical', riskyPorts: '8443' } });
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 2, errors: 0 });
  });

  it('reads every page of DescribeSecurityGroups', async () => {
    serveEc2(ec2, [
      [securityGroup('sg-0a1b2c3d4e5f60081', 'page-one', [tcp(443, 443, { v4: ['0.0.0.0/0'] })])],
      [securityGroup('sg-0a1b2c3d4e5f60082', 'page-two', [tcp(9200, 9200, { v4: ['0.0.0.0/0'] })])],
    ]);
    const result = await audit([sgRiskyPorts]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['sg-0a1b2c3d4e5f60082']);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 1, errors: 0 });
    const calls = ec2.commandCalls(DescribeSecurityGroupsCommand);
    expect(calls.map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'page-2-token']);
  });

  it('reports nothing for a region without security groups', async () => {
    serveEc2(ec2, []);
    const result = await audit([sgRiskyPorts]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 0 });
  });

  it('carries attacker-controlled names and descriptions raw', async () => {
    const name = '<!channel> *bold* <https://evil.example|click>';
    serveEc2(ec2, [
      securityGroup('sg-0a1b2c3d4e5f60091', name, [tcp(23, 23, { v4: [{ cidr: '0.0.0.0/0', description: '<@U0ADMIN> `rm -rf` &amp;' }] })], {
        Description: '<!here> _x_',
      }),
    ]);
    const [finding] = (await audit([sgRiskyPorts])).findings;
    expect(finding!.details).toMatchObject({ groupName: name, ruleDescription: '<@U0ADMIN> `rm -rf` &amp;' });
    expect(finding!.message).toContain(`sg-0a1b2c3d4e5f60091 (${name})`);
  });

  it('builds the ARN from the owner when AWS returns none', async () => {
    serveEc2(ec2, [securityGroup('sg-0a1b2c3d4e5f600a1', 'old', [tcp(22, 22, { v4: ['0.0.0.0/0'] })], { SecurityGroupArn: undefined })]);
    const [finding] = (await audit([sgRiskyPorts])).findings;
    expect(finding!.resource).toEqual({ type: 'AWS::EC2::SecurityGroup', id: 'sg-0a1b2c3d4e5f600a1', arn: sgArn('sg-0a1b2c3d4e5f600a1') });
  });

  it('reports an error, not a pass, when DescribeSecurityGroups is denied', async () => {
    serveEc2(ec2, [securityGroup('sg-0a1b2c3d4e5f60011', 'ssh', [tcp(22, 22, { v4: ['0.0.0.0/0'] })])]);
    ec2.on(DescribeSecurityGroupsCommand).rejects(awsError('AccessDenied', 'You are not authorized to perform this operation.'));
    const result = await audit([sgRiskyPorts]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      { checkId: CHECK, region: 'us-east-1', code: 'AccessDenied', message: 'You are not authorized to perform this operation.' },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 1 });
  });

  it('reports an error, not a pass, when network interfaces cannot be listed', async () => {
    serveEc2(ec2, [securityGroup('sg-0a1b2c3d4e5f60011', 'ssh', [tcp(443, 443, { v4: ['0.0.0.0/0'] })])]);
    ec2.on(DescribeNetworkInterfacesCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const result = await audit([sgRiskyPorts]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toMatchObject([{ checkId: CHECK, region: 'us-east-1', code: 'UnauthorizedOperation' }]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 1 });
  });
});
