import { defineCheck } from '../../src/audit/check.js';
import {
  cisControlOf,
  coversAllPorts,
  describeRange,
  describeUse,
  groupLabel,
  inUseSeverity,
  judgeOpenIngress,
  listPorts,
  riskyPortsCovered,
} from '../../src/rules/security-group-ingress.js';

export default defineCheck({
  id: 'ec2.sg-risky-ports',
  title: 'No security group opens risky ports to the internet',
  service: 'ec2',
  scope: 'regional',
  severity: 'critical',
  description:
    'Remote administration (SSH, RDP, VNC), databases, caches and container daemons open to 0.0.0.0/0 or ::/0 are found by internet-wide scanners within minutes and brute-forced or exploited.',
  references: { cis: '5.3, 5.4', securityHub: 'EC2.19' },
  remediation:
    'Remove the 0.0.0.0/0 or ::/0 source from the rule and allow only the addresses that need the port (an office or VPN range, a load balancer security group), or reach the hosts through SSM Session Manager or a bastion instead.',
  fix: 'ec2.revoke-open-ingress',
  uses: ['ec2.securityGroups', 'ec2.securityGroupUse'],
  run(ctx) {
    return judgeOpenIngress(ctx, (rule, group, interfaces) => {
      const risky = riskyPortsCovered(rule, ctx.thresholds.riskyPorts);
      if (!risky) return undefined;
      const exposed = coversAllPorts(rule) ? 'all ports' : `risky port${risky.ports.length === 1 ? '' : 's'} ${listPorts(risky.ports)}`;
      return {
        // A port of the critical tier is critical already; a high one becomes critical once traffic can reach it.
        severity: inUseSeverity(risky.tier, interfaces > 0),
        message: `Security group ${groupLabel(group)} allows ${describeRange(rule)} from ${rule.cidr}, exposing ${exposed}; ${describeUse(interfaces)}.`,
        // CIS 5.3 is the IPv4 any-address, 5.4 the IPv6 one.
        details: { riskyPorts: risky.ports.join(','), tier: risky.tier, cis: cisControlOf(rule) },
      };
    });
  },
});
