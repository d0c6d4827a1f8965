import { defineCheck } from '../../src/audit/check.js';
import { namedError } from '../../src/errors.js';
import type { CheckContext, Evaluation } from '../../src/audit/types.js';
import type { ClassicLoadBalancer, LoadBalancerV2 } from '../../src/audit/datasets/elb.js';
import {
  classicView,
  classicWeakProtocols,
  loadBalancerDetails,
  loadBalancerLabel,
  oldestTls,
  redirectsToHttps,
  v2View,
  type LoadBalancerView,
} from '../../src/rules/load-balancers.js';

const TLS_NAMES = ['TLS 1.0', 'TLS 1.1', 'TLS 1.2', 'TLS 1.3'];

interface Problem {
  subKey: string;
  message: string;
  details: Record<string, string | number | null>;
}

export default defineCheck({
  id: 'elb.listener-insecure',
  title: 'Internet-facing load balancers accept only current TLS',
  service: 'elb',
  scope: 'regional',
  severity: 'high',
  description:
    'A plain HTTP listener that does not redirect to HTTPS serves pages, cookies and tokens that anyone on the path can read or change; a TLS policy that still accepts TLS 1.0 or 1.1 (or SSLv3 on Classic load balancers) lets clients be downgraded to broken protocols.',
  references: { securityHub: 'ELB.1, ELB.8, ELB.17' },
  remediation:
    'Make the HTTP listener\'s default action a redirect to HTTPS (`aws elbv2 modify-listener --listener-arn <arn> --default-actions Type=redirect,RedirectConfig="{Protocol=HTTPS,Port=443,StatusCode=HTTP_301}"`), and set HTTPS/TLS listeners to a TLS 1.2+ policy such as `ELBSecurityPolicy-TLS13-1-2-2021-06` (`modify-listener --ssl-policy`). Classic load balancers cannot redirect: move them to an Application Load Balancer, or use a predefined policy such as `ELBSecurityPolicy-TLS-1-2-2017-01`.',
  uses: ['elb.classic', 'elb.v2'],
  async run(ctx) {
    const [classic, v2] = await Promise.all([ctx.inventory.get('elb.classic'), ctx.inventory.get('elb.v2')]);
    return (
      [
        ...classic.map((c) => ({ view: classicView(c, ctx.region, ctx.account.accountId), judge: () => classicProblems(c) })),
        ...v2.map((v) => ({ view: v2View(v), judge: () => v2Problems(v) })),
      ]
        // Internal load balancers are reached only from the VPC and the networks routed to it.
        .filter(({ view }) => view.internetFacing)
        .flatMap(({ view, judge }) => evaluate(ctx, view, judge()))
    );
  },
});

function evaluate(ctx: CheckContext, view: LoadBalancerView, problems: Problem[] | { error: unknown }): Evaluation[] {
  if (!Array.isArray(problems)) return [ctx.error(view.id, problems.error)];
  if (problems.length === 0) return [ctx.pass(view.id)];
  return problems.map((p) =>
    ctx.fail({
      resource: view.resource,
      subKey: p.subKey,
      message: `${loadBalancerLabel(view)} ${p.message}`,
      details: { ...loadBalancerDetails(view), ...p.details },
    }),
  );
}

function v2Problems(v: LoadBalancerV2): Problem[] | { error: unknown } {
  if (!v.listeners.ok) return { error: v.listeners.error };
  const problems: Problem[] = [];
  for (const l of v.listeners.value) {
    const protocol = (l.Protocol ?? '').toUpperCase();
    const base = { protocol, port: l.Port ?? null };
    if (protocol === 'HTTP' && !redirectsToHttps(l)) {
      problems.push({
        subKey: `HTTP:${l.Port}`,
        message: `listens on plain HTTP port ${l.Port} without redirecting to HTTPS.`,
        details: { ...base, sslPolicy: null },
      });
    } else if (protocol === 'HTTPS' || protocol === 'TLS') {
      const oldest = l.SslPolicy ? oldestTls(l.SslPolicy) : undefined;
      if (oldest === undefined)
        return {
          error: namedError(
            'UnknownSecurityPolicy',
            `listener ${protocol} ${l.Port} of ${v.lb.LoadBalancerName} has a TLS policy this check does not know: ${l.SslPolicy ?? 'none'}`,
          ),
        };
      if (oldest < 2) {
        problems.push({
          subKey: `${protocol}:${l.Port}`,
          message: `${protocol} listener on port ${l.Port} uses ${l.SslPolicy}, which accepts ${TLS_NAMES[oldest]}.`,
          details: { ...base, sslPolicy: l.SslPolicy ?? null },
        });
      }
    }
  }
  return problems;
}

function classicProblems(c: ClassicLoadBalancer): Problem[] | { error: unknown } {
  if (c.policies && !c.policies.ok) return { error: c.policies.error };
  const policies = c.policies?.ok ? c.policies.value : [];
  const problems: Problem[] = [];
  for (const d of c.lb.ListenerDescriptions ?? []) {
    const protocol = (d.Listener?.Protocol ?? '').toUpperCase();
    const port = d.Listener?.LoadBalancerPort ?? null;
    if (protocol === 'HTTP')
      problems.push({
        subKey: `HTTP:${port}`,
        message: `listens on plain HTTP port ${port} (Classic load balancers cannot redirect to HTTPS).`,
        details: { protocol, port, sslPolicy: null },
      });
    if (protocol !== 'HTTPS' && protocol !== 'SSL') continue;
    // Each listener negotiates with the policies it names.
    const weak = classicWeakProtocols(policies.filter((p) => p.PolicyName && (d.PolicyNames ?? []).includes(p.PolicyName)));
    if (weak.length > 0) {
      problems.push({
        subKey: `${protocol}:${port}`,
        message: `${protocol} listener on port ${port} accepts ${weak.join(', ')}.`,
        details: { protocol, port, sslPolicy: weak.join(', ') },
      });
    }
  }
  return problems;
}
