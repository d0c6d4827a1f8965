import type { IpPermission } from '@aws-sdk/client-ec2';
import { defineCheck } from '../../src/audit/check.js';
import type { Evaluation } from '../../src/audit/types.js';
import { describeUse, inUseSeverity, securityGroupResource } from '../../src/rules/security-group-ingress.js';
import { ownedElsewhere } from '../../src/rules/ec2-resources.js';

/** Rules as the console counts them: one per source (CIDR, prefix list or security group) of each permission. */
function countRules(permissions: readonly IpPermission[] | undefined): number {
  let count = 0;
  for (const p of permissions ?? []) {
    const sources = (p.IpRanges?.length ?? 0) + (p.Ipv6Ranges?.length ?? 0) + (p.PrefixListIds?.length ?? 0) + (p.UserIdGroupPairs?.length ?? 0);
    count += Math.max(1, sources);
  }
  return count;
}

const rules = (n: number, direction: string) => `${n} ${direction} rule${n === 1 ? '' : 's'}`;

export default defineCheck({
  id: 'ec2.default-sg-traffic',
  title: 'VPC default security groups allow no traffic',
  service: 'ec2',
  scope: 'regional',
  severity: 'medium',
  description:
    'Anything launched without an explicit security group lands in the VPC default group, whose rules AWS creates to let members talk to each other and to anywhere; with no rules, a forgotten group assignment fails closed instead of open.',
  references: { cis: '5.5', securityHub: 'EC2.2' },
  remediation:
    'Move every resource off the default security group onto purpose-made groups, then delete all inbound and outbound rules of the default group (it cannot be deleted itself).',
  uses: ['ec2.securityGroups', 'ec2.securityGroupUse'],
  async run(ctx) {
    const groups = await ctx.inventory.get('ec2.securityGroups');
    const use = await ctx.inventory.get('ec2.securityGroupUse');
    const out: Evaluation[] = [];
    // AWS reserves the name "default" for the group it creates with each VPC: no other group can take it.
    for (const group of groups.filter((g) => g.GroupName === 'default' && g.GroupId && !ownedElsewhere(g.OwnerId, ctx.account.accountId))) {
      const inbound = countRules(group.IpPermissions);
      const outbound = countRules(group.IpPermissionsEgress);
      if (inbound === 0 && outbound === 0) {
        out.push(ctx.pass(group.GroupId!));
        continue;
      }
      const interfaces = use.get(group.GroupId!) ?? 0;
      const vpc = group.VpcId ? ` of ${group.VpcId}` : '';
      out.push(
        ctx.fail({
          resource: securityGroupResource(group, ctx.region),
          severity: inUseSeverity('medium', interfaces > 0),
          message: `Default security group ${group.GroupId}${vpc} has ${rules(inbound, 'inbound')} and ${rules(outbound, 'outbound')}; ${describeUse(interfaces)}.`,
          details: {
            groupId: group.GroupId!,
            groupName: group.GroupName ?? null,
            vpcId: group.VpcId ?? null,
            inboundRules: inbound,
            outboundRules: outbound,
            inUse: interfaces > 0,
            networkInterfaces: interfaces,
          },
        }),
      );
    }
    return out;
  },
});
