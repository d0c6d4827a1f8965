import { DescribeNetworkAclsCommand, EC2Client, type NetworkAcl } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import naclAdminPorts from '../../../checks/ec2/nacl-admin-ports.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { audit, awsError } from '../../helpers/aws.js';
import { defaultEntries, inbound, networkAcl, serveRegions, servePaged, TWO_REGIONS, UNAUTHORIZED, type Pages } from './regional-fixtures.js';

const ec2 = mockClient(EC2Client);
const CHECK = 'ec2.nacl-admin-ports';

function serveAcls(byRegion: Record<string, Pages<NetworkAcl>>) {
  serveRegions(ec2);
  servePaged(ec2, DescribeNetworkAclsCommand, 'NetworkAcls', byRegion);
}

describe('ec2.nacl-admin-ports', () => {
  beforeEach(() => ec2.reset());

  it('declares its references and the dataset it reads', () => {
    expect(naclAdminPorts).toMatchObject({
      id: CHECK,
      service: 'ec2',
      scope: 'regional',
      severity: 'medium',
      references: { cis: '5.2', securityHub: 'EC2.21' },
    });
    expect(naclAdminPorts.uses).toEqual(['ec2.networkAcls']);
  });

  it('passes ACLs that deny the admin ports before allowing, allow only other ports, or open them to narrow CIDRs only', async () => {
    serveAcls({
      'us-east-1': [
        // Denies first, then allows everything else.
        networkAcl('acl-0000000000000a001', [
          inbound(100, 'allow', '-1', '0.0.0.0/0'),
          inbound(10, 'deny', '6', '0.0.0.0/0', [22, 22]),
          inbound(20, 'deny', '6', '0.0.0.0/0', [3389, 3389]),
          inbound(101, 'allow', '-1', '::/0'),
          inbound(11, 'deny', '6', '::/0', [0, 1024]),
          inbound(21, 'deny', '-1', '::/0'),
        ]),
        // Web only; SSH from the office; RDP over UDP is not TCP.
        networkAcl('acl-0000000000000a002', [
          inbound(100, 'allow', '6', '0.0.0.0/0', [443, 443]),
          inbound(110, 'allow', '6', '0.0.0.0/0', [32768, 65535]),
          inbound(120, 'allow', '6', '203.0.113.0/24', [22, 22]),
          inbound(130, 'allow', '17', '0.0.0.0/0', [3389, 3389]),
          inbound(140, 'allow', '6', '::/0', [443, 443]),
        ]),
        // An allow-all for outbound only.
        networkAcl('acl-0000000000000a003', [{ ...inbound(100, 'allow', '-1', '0.0.0.0/0'), Egress: true }]),
      ],
    });
    const result = await audit([naclAdminPorts]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 3, failed: 0, errors: 0 });
  });

  it("leaves an ACL of a VPC shared in from another account to its owner's audit", async () => {
    serveAcls({
      'us-east-1': [
        networkAcl('acl-0000000000000f001', defaultEntries(), { IsDefault: true, OwnerId: '999999999999' }),
        networkAcl('acl-0000000000000f002', defaultEntries(), { IsDefault: true }),
      ],
    });
    const result = await audit([naclAdminPorts]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['acl-0000000000000f002']);
    expect(result.stats.byCheck['ec2.nacl-admin-ports']).toEqual({ passed: 0, failed: 1, errors: 0 });
  });

  it("fails the VPC's default ACL (allow all, rule 100), saying it is the default and that all ports are open", async () => {
    serveAcls({
      'us-east-1': [networkAcl('acl-0f1e2d3c4b5a69788', defaultEntries(true), { IsDefault: true, VpcId: 'vpc-0f1e2d3c4b5a69788', subnets: 3 })],
    });
    const result = await audit([naclAdminPorts]);
    expect(result.findings).toEqual([
      {
        checkId: CHECK,
        severity: 'medium',
        accountId: '123456789012',
        region: 'us-east-1',
        resource: { type: 'AWS::EC2::NetworkAcl', id: 'acl-0f1e2d3c4b5a69788', arn: 'arn:aws:ec2:us-east-1:123456789012:network-acl/acl-0f1e2d3c4b5a69788' },
        message:
          'Network ACL acl-0f1e2d3c4b5a69788 (the default ACL of vpc-0f1e2d3c4b5a69788, 3 subnets) lets the internet reach all ports from 0.0.0.0/0 (rule 100) and all ports from ::/0 (rule 101): SSH (22) and RDP (3389) are open at the subnet boundary.',
        fingerprint: findingFingerprint({ checkId: CHECK, accountId: '123456789012', region: 'us-east-1', resourceId: 'acl-0f1e2d3c4b5a69788' }),
        details: {
          networkAclId: 'acl-0f1e2d3c4b5a69788',
          vpcId: 'vpc-0f1e2d3c4b5a69788',
          isDefault: true,
          subnets: 3,
          ports: '22, 3389',
          allPorts: true,
          cidrs: '0.0.0.0/0, ::/0',
          rules: '100, 101',
        },
      },
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 1, errors: 0 });
  });

  it('evaluates entries by rule number, not response order: a deny for 22 at rule 50 closes SSH, RDP stays open through allow-all 100', async () => {
    serveAcls({
      'us-east-1': [
        networkAcl(
          'acl-0000000000000b001',
          // Listed out of order, as nothing guarantees the order of Entries.
          [inbound(100, 'allow', '-1', '0.0.0.0/0'), inbound(32767, 'deny', '-1', '0.0.0.0/0'), inbound(50, 'deny', '6', '0.0.0.0/0', [22, 22])],
          { subnets: 1 },
        ),
      ],
    });
    const result = await audit([naclAdminPorts]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]!.message).toBe(
      'Network ACL acl-0000000000000b001 (vpc-0a1b2c3d4e5f60718, 1 subnet) lets the internet reach port 3389 from 0.0.0.0/0 (rule 100): RDP (3389) is open at the subnet boundary.',
    );
    expect(result.findings[0]!.details).toMatchObject({ isDefault: false, subnets: 1, ports: '3389', allPorts: false, cidrs: '0.0.0.0/0', rules: '100' });
  });

  it('lets a lower-numbered allow win over a later deny', async () => {
    serveAcls({
      'us-east-1': [
        networkAcl('acl-0000000000000b002', [inbound(200, 'deny', '6', '0.0.0.0/0', [0, 65535]), inbound(90, 'allow', '6', '0.0.0.0/0', [20, 25])]),
      ],
    });
    const result = await audit([naclAdminPorts]);
    expect(result.findings.map((f) => f.details)).toEqual([expect.objectContaining({ ports: '22', rules: '90', allPorts: false })]);
  });

  it('counts the usual ephemeral-port rule 1024-65535: it lets new connections reach RDP', async () => {
    serveAcls({
      'us-east-1': [
        networkAcl('acl-0000000000000b003', [inbound(100, 'allow', '6', '0.0.0.0/0', [443, 443]), inbound(110, 'allow', '6', '0.0.0.0/0', [1024, 65535])]),
      ],
    });
    const result = await audit([naclAdminPorts]);
    expect(result.findings.map((f) => f.details)).toEqual([expect.objectContaining({ ports: '3389', rules: '110', cidrs: '0.0.0.0/0' })]);
  });

  it('evaluates IPv6 entries separately: SSH open to ::/0 while IPv4 is closed', async () => {
    serveAcls({
      'us-east-1': [
        networkAcl('acl-0000000000000c001', [
          inbound(100, 'allow', '6', '0.0.0.0/0', [443, 443]),
          inbound(120, 'allow', '6', '::/0', [22, 22]),
          inbound(130, 'allow', '6', '::/0', [443, 443]),
          inbound(32768, 'deny', '-1', '::/0'),
        ]),
      ],
    });
    const result = await audit([naclAdminPorts]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]!.message).toContain('lets the internet reach port 22 from ::/0 (rule 120): SSH (22) is open');
    expect(result.findings[0]!.details).toMatchObject({ ports: '22', cidrs: '::/0', rules: '120', allPorts: false });
  });

  it('names both ports, not "all ports", when a TCP range covers them, and reports an ACL attached to no subnet', async () => {
    serveAcls({ 'us-east-1': [networkAcl('acl-0000000000000c002', [inbound(100, 'allow', '6', '0.0.0.0/0', [0, 65535])], { subnets: 0 })] });
    const result = await audit([naclAdminPorts]);
    expect(result.findings[0]!.message).toBe(
      'Network ACL acl-0000000000000c002 (vpc-0a1b2c3d4e5f60718, no subnets) lets the internet reach ports 22 and 3389 from 0.0.0.0/0 (rule 100): SSH (22) and RDP (3389) are open at the subnet boundary.',
    );
    expect(result.findings[0]!.details).toMatchObject({ subnets: 0, ports: '22, 3389', allPorts: false });
  });

  it('reports an error, not a pass, when the ACLs cannot be listed', async () => {
    serveRegions(ec2);
    ec2.on(DescribeNetworkAclsCommand).rejects(awsError('UnauthorizedOperation', `${UNAUTHORIZED}DescribeNetworkAcls`));
    const result = await audit([naclAdminPorts]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([{ checkId: CHECK, region: 'us-east-1', code: 'UnauthorizedOperation', message: `${UNAUTHORIZED}DescribeNetworkAcls` }]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 1 });
  });

  it('reads every page', async () => {
    serveAcls({
      'us-east-1': [
        [networkAcl('acl-0000000000000d001', [inbound(100, 'allow', '6', '0.0.0.0/0', [443, 443])])],
        [networkAcl('acl-0000000000000d002', defaultEntries(), { IsDefault: true })],
      ],
    });
    const result = await audit([naclAdminPorts]);
    expect(result.findings.map((f) => f.resource.id)).toEqual(['acl-0000000000000d002']);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 1, errors: 0 });
    expect(ec2.commandCalls(DescribeNetworkAclsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'AAEAAbus-east-1-p1']);
  });

  it('has nothing to say about a region without ACLs', async () => {
    serveAcls({});
    const result = await audit([naclAdminPorts]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 0, failed: 0, errors: 0 });
  });

  it('reports each finding in the region of its ACL', async () => {
    serveAcls({
      'us-east-1': [networkAcl('acl-0000000000000e001', [inbound(100, 'allow', '6', '0.0.0.0/0', [443, 443])])],
      'eu-west-1': [networkAcl('acl-0000000000000e002', defaultEntries(), { IsDefault: true, VpcId: 'vpc-0e0e0e0e0e0e0e0e0' })],
    });
    const result = await audit([naclAdminPorts], { account: { regions: TWO_REGIONS } });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.region, f.resource.id, f.resource.arn])).toEqual([
      ['eu-west-1', 'acl-0000000000000e002', 'arn:aws:ec2:eu-west-1:123456789012:network-acl/acl-0000000000000e002'],
    ]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 1, failed: 1, errors: 0 });
  });
});
