import type { NetworkAcl, NetworkAclEntry } from '@aws-sdk/client-ec2';
import { defineCheck } from '../../src/audit/check.js';
import type { CheckContext, Evaluation } from '../../src/audit/types.js';
import { ec2Arn, ownedElsewhere } from '../../src/rules/ec2-resources.js';
import { resourceTags } from '../../src/rules/resource-tags.js';

const ADMIN_PORTS = [
  { port: 22, name: 'SSH' },
  { port: 3389, name: 'RDP' },
] as const;

const FAMILIES = [
  { cidr: '0.0.0.0/0', covers: (e: NetworkAclEntry) => e.CidrBlock === '0.0.0.0/0' },
  { cidr: '::/0', covers: (e: NetworkAclEntry) => e.Ipv6CidrBlock === '::/0' },
] as const;

const isAllProtocols = (e: NetworkAclEntry) => e.Protocol === '-1';

/** Does the entry match a TCP packet to `port`? AWS returns protocols as numbers ("6"), "-1" for all. */
function matchesTcp(entry: NetworkAclEntry, port: number): boolean {
  if (isAllProtocols(entry)) return true;
  if (entry.Protocol !== '6' && entry.Protocol?.toLowerCase() !== 'tcp') return false;
  // A TCP entry always has a port range; without one it could only mean every port.
  if (!entry.PortRange) return true;
  return (entry.PortRange.From ?? 0) <= port && port <= (entry.PortRange.To ?? 65535);
}

interface OpenPort {
  port: number;
  name: string;
  rule: number;
  allProtocols: boolean;
}

/**
 * The admin ports an internet packet of one address family reaches. NACLs are
 * evaluated like AWS does: inbound entries in ascending rule number, the first
 * entry that matches the packet decides; no match means the final `*` deny.
 * Entries for narrower CIDRs are skipped: they neither open a port to the whole
 * internet nor close it for the whole internet.
 */
function openAdminPorts(entries: readonly NetworkAclEntry[], covers: (e: NetworkAclEntry) => boolean): OpenPort[] {
  const ordered = entries.filter((e) => e.Egress !== true && covers(e)).sort((a, b) => (a.RuleNumber ?? 0) - (b.RuleNumber ?? 0));
  const open: OpenPort[] = [];
  for (const { port, name } of ADMIN_PORTS) {
    const decider = ordered.find((e) => matchesTcp(e, port));
    if (decider?.RuleAction === 'allow') open.push({ port, name, rule: decider.RuleNumber ?? 0, allProtocols: isAllProtocols(decider) });
  }
  return open;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export default defineCheck({
  id: 'ec2.nacl-admin-ports',
  title: 'Network ACLs do not let the internet reach SSH or RDP',
  service: 'ec2',
  scope: 'regional',
  severity: 'medium',
  description:
    'A network ACL is the stateless firewall of a subnet; when it lets 0.0.0.0/0 or ::/0 reach port 22 or 3389, the only thing between the internet and remote administration of every instance in the subnet is its security groups. The default ACL of every VPC allows all traffic.',
  references: { cis: '5.2', securityHub: 'EC2.21' },
  remediation:
    'In the VPC console, edit the inbound rules of the network ACL: add deny rules for TCP 22 and 3389 from 0.0.0.0/0 and ::/0 numbered below any allow rule that covers them, ephemeral-port ranges such as 1024-65535 included (or narrow the allow rules to known CIDRs), keeping allow rules for the ports your subnets serve. Reach instances through Session Manager or a VPN instead.',
  uses: ['ec2.networkAcls'],
  async run(ctx) {
    const acls = await ctx.inventory.get('ec2.networkAcls');
    const out: Evaluation[] = [];
    for (const acl of acls) {
      if (!acl.NetworkAclId || ownedElsewhere(acl.OwnerId, ctx.account.accountId)) continue;
      const families = FAMILIES.map((f) => ({ cidr: f.cidr, open: openAdminPorts(acl.Entries ?? [], f.covers) })).filter((f) => f.open.length > 0);
      if (families.length === 0) {
        out.push(ctx.pass(acl.NetworkAclId));
        continue;
      }
      out.push(failAcl(ctx, acl, families));
    }
    return out;
  },
});

function failAcl(ctx: CheckContext, acl: NetworkAcl, families: { cidr: string; open: OpenPort[] }[]): Evaluation {
  const id = acl.NetworkAclId!;
  const subnets = acl.Associations?.length ?? 0;
  const isDefault = acl.IsDefault === true;
  const vpc = acl.VpcId ?? 'unknown VPC';
  const where = `${isDefault ? `the default ACL of ${vpc}` : vpc}, ${subnets === 0 ? 'no subnets' : plural(subnets, 'subnet')}`;
  // "all ports" when an allow-all entry decides both admin ports of that family.
  const allPortsOf = (f: { open: OpenPort[] }) => f.open.length === ADMIN_PORTS.length && f.open.every((o) => o.allProtocols);
  const parts = families.map((f) => {
    const rules = [...new Set(f.open.map((o) => o.rule))];
    const what = allPortsOf(f) ? 'all ports' : f.open.length === 1 ? `port ${f.open[0]!.port}` : `ports ${f.open.map((o) => o.port).join(' and ')}`;
    return `${what} from ${f.cidr} (rule${rules.length === 1 ? '' : 's'} ${rules.join(', ')})`;
  });
  const open = ADMIN_PORTS.filter((p) => families.some((f) => f.open.some((o) => o.port === p.port)));
  return ctx.fail({
    resource: { type: 'AWS::EC2::NetworkAcl', id, arn: ec2Arn(ctx.region, acl.OwnerId ?? ctx.account.accountId, 'network-acl', id), ...resourceTags(acl.Tags) },
    message: `Network ACL ${id} (${where}) lets the internet reach ${parts.join(' and ')}: ${open.map((p) => `${p.name} (${p.port})`).join(' and ')} ${open.length === 1 ? 'is' : 'are'} open at the subnet boundary.`,
    details: {
      networkAclId: id,
      vpcId: acl.VpcId ?? null,
      isDefault,
      subnets,
      ports: open.map((p) => p.port).join(', '),
      allPorts: families.some(allPortsOf),
      cidrs: families.map((f) => f.cidr).join(', '),
      rules: [...new Set(families.flatMap((f) => f.open.map((o) => o.rule)))].sort((a, b) => a - b).join(', '),
    },
  });
}
