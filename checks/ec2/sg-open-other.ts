import { defineCheck } from '../../src/audit/check.js';
import {
  coversAllPorts,
  describeRange,
  describeUse,
  groupLabel,
  inUseSeverity,
  judgeOpenIngress,
  riskyPortsCovered,
  withinAllowedPorts,
  type OpenIngress,
} from '../../src/rules/security-group-ingress.js';

const isIcmp = (rule: OpenIngress) => rule.protocol === 'icmp' || rule.protocol === 'icmpv6';

export default defineCheck({
  id: 'ec2.sg-open-other',
  title: 'Internet-open ports are the allowed ones',
  service: 'ec2',
  scope: 'regional',
  severity: 'low',
  description:
    'A port open to 0.0.0.0/0 or ::/0 that is neither risky nor an allowed web port (80 and 443 by default) may be deliberate, but every internet-facing service is attack surface and should be a decision, not an accident.',
  references: {},
  remediation:
    'Confirm the service must be reachable from the whole internet; if not, narrow the rule to the sources that need it. If it must, add its port to thresholds.openPortsAllowed so the audit stops reporting it.',
  uses: ['ec2.securityGroups', 'ec2.securityGroupUse'],
  run(ctx) {
    const { riskyPorts, openPortsAllowed } = ctx.thresholds;
    return judgeOpenIngress(ctx, (rule, group, interfaces) => {
      // Every-port and risky-port rules are the other checks' findings; ICMP (ping, path MTU discovery) is harmless.
      if (isIcmp(rule) || coversAllPorts(rule) || riskyPortsCovered(rule, riskyPorts) || withinAllowedPorts(rule, openPortsAllowed)) return undefined;
      return {
        severity: inUseSeverity('low', interfaces > 0),
        message: `Security group ${groupLabel(group)} allows ${describeRange(rule)} from ${rule.cidr} (${describeUse(interfaces)}); informational: an internet-facing service should be deliberate.`,
        fix: null,
      };
    });
  },
});
