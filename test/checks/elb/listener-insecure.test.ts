import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { DescribeListenersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import listenerInsecure from '../../../checks/elb/listener-insecure.js';
import { findingFingerprint } from '../../../src/audit/fingerprint.js';
import { oldestTls } from '../../../src/rules/load-balancers.js';
import { audit, awsError } from '../../helpers/aws.js';
import { serveRegions } from '../ec2/regional-fixtures.js';
import { alb, classic, listener, negotiationPolicy, OWNER, serveElb } from './elb-fixtures.js';

const elb = mockClient(ElasticLoadBalancingClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const ec2 = mockClient(EC2Client);
const CHECK = 'elb.listener-insecure';

describe('elb.listener-insecure', () => {
  beforeEach(() => {
    elb.reset();
    elbv2.reset();
    ec2.reset();
    serveRegions(ec2);
  });

  it('declares its references and datasets', () => {
    expect(listenerInsecure).toMatchObject({
      id: CHECK,
      service: 'elb',
      scope: 'regional',
      severity: 'high',
      references: { securityHub: 'ELB.1, ELB.8, ELB.17' },
    });
    expect(listenerInsecure.uses).toEqual(['elb.classic', 'elb.v2']);
  });

  it('reads the oldest TLS version from the policy names', () => {
    expect(
      [
        'ELBSecurityPolicy-2016-08',
        'ELBSecurityPolicy-TLS-1-0-2015-04',
        'ELBSecurityPolicy-TLS-1-1-2017-01',
        'ELBSecurityPolicy-FS-1-1-2019-08',
        'ELBSecurityPolicy-TLS13-1-1-2021-06',
      ].map(oldestTls),
    ).toEqual([0, 0, 1, 1, 1]);
    expect(
      [
        'ELBSecurityPolicy-TLS13-1-2-2021-06',
        'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
        'ELBSecurityPolicy-TLS-1-2-Ext-2018-06',
        'ELBSecurityPolicy-FS-1-2-Res-2020-10',
        'ELBSecurityPolicy-TLS13-1-3-2021-06',
      ].map(oldestTls),
    ).toEqual([2, 2, 2, 2, 3]);
    expect(oldestTls('MyCustomPolicy')).toBeUndefined();
  });

  it('passes HTTPS listeners on TLS 1.2+, HTTP listeners that redirect, internal and TCP-only ones; every page, one listener read per load balancer', async () => {
    const web = alb('web');
    const internal = alb('internal-api', { Scheme: 'internal' });
    const nlb = alb('nlb', { Type: 'network', SecurityGroups: [] });
    serveElb(elb, elbv2, {
      classic: [classic('legacy')],
      v2: [[web], [internal, nlb]],
      listeners: {
        [web.LoadBalancerArn!]: [listener(web, 'HTTP', 80), listener(web, 'HTTPS', 443)],
        [internal.LoadBalancerArn!]: [listener(internal, 'HTTP', 80, { DefaultActions: [{ Type: 'forward' }] })],
        [nlb.LoadBalancerArn!]: [listener(nlb, 'TCP', 5432)],
      },
    });
    const result = await audit([listenerInsecure]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.stats.byCheck[CHECK]).toEqual({ passed: 3, failed: 0, errors: 0 });
    expect(elbv2.commandCalls(DescribeListenersCommand)).toHaveLength(3);
  });

  it('fails an HTTP listener without a redirect and a listener whose policy accepts TLS 1.0/1.1, one finding each', async () => {
    const web = alb('web');
    serveElb(elb, elbv2, {
      v2: [[web]],
      listeners: {
        [web.LoadBalancerArn!]: [
          listener(web, 'HTTP', 80, { DefaultActions: [{ Type: 'forward', TargetGroupArn: 'tg' }] }),
          listener(web, 'HTTPS', 443, { SslPolicy: 'ELBSecurityPolicy-2016-08' }),
        ],
      },
    });
    const result = await audit([listenerInsecure]);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => f.message).sort()).toEqual([
      'Application load balancer web HTTPS listener on port 443 uses ELBSecurityPolicy-2016-08, which accepts TLS 1.0.',
      'Application load balancer web listens on plain HTTP port 80 without redirecting to HTTPS.',
    ]);
    expect(result.findings.find((f) => f.details?.port === 80)).toMatchObject({
      severity: 'high',
      resource: { type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', id: web.LoadBalancerArn, arn: web.LoadBalancerArn },
      fingerprint: findingFingerprint({ checkId: CHECK, accountId: OWNER, region: 'us-east-1', resourceId: web.LoadBalancerArn!, subKey: 'HTTP:80' }),
      details: { loadBalancerName: 'web', loadBalancerType: 'application', internetFacing: true, protocol: 'HTTP', port: 80, sslPolicy: null },
    });
  });

  it('fails a Classic HTTP listener and an HTTPS one whose own policy turns on TLSv1 or SSLv3', async () => {
    serveElb(elb, elbv2, {
      classic: [
        classic('legacy', {
          ListenerDescriptions: [
            { Listener: { Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: 80 }, PolicyNames: [] },
            { Listener: { Protocol: 'HTTPS', LoadBalancerPort: 443, InstanceProtocol: 'HTTP', InstancePort: 80 }, PolicyNames: ['old'] },
            { Listener: { Protocol: 'SSL', LoadBalancerPort: 8443, InstanceProtocol: 'TCP', InstancePort: 8443 }, PolicyNames: ['tls12'] },
          ],
        }),
      ],
      policies: [negotiationPolicy('old', ['SSLv3', 'TLSv1', 'TLSv1.2']), negotiationPolicy('tls12', ['TLSv1.2'])],
    });
    const result = await audit([listenerInsecure]);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.resource.type, f.message]).sort()).toEqual([
      ['AWS::ElasticLoadBalancing::LoadBalancer', 'Classic load balancer legacy HTTPS listener on port 443 accepts SSLv3, TLSv1.'],
      [
        'AWS::ElasticLoadBalancing::LoadBalancer',
        'Classic load balancer legacy listens on plain HTTP port 80 (Classic load balancers cannot redirect to HTTPS).',
      ],
    ]);
  });

  it('reports a load balancer whose listeners or policies cannot be read, or whose policy is unknown, as an error for it', async () => {
    const a = alb('a');
    const b = alb('b');
    serveElb(elb, elbv2, {
      classic: [classic('legacy')],
      policies: awsError('AccessDenied', 'not authorized to perform: elasticloadbalancing:DescribeLoadBalancerPolicies'),
      v2: [[a, b]],
      listeners: {
        [a.LoadBalancerArn!]: awsError('Throttling', 'Rate exceeded'),
        [b.LoadBalancerArn!]: [listener(b, 'HTTPS', 443, { SslPolicy: 'Custom-Policy' })],
      },
    });
    const result = await audit([listenerInsecure]);
    expect(result.findings).toEqual([]);
    expect(result.errors.map((e) => [e.resource, e.code])).toEqual([
      [a.LoadBalancerArn, 'Throttling'],
      [b.LoadBalancerArn, 'UnknownSecurityPolicy'],
      ['legacy', 'AccessDenied'],
    ]);
  });

  it('reports the region as an error when load balancers cannot be listed', async () => {
    serveElb(elb, elbv2, { v2: awsError('AccessDenied', 'not authorized to perform: elasticloadbalancing:DescribeLoadBalancers') });
    const result = await audit([listenerInsecure]);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ checkId: CHECK, code: 'AccessDenied' })]);
    expect(result.errors[0]).not.toHaveProperty('resource');
  });
});
