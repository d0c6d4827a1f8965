import { defineCheck } from '../../src/audit/check.js';
import { cisControlOf, coversAllPorts, describeRange, describeUse, groupLabel, judgeOpenIngress } from '../../src/rules/security-group-ingress.js';

export default defineCheck({
  id: 'ec2.sg-open-all',
  title: 'No security group opens every port to the internet',
  service: 'ec2',
  scope: 'regional',
  severity: 'critical',
  description:
    'A rule that allows all traffic, or every TCP or UDP port, from 0.0.0.0/0 or ::/0 turns the security group off: every service listening on the attached hosts, including ones started later, is reachable from anywhere.',
  references: { cis: '5.3, 5.4' },
  remediation:
    'Delete the rule and add rules only for the ports the hosts must serve, from the narrowest sources that need them (a load balancer security group, a VPN range).',
  fix: 'ec2.revoke-open-ingress',
  uses: ['ec2.securityGroups', 'ec2.securityGroupUse'],
  run(ctx) {
    return judgeOpenIngress(ctx, (rule, group, interfaces) =>
      coversAllPorts(rule)
        ? {
            message: `Security group ${groupLabel(group)} allows ${describeRange(rule)} from ${rule.cidr}; ${describeUse(interfaces)}.`,
            details: { cis: cisControlOf(rule) },
          }
        : undefined,
    );
  },
});
