import type { PolicyDescription } from '@aws-sdk/client-elastic-load-balancing';
import type { Listener, LoadBalancer } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ClassicLoadBalancer, LoadBalancerV2 } from '../audit/datasets/elb.js';
import type { DetailValue, ResourceRef } from '../audit/types.js';
import { partitionOfRegion } from '../aws/partition.js';

/** Shared by the elb.* checks: Classic and v2 load balancers seen alike. Not a check (no default export). */

export interface LoadBalancerView {
  kind: 'classic' | 'application' | 'network' | 'gateway';
  /** The ARN for v2, the name for Classic (which has no ARN in its answer). */
  id: string;
  name: string;
  internetFacing: boolean;
  securityGroups: string[];
  /** Whether the load balancer can have security groups (Classic outside a VPC and Gateway ones cannot). */
  takesGroups: boolean;
  /** Listener ports, for security groups that open other ports. */
  listenerPorts: number[];
  resource: ResourceRef;
}

export function classicView(c: ClassicLoadBalancer, region: string, accountId: string): LoadBalancerView {
  const name = c.lb.LoadBalancerName ?? '';
  return {
    kind: 'classic',
    id: name,
    name,
    internetFacing: c.lb.Scheme !== 'internal',
    securityGroups: c.lb.SecurityGroups ?? [],
    takesGroups: Boolean(c.lb.VPCId),
    listenerPorts: (c.lb.ListenerDescriptions ?? []).map((l) => l.Listener?.LoadBalancerPort).filter((p): p is number => typeof p === 'number'),
    resource: {
      type: 'AWS::ElasticLoadBalancing::LoadBalancer',
      id: name,
      arn: `arn:${partitionOfRegion(region)}:elasticloadbalancing:${region}:${accountId}:loadbalancer/${name}`,
    },
  };
}

/** What kind of v2 load balancer it is (AWS leaves Type out on old Application load balancers). */
export function v2Kind(lb: LoadBalancer): 'application' | 'network' | 'gateway' {
  return lb.Type === 'network' ? 'network' : lb.Type === 'gateway' ? 'gateway' : 'application';
}

export function v2View(v: LoadBalancerV2): LoadBalancerView {
  const arn = v.lb.LoadBalancerArn!;
  const kind = v2Kind(v.lb);
  return {
    kind,
    id: arn,
    name: v.lb.LoadBalancerName ?? arn,
    internetFacing: v.lb.Scheme === 'internet-facing',
    securityGroups: v.lb.SecurityGroups ?? [],
    takesGroups: kind !== 'gateway',
    listenerPorts: v.listeners.ok ? v.listeners.value.map((l) => l.Port).filter((p): p is number => typeof p === 'number') : [],
    resource: { type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', id: arn, arn },
  };
}

/** `Application load balancer web-prod`, `Classic load balancer legacy-web`: how a finding's message starts. */
export function loadBalancerLabel(lb: Pick<LoadBalancerView, 'kind' | 'name'>): string {
  return `${lb.kind.charAt(0).toUpperCase()}${lb.kind.slice(1)} load balancer ${lb.name}`;
}

export function loadBalancerDetails(lb: LoadBalancerView): Record<string, DetailValue> {
  return { loadBalancerName: lb.name, loadBalancerType: lb.kind, internetFacing: lb.internetFacing, securityGroups: lb.securityGroups.join(', ') || null };
}

/**
 * The oldest TLS version (0 = 1.0 … 3 = 1.3) an ELB security policy accepts,
 * read from AWS's naming: `ELBSecurityPolicy-TLS13-1-2-2021-06` accepts 1.2
 * and up; `ELBSecurityPolicy-2016-08`, `-2015-05` and `-FS-2018-06` accept
 * 1.0. Undefined for a name this rule does not know.
 */
export function oldestTls(policy: string): number | undefined {
  const versioned = /^ELBSecurityPolicy-(?:TLS13-|TLS-|FS-)1-([0-3])(?:-|$)/.exec(policy);
  if (versioned) return Number(versioned[1]);
  if (/^ELBSecurityPolicy-(?:2015-05|2016-08|FS-2018-06)$/.test(policy)) return 0;
  return undefined;
}

/** Whether an HTTP listener's default action sends viewers to HTTPS. */
export function redirectsToHttps(listener: Listener): boolean {
  return (listener.DefaultActions ?? []).some((a) => a.Type === 'redirect' && (a.RedirectConfig?.Protocol ?? '').toUpperCase() === 'HTTPS');
}

const WEAK_CLASSIC_PROTOCOLS = ['Protocol-SSLv2', 'Protocol-SSLv3', 'Protocol-TLSv1', 'Protocol-TLSv1.1'];

/** The old protocols a Classic load balancer's negotiation policies turn on (`SSLv3`, `TLSv1`, ...). */
export function classicWeakProtocols(policies: readonly PolicyDescription[]): string[] {
  const on = policies
    .filter((p) => p.PolicyTypeName === 'SSLNegotiationPolicyType')
    .flatMap((p) => (p.PolicyAttributeDescriptions ?? []).filter((a) => WEAK_CLASSIC_PROTOCOLS.includes(a.AttributeName ?? '') && a.AttributeValue === 'true'))
    .map((a) => a.AttributeName!.replace('Protocol-', ''));
  return [...new Set(on)];
}
