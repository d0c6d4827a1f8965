import { defineCheck } from '../../src/audit/check.js';
import type { CheckContext, Evaluation } from '../../src/audit/types.js';
import { classicView, loadBalancerDetails, loadBalancerLabel, v2View, type LoadBalancerView } from '../../src/rules/load-balancers.js';
import {
  describeRange,
  groupLabel,
  groupsById,
  ingressSubKey,
  openIngress,
  reachesPorts,
  ruleDetails,
  withinAllowedPorts,
} from '../../src/rules/security-group-ingress.js';

export default defineCheck({
  id: 'elb.security-groups',
  title: 'Load balancers have security groups that open only their listener ports',
  service: 'elb',
  scope: 'regional',
  severity: 'medium',
  description:
    "A load balancer's security groups are the only filter in front of it: one without any lets every port through to it, one that names a deleted group is in a state nobody configured, and a group opening other ports to the internet exposes whatever the load balancer forwards there.",
  references: {},
  remediation:
    'Give the load balancer a security group of its own that allows only its listener ports from the clients that need them (`aws elbv2 set-security-groups`, or `aws elb apply-security-groups-to-load-balancer` for Classic), and remove the rules for other ports. A Network Load Balancer made before August 2023 cannot get security groups: replace it with one that has them.',
  uses: ['elb.classic', 'elb.v2', 'ec2.securityGroups'],
  async run(ctx) {
    const [classic, v2, groups] = await Promise.all([ctx.inventory.get('elb.classic'), ctx.inventory.get('elb.v2'), ctx.inventory.get('ec2.securityGroups')]);
    const byId = groupsById(groups);
    const views = [...classic.map((c) => classicView(c, ctx.region, ctx.account.accountId)), ...v2.filter((v) => v.listeners.ok).map(v2View)];
    const unreadable = v2.filter((v) => !v.listeners.ok).map((v) => ctx.error(v2View(v).id, (v.listeners as { error: unknown }).error));
    return [...unreadable, ...views.filter((lb) => lb.takesGroups).flatMap((lb) => judge(ctx, lb, byId))];
  },
});

function judge(ctx: CheckContext, lb: LoadBalancerView, groups: ReturnType<typeof groupsById>): Evaluation[] {
  const label = loadBalancerLabel(lb);
  const fail = (subKey: string, message: string, details: Record<string, string | number | boolean | null> = {}) =>
    ctx.fail({ resource: lb.resource, subKey, message, details: { ...loadBalancerDetails(lb), ...details } });
  if (lb.securityGroups.length === 0) {
    return [
      fail(
        'no-security-group',
        `${label} has no security group: nothing filters the traffic that reaches it${lb.kind === 'network' ? ' (a Network Load Balancer made before August 2023 cannot get one)' : ''}.`,
      ),
    ];
  }
  const out: Evaluation[] = [];
  for (const id of lb.securityGroups) {
    const group = groups.get(id);
    if (!group) {
      out.push(fail(`missing:${id}`, `${label} names security group ${id}, which no longer exists.`, { groupId: id }));
      continue;
    }
    for (const rule of openIngress(group)) {
      if (!reachesPorts(rule)) continue;
      // Listener ports are what a load balancer is for; anything else open to the world is not.
      if (withinAllowedPorts(rule, lb.listenerPorts)) continue;
      out.push(
        fail(
          `${id}:${ingressSubKey(rule)}`,
          `${label} has security group ${groupLabel(group)}, which allows ${describeRange(rule)} from ${rule.cidr}: more than its listener ports (${lb.listenerPorts.join(', ') || 'none'}).`,
          {
            ...ruleDetails(group, rule),
            listenerPorts: lb.listenerPorts.join(', '),
          },
        ),
      );
    }
  }
  return out.length > 0 ? out : [ctx.pass(lb.id)];
}
