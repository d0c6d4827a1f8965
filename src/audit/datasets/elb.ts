import {
  DescribeLoadBalancerPoliciesCommand,
  DescribeLoadBalancersCommand as DescribeClassicLoadBalancersCommand,
  type LoadBalancerDescription,
  type PolicyDescription,
} from '@aws-sdk/client-elastic-load-balancing';
import { DescribeListenersCommand, DescribeLoadBalancersCommand, type Listener, type LoadBalancer } from '@aws-sdk/client-elastic-load-balancing-v2';
import { collectPages } from '../../aws/paginate.js';
import { attempt, type DatasetDef, type LoadContext, type Read } from './types.js';

export interface ClassicLoadBalancer {
  lb: LoadBalancerDescription;
  /**
   * The TLS negotiation policies of its HTTPS/SSL listeners, by policy name;
   * null when it has no such listener (nothing to read). One that cannot be
   * read is an error for this load balancer.
   */
  policies: Read<PolicyDescription[]> | null;
}

const SECURE_CLASSIC = new Set(['HTTPS', 'SSL']);

/** Classic load balancers, with the policies of their TLS listeners (one read per such load balancer). */
async function loadClassic(ctx: LoadContext): Promise<ClassicLoadBalancer[]> {
  const elb = ctx.clients.elb(ctx.region);
  const lbs = await collectPages(async (Marker) => {
    const page = await elb.send(new DescribeClassicLoadBalancersCommand({ PageSize: 400, Marker }));
    return { items: page.LoadBalancerDescriptions, next: page.NextMarker };
  });
  return Promise.all(
    lbs.map(async (lb): Promise<ClassicLoadBalancer> => {
      const tls = (lb.ListenerDescriptions ?? []).filter((l) => SECURE_CLASSIC.has((l.Listener?.Protocol ?? '').toUpperCase()));
      const names = [...new Set(tls.flatMap((l) => l.PolicyNames ?? []))];
      if (tls.length === 0 || !lb.LoadBalancerName) return { lb, policies: null };
      if (names.length === 0) return { lb, policies: { ok: true, value: [] } };
      return {
        lb,
        policies: await attempt(async () => (await elb.send(new DescribeLoadBalancerPoliciesCommand({ LoadBalancerName: lb.LoadBalancerName, PolicyNames: names }))).PolicyDescriptions ?? []),
      };
    }),
  );
}

export interface LoadBalancerV2 {
  lb: LoadBalancer;
  /** Its listeners (one paginated read per load balancer); a failed read is an error for this load balancer. */
  listeners: Read<Listener[]>;
}

/** Application, Network and Gateway load balancers with their listeners. */
async function loadV2(ctx: LoadContext): Promise<LoadBalancerV2[]> {
  const elbv2 = ctx.clients.elbv2(ctx.region);
  const lbs = await collectPages(async (Marker) => {
    const page = await elbv2.send(new DescribeLoadBalancersCommand({ PageSize: 400, Marker }));
    return { items: page.LoadBalancers, next: page.NextMarker };
  });
  const bulk = ctx.clients.elbv2(ctx.region, { bulk: true });
  return Promise.all(
    lbs
      .filter((lb) => lb.LoadBalancerArn)
      .map(async (lb): Promise<LoadBalancerV2> => ({
        lb,
        listeners: await attempt(() =>
          collectPages(async (Marker) => {
            const page = await bulk.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn, PageSize: 400, Marker }));
            return { items: page.Listeners, next: page.NextMarker };
          }),
        ),
      })),
  );
}

export const elbDatasets = {
  'elb.classic': {
    scope: 'regional',
    actions: ['elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeLoadBalancerPolicies'],
    load: loadClassic,
  } satisfies DatasetDef<ClassicLoadBalancer[]>,
  'elb.v2': {
    scope: 'regional',
    actions: ['elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeListeners'],
    load: loadV2,
  } satisfies DatasetDef<LoadBalancerV2[]>,
};
