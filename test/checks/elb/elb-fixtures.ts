import {
  DescribeLoadBalancerPoliciesCommand,
  DescribeLoadBalancersCommand as DescribeClassicCommand,
  type ElasticLoadBalancingClient,
  type LoadBalancerDescription,
  type PolicyDescription,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  type ElasticLoadBalancingV2Client,
  type Listener,
  type LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/** Load balancers of us-east-1 for account 123456789012, as DescribeLoadBalancers (Classic and v2) return them. */

export const OWNER = '123456789012';
const ARN_PREFIX = `arn:aws:elasticloadbalancing:us-east-1:${OWNER}:`;

export function alb(name: string, overrides: Partial<LoadBalancer> = {}): LoadBalancer {
  return {
    LoadBalancerArn: `${ARN_PREFIX}loadbalancer/app/${name}/50dc6c495c0c9188`,
    DNSName: `${name}-1234567890.us-east-1.elb.amazonaws.com`,
    LoadBalancerName: name,
    Scheme: 'internet-facing',
    VpcId: 'vpc-0f1e2d3c4b5a69788',
    State: { Code: 'active' },
    Type: 'application',
    SecurityGroups: ['sg-0web000000000001b'],
    IpAddressType: 'ipv4',
    ...overrides,
  };
}

export function listener(lb: LoadBalancer, protocol: 'HTTP' | 'HTTPS' | 'TCP' | 'TLS', port: number, overrides: Partial<Listener> = {}): Listener {
  return {
    ListenerArn: `${lb.LoadBalancerArn!.replace(':loadbalancer/', ':listener/')}/${port}`,
    LoadBalancerArn: lb.LoadBalancerArn,
    Port: port,
    Protocol: protocol,
    ...(protocol === 'HTTPS' || protocol === 'TLS'
      ? { SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', Certificates: [{ CertificateArn: `arn:aws:acm:us-east-1:${OWNER}:certificate/abc` }] }
      : {}),
    DefaultActions:
      protocol === 'HTTP'
        ? [
            {
              Type: 'redirect',
              Order: 1,
              RedirectConfig: { Protocol: 'HTTPS', Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301' },
            },
          ]
        : [{ Type: 'forward', Order: 1, TargetGroupArn: `${ARN_PREFIX}targetgroup/web/73e2d6bc24d8a067` }],
    ...overrides,
  };
}

export function classic(name: string, overrides: Partial<LoadBalancerDescription> = {}): LoadBalancerDescription {
  return {
    LoadBalancerName: name,
    DNSName: `${name}-1234567890.us-east-1.elb.amazonaws.com`,
    Scheme: 'internet-facing',
    VPCId: 'vpc-0f1e2d3c4b5a69788',
    SecurityGroups: ['sg-0web000000000001b'],
    ListenerDescriptions: [
      {
        Listener: {
          Protocol: 'HTTPS',
          LoadBalancerPort: 443,
          InstanceProtocol: 'HTTP',
          InstancePort: 80,
          SSLCertificateId: 'arn:aws:iam::123456789012:server-certificate/web',
        },
        PolicyNames: ['tls12'],
      },
    ],
    Instances: [],
    ...overrides,
  };
}

/** A Classic negotiation policy with these protocols on (the others listed as false, as AWS lists them). */
export function negotiationPolicy(name: string, on: string[]): PolicyDescription {
  const all = ['Protocol-SSLv2', 'Protocol-SSLv3', 'Protocol-TLSv1', 'Protocol-TLSv1.1', 'Protocol-TLSv1.2'];
  return {
    PolicyName: name,
    PolicyTypeName: 'SSLNegotiationPolicyType',
    PolicyAttributeDescriptions: [
      ...all.map((a) => ({ AttributeName: a, AttributeValue: String(on.includes(a.replace('Protocol-', ''))) })),
      { AttributeName: 'ECDHE-RSA-AES128-GCM-SHA256', AttributeValue: 'true' },
    ],
  };
}

export interface ElbWorld {
  classic?: LoadBalancerDescription[] | Error;
  policies?: PolicyDescription[] | Error;
  v2?: LoadBalancer[][] | Error;
  listeners?: Record<string, Listener[] | Error>;
}

export function serveElb(elb: AwsClientStub<ElasticLoadBalancingClient>, elbv2: AwsClientStub<ElasticLoadBalancingV2Client>, world: ElbWorld): void {
  elb.on(DescribeClassicCommand).callsFake(() => {
    if (world.classic instanceof Error) throw world.classic;
    return { LoadBalancerDescriptions: world.classic ?? [] };
  });
  elb.on(DescribeLoadBalancerPoliciesCommand).callsFake((input: { PolicyNames?: string[] }) => {
    if (world.policies instanceof Error) throw world.policies;
    return { PolicyDescriptions: (world.policies ?? [negotiationPolicy('tls12', ['TLSv1.2'])]).filter((p) => input.PolicyNames?.includes(p.PolicyName!)) };
  });
  elbv2.on(DescribeLoadBalancersCommand).callsFake((input: { Marker?: string }) => {
    if (world.v2 instanceof Error) throw world.v2;
    const pages = world.v2 ?? [[]];
    const index = input.Marker ? Number(input.Marker.slice(1)) : 0;
    return { LoadBalancers: pages[index] ?? [], ...(index + 1 < pages.length ? { NextMarker: `m${index + 1}` } : {}) };
  });
  elbv2.on(DescribeListenersCommand).callsFake((input: { LoadBalancerArn: string }) => {
    const answer = world.listeners?.[input.LoadBalancerArn] ?? [];
    if (answer instanceof Error) throw answer;
    return { Listeners: answer };
  });
}
