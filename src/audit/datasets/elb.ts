import {
  DescribeLoadBalancerPoliciesCommand,
  DescribeLoadBalancersCommand as DescribeClassicLoadBalancersCommand,
  type LoadBalancerDescription,
  type PolicyDescription,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  type Listener,
  type LoadBalancer,
  type Tag,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsErrorCode } from '../../errors.js';
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
        policies: await attempt(
          async () =>
            (await elb.send(new DescribeLoadBalancerPoliciesCommand({ LoadBalancerName: lb.LoadBalancerName, PolicyNames: names }))).PolicyDescriptions ?? [],
        ),
      };
    }),
  );
}

export interface LoadBalancerV2 {
  lb: LoadBalancer;
  /** Its listeners (one paginated read per load balancer); a failed read is an error for this load balancer. */
  listeners: Read<Listener[]>;
}

/** Application, Network and Gateway load balancers, every page (those without an ARN left out: nothing can be asked about them). */
async function loadV2LoadBalancers(ctx: LoadContext): Promise<(LoadBalancer & { LoadBalancerArn: string })[]> {
  const elbv2 = ctx.clients.elbv2(ctx.region);
  const lbs = await collectPages(async (Marker) => {
    const page = await elbv2.send(new DescribeLoadBalancersCommand({ PageSize: 400, Marker }));
    return { items: page.LoadBalancers, next: page.NextMarker };
  });
  return lbs.filter((lb): lb is LoadBalancer & { LoadBalancerArn: string } => Boolean(lb.LoadBalancerArn));
}

/** The v2 load balancers with their listeners. */
async function loadV2(ctx: LoadContext): Promise<LoadBalancerV2[]> {
  const lbs = (await ctx.dataset('elb.v2LoadBalancers')) as LoadBalancer[];
  const bulk = ctx.clients.elbv2(ctx.region, { bulk: true });
  return Promise.all(
    lbs.map(
      async (lb): Promise<LoadBalancerV2> => ({
        lb,
        listeners: await attempt(() =>
          collectPages(async (Marker) => {
            const page = await bulk.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn, PageSize: 400, Marker }));
            return { items: page.Listeners, next: page.NextMarker };
          }),
        ),
      }),
    ),
  );
}

/** DescribeTags takes at most 20 load balancers per call. */
const TAG_BATCH = 20;

/**
 * The tags of every v2 load balancer, by ARN, read 20 at a time. One deleted
 * since the listing fails its whole batch with LoadBalancerNotFound: that
 * batch is asked again one by one, and the one that is gone is left out.
 */
async function loadV2Tags(ctx: LoadContext): Promise<Map<string, Read<Tag[]>>> {
  const lbs = (await ctx.dataset('elb.v2LoadBalancers')) as (LoadBalancer & { LoadBalancerArn: string })[];
  const bulk = ctx.clients.elbv2(ctx.region, { bulk: true });
  const tags = new Map<string, Read<Tag[]>>();
  const read = async (arns: string[]): Promise<void> => {
    try {
      const answer = await bulk.send(new DescribeTagsCommand({ ResourceArns: arns }));
      const byArn = new Map((answer.TagDescriptions ?? []).map((d) => [d.ResourceArn, d.Tags ?? []]));
      for (const arn of arns) tags.set(arn, { ok: true, value: byArn.get(arn) ?? [] });
    } catch (error) {
      if (awsErrorCode(error) === 'LoadBalancerNotFound' && arns.length > 1) {
        await Promise.all(arns.map((arn) => read([arn])));
        return;
      }
      if (awsErrorCode(error) === 'LoadBalancerNotFound') return;
      for (const arn of arns) tags.set(arn, { ok: false, error });
    }
  };
  const arns = lbs.map((lb) => lb.LoadBalancerArn);
  const batches: string[][] = [];
  for (let i = 0; i < arns.length; i += TAG_BATCH) batches.push(arns.slice(i, i + TAG_BATCH));
  await Promise.all(batches.map(read));
  return tags;
}

export const elbDatasets = {
  'elb.classic': {
    scope: 'regional',
    actions: ['elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeLoadBalancerPolicies'],
    load: loadClassic,
  } satisfies DatasetDef<ClassicLoadBalancer[]>,
  'elb.v2LoadBalancers': {
    scope: 'regional',
    actions: ['elasticloadbalancing:DescribeLoadBalancers'],
    load: loadV2LoadBalancers,
  } satisfies DatasetDef<(LoadBalancer & { LoadBalancerArn: string })[]>,
  'elb.v2': {
    scope: 'regional',
    actions: ['elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeListeners'],
    load: loadV2,
  } satisfies DatasetDef<LoadBalancerV2[]>,
  'elb.v2Tags': {
    scope: 'regional',
    actions: ['elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeTags'],
    load: loadV2Tags,
  } satisfies DatasetDef<Map<string, Read<Tag[]>>>,
};
